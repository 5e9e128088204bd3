/**
 * Who is calling. Over plain http (loopback rehearsals, the CLI's `--auth emulator`) any non-empty
 * bearer token is accepted with the seed's default application permissions; tokens issued by the
 * emulator's own token endpoint carry their app's `roles` and are checked wherever they arrive.
 * Over https only issued tokens are accepted, as Graph accepts only Entra's.
 *
 * The token endpoint speaks the Microsoft identity platform's client-credentials grant
 * (`/{tenant}/oauth2/v2.0/token`, `/{tenant}/v2.0/.well-known/openid-configuration`) closely
 * enough for @azure/identity's ClientSecretCredential (MSAL) to use it as an authority host.
 * Tokens are HS256 JWTs signed with a key made at start-up: not Entra's format, never accepted
 * anywhere else.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';
import { graphError, type GraphResponse } from './graph-response.js';
import type { SeedApp, TenantSeed } from './seed.js';

/** Lifetime of issued access tokens, as Entra's default for app tokens (about an hour). */
export const TOKEN_LIFETIME_SECONDS = 3_599;
/** The resource whose `/.default` scope the tool asks for. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
/** Graph's first-party application id, which Graph names in its WWW-Authenticate challenge. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface Principal {
  readonly appId: string;
  readonly roles: ReadonlySet<string>;
  /** `issued` by the token endpoint, or a `development` token accepted over http. */
  readonly source: 'issued' | 'development';
}

/** Whether the caller holds at least one of the permissions (Graph's tables list them least privileged first). */
export function hasAnyRole(principal: Principal, anyOf: readonly string[]): boolean {
  return anyOf.some((role) => principal.roles.has(role));
}

function unauthorized(message: string): GraphResponse {
  return graphError(401, 'InvalidAuthenticationToken', message, {
    'www-authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
  });
}

/** An answer of the identity platform (not a Graph body: OAuth errors are flat). */
export interface IdentityResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export class TokenAuthority {
  readonly #seed: TenantSeed;
  readonly #clock: Clock;
  readonly #key = randomBytes(32);
  /** Tokens issued so far; each carries its number in `uti`. */
  #issued = 0;
  /** Tokens numbered below this are expired (expireIssuedTokens). */
  #firstValid = 0;

  constructor(seed: TenantSeed, clock: Clock) {
    this.#seed = seed;
    this.#clock = clock;
  }

  #sign(input: string): Buffer {
    return createHmac('sha256', this.#key).update(input).digest();
  }

  /**
   * Every token issued so far is refused from now on as expired, as if its hour had passed: a
   * run's token expiring mid-run, without moving the clock that TOTP and throttling read.
   */
  expireIssuedTokens(): void {
    this.#firstValid = this.#issued;
  }

  /** An access token for an app of the seed, with its roles. */
  issue(app: SeedApp): string {
    const now = Math.floor(this.#clock.now() / 1000);
    const number = this.#issued;
    this.#issued += 1;
    const tenantId = this.#seed.tenant.id;
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({
        aud: GRAPH_RESOURCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + TOKEN_LIFETIME_SECONDS,
        appid: app.clientId,
        app_displayname: app.displayName,
        idtyp: 'app',
        roles: app.roles,
        sub: app.clientId,
        tid: tenantId,
        uti: String(number),
        ver: '1.0',
      }),
    );
    return `${header}.${payload}.${base64url(this.#sign(`${header}.${payload}`))}`;
  }

  /** The claims of a token this emulator signed, or why it is not one. */
  #verify(token: string): { claims: Record<string, unknown> } | { problem: 'foreign' | 'expired' } {
    const parts = token.split('.');
    if (parts.length !== 3) return { problem: 'foreign' };
    const [header = '', payload = '', signature = ''] = parts;
    const expected = this.#sign(`${header}.${payload}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'foreign' };
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { problem: 'foreign' };
    }
    if (typeof claims !== 'object' || claims === null) return { problem: 'foreign' };
    const record = claims as Record<string, unknown>;
    if (typeof record['exp'] !== 'number' || record['exp'] * 1000 <= this.#clock.now()) return { problem: 'expired' };
    if (Number(record['uti']) < this.#firstValid) return { problem: 'expired' };
    return { claims: record };
  }

  /**
   * The caller of a Graph request, or Graph's 401: "Access token is empty." when there is no
   * bearer token (the body Graph sends without an Authorization header).
   */
  authenticate(authorization: string | undefined, secure: boolean): Principal | GraphResponse {
    const match = /^Bearer\s+(\S.*)$/i.exec(authorization?.trim() ?? '');
    const token = match?.[1]?.trim();
    if (token === undefined || token === '') return unauthorized('Access token is empty.');
    const verified = this.#verify(token);
    if ('claims' in verified) {
      const roles = verified.claims['roles'];
      const appId = verified.claims['appid'];
      return {
        appId: typeof appId === 'string' ? appId : this.#seed.app.clientId,
        roles: new Set(Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : []),
        source: 'issued',
      };
    }
    if (verified.problem === 'expired') return unauthorized('Lifetime validation failed, the token is expired.');
    if (secure) return unauthorized('Access token validation failure. Invalid audience.');
    return { appId: this.#seed.app.clientId, roles: new Set(this.#seed.app.roles), source: 'development' };
  }

  #tenantMatches(segment: string): boolean {
    const tenant = this.#seed.tenant;
    return [tenant.id, tenant.defaultDomain].some((name) => name.toLowerCase() === segment.toLowerCase());
  }

  #identityError(status: number, error: string, code: number, description: string): IdentityResponse {
    const traceId = randomUUID();
    return {
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${new Date(this.#clock.now()).toISOString()}`,
        error_codes: [code],
        timestamp: new Date(this.#clock.now()).toISOString(),
        trace_id: traceId,
      },
    };
  }

  /** `GET /{tenant}/v2.0/.well-known/openid-configuration`: the fields MSAL reads to find the token endpoint. */
  openIdConfiguration(baseUrl: string, tenantSegment: string): IdentityResponse {
    if (!this.#tenantMatches(tenantSegment)) return this.#identityError(400, 'invalid_tenant', 90002, `Tenant '${tenantSegment}' not found.`);
    const root = `${baseUrl}/${this.#seed.tenant.id}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${root}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        jwks_uri: `${root}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${root}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${root}/oauth2/v2.0/logout`,
        tenant_region_scope: null,
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
      },
    };
  }

  /** `POST /{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`. */
  token(tenantSegment: string, form: URLSearchParams, basicAuthorization: string | undefined): IdentityResponse & { app?: SeedApp } {
    if (!this.#tenantMatches(tenantSegment)) return this.#identityError(400, 'invalid_request', 90002, `Tenant '${tenantSegment}' not found.`);
    if (form.get('grant_type') !== 'client_credentials') {
      return this.#identityError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type; the emulator issues tokens for client_credentials only.');
    }
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(basicAuthorization ?? '');
    if (basic?.[1] !== undefined) {
      const [id = '', secret = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id);
      clientSecret = decodeURIComponent(secret);
    }
    const app = [this.#seed.app, ...this.#seed.additionalApps].find((candidate) => candidate.clientId === clientId);
    if (app === undefined) {
      return this.#identityError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${this.#seed.tenant.displayName}'.`);
    }
    if (clientSecret !== app.clientSecret) {
      return this.#identityError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const scope = form.get('scope') ?? '';
    if (scope.trim() !== `${GRAPH_RESOURCE}/.default`) {
      return this.#identityError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    return {
      status: 200,
      app,
      body: { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: this.issue(app) },
    };
  }
}
