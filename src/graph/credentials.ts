/**
 * Who mfa-migrate is to Graph: an @azure/identity credential chosen by `--auth`, or the
 * emulator's fixed development token. Credentials are made by an injectable factory so tests can
 * pass a fake or point the real classes at the emulator's https token endpoint. Tokens are cached
 * here and refreshed before they expire; they are never logged or put in an error.
 */
import {
  AzureCliCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
  DeviceCodeCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import type { MigrateError } from '../errors.js';
import type { Log } from '../log.js';
import type { Clock } from '../clock.js';
import type { Secret } from '../secret.js';
import { aadstsCode, authenticationFailed, certificateUntrusted, isCertificateFailure, unreachable, type SignInWhere } from './graph-errors.js';
import { nodeRequest, TransportError, type TokenSource } from './http-client.js';
import { agentFor } from './proxy.js';

export type AuthMode = 'secret' | 'certificate' | 'device-code' | 'azure-cli' | 'managed-identity' | 'default' | 'emulator';

export const AUTH_MODES: readonly AuthMode[] = ['secret', 'certificate', 'device-code', 'azure-cli', 'managed-identity', 'default', 'emulator'];

/** What each `--auth` needs, already checked by the option parser. */
export type AuthSettings =
  | { readonly mode: 'secret'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: Secret }
  | { readonly mode: 'certificate'; readonly tenantId: string; readonly clientId: string; readonly certificatePath: string; readonly certificatePassword: Secret | null }
  | { readonly mode: 'device-code'; readonly tenantId: string; readonly clientId: string | null }
  | { readonly mode: 'azure-cli'; readonly tenantId: string | null }
  | { readonly mode: 'managed-identity'; readonly clientId: string | null }
  | { readonly mode: 'default'; readonly tenantId: string | null; readonly clientId: string | null }
  | { readonly mode: 'emulator' };

export type CredentialSettings = Exclude<AuthSettings, { readonly mode: 'emulator' }>;

export interface CredentialContext {
  /** Entra authority host of the cloud, or the https emulator's URL. */
  readonly authorityHost: string;
  /** True against an emulator: MSAL must not ask Microsoft's discovery endpoint about a local authority. */
  readonly disableInstanceDiscovery: boolean;
  /** An extra CA (PEM) to trust for the authority, e.g. the emulator's. */
  readonly ca: string | null;
  readonly log: Log;
}

export type CredentialFactory = (settings: CredentialSettings, context: CredentialContext) => TokenCredential;

/**
 * The token `--auth emulator` sends: any non-empty token is accepted by the emulator over http
 * (docs/design.md "What it models").
 */
export const EMULATOR_DEVELOPMENT_TOKEN = 'mfa-migrate-emulator-development-token';

/** The @azure/identity credential for each `--auth`. */
export const identityCredentials: CredentialFactory = (settings, context) => {
  const common: TokenCredentialOptions & { disableInstanceDiscovery?: boolean } = {
    authorityHost: context.authorityHost,
    ...(context.ca === null ? {} : { tlsOptions: { ca: context.ca } }),
  };
  const discovery = context.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {};
  switch (settings.mode) {
    case 'secret':
      return new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret.reveal(), { ...common, ...discovery });
    case 'certificate':
      return new ClientCertificateCredential(
        settings.tenantId,
        settings.clientId,
        { certificatePath: settings.certificatePath, ...(settings.certificatePassword === null ? {} : { certificatePassword: settings.certificatePassword.reveal() }) },
        { ...common, ...discovery },
      );
    case 'device-code':
      return new DeviceCodeCredential({
        ...common,
        ...discovery,
        tenantId: settings.tenantId,
        ...(settings.clientId === null ? {} : { clientId: settings.clientId }),
        // The prompt (a URL and a code) is for the admin at the terminal: stderr, never stdout.
        userPromptCallback: (info) => { context.log.warn(info.message); },
      });
    case 'azure-cli':
      return new AzureCliCredential(settings.tenantId === null ? {} : { tenantId: settings.tenantId });
    case 'managed-identity':
      return settings.clientId === null ? new ManagedIdentityCredential(common) : new ManagedIdentityCredential({ ...common, clientId: settings.clientId });
    case 'default':
      return new DefaultAzureCredential({
        ...common,
        ...(settings.tenantId === null ? {} : { tenantId: settings.tenantId }),
        ...(settings.clientId === null ? {} : { managedIdentityClientId: settings.clientId }),
      });
  }
};

/** A token is renewed this long before it expires, so no request leaves with a token about to lapse. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** How long the authority may take to answer the diagnostic probe after a failed sign-in. */
const AUTHORITY_PROBE_TIMEOUT_MS = 10_000;

export interface CredentialTokenSourceOptions {
  /** Called for the first token, and again after Graph refused one (see invalidate). */
  readonly makeCredential: () => TokenCredential;
  readonly scope: string;
  readonly clock: Clock;
  readonly mode: AuthMode;
  readonly tenantId: string | null;
  readonly authorityHost: string;
  readonly ca: string | null;
  /** For an app of `--app-pool`: which one, so a failed sign-in names it and its credential. */
  readonly app?: SignInWhere['app'];
}

/** Tokens from an @azure/identity credential; one request at a time fetches a new one for everyone. */
export class CredentialTokenSource implements TokenSource {
  readonly #options: CredentialTokenSourceOptions;
  #cached: { token: string; refreshAt: number } | null = null;
  #fetching: Promise<string> | null = null;
  #credential: TokenCredential | null = null;

  constructor(options: CredentialTokenSourceOptions) {
    this.#options = options;
  }

  getToken(): Promise<string> {
    const cached = this.#cached;
    if (cached !== null && this.#options.clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
    this.#fetching ??= this.#fetch().finally(() => { this.#fetching = null; });
    return this.#fetching;
  }

  /**
   * Graph refused the token (401) before its expiry as we know it: revoked, or the clocks differ.
   * The credential's own cache (MSAL's) would hand the same token back and @azure/identity has no
   * way to skip it, so app credentials are made anew. A device-code sign-in keeps its credential:
   * a new one would ask the admin to sign in again, mid-run.
   */
  invalidate(): void {
    this.#cached = null;
    if (this.#options.mode !== 'device-code') this.#credential = null;
  }

  async #fetch(): Promise<string> {
    const { scope, clock } = this.#options;
    try {
      this.#credential ??= this.#options.makeCredential();
      const answer = await this.#credential.getToken(scope);
      if (answer === null) throw new CredentialUnavailableError('The credential returned no token.');
      this.#cached = { token: answer.token, refreshAt: Math.min(answer.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS, answer.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY) };
      if (this.#cached.refreshAt <= clock.now()) this.#cached = { token: answer.token, refreshAt: answer.expiresOnTimestamp };
      return answer.token;
    } catch (error) {
      throw await this.#explain(error);
    }
  }

  /**
   * MSAL reports an authority it cannot use as "endpoints_resolution_error" whether the host is
   * down or the tenant does not exist; one GET of the tenant's OpenID configuration tells which.
   */
  async #explain(error: unknown): Promise<MigrateError> {
    const { mode, tenantId, authorityHost, ca, app } = this.#options;
    const where: SignInWhere = { mode, tenant: tenantId, authorityHost, ...(app === undefined ? {} : { app }) };
    const detail = error instanceof Error ? error.message : String(error);
    if (aadstsCode(detail) !== null || tenantId === null || !/endpoints_resolution_error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|ECONNRESET|network|certificate|CERT_/i.test(detail)) {
      return authenticationFailed(error, where);
    }
    const url = new URL(`${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`);
    const agent = agentFor(url, process.env, { keepAlive: false, maxSockets: 1, ca });
    try {
      const probe = await nodeRequest(url, { method: 'GET', headers: { accept: 'application/json' }, body: undefined, timeoutMs: AUTHORITY_PROBE_TIMEOUT_MS, ca }, agent);
      return authenticationFailed(new Error(`${detail}; ${probe.body.toString('utf8').slice(0, 500)}`), where);
    } catch (probeError) {
      if (probeError instanceof TransportError) return isCertificateFailure(probeError) ? certificateUntrusted(url.origin, probeError) : unreachable(url.origin, `signing in with --auth ${mode}`, probeError, 1);
      return authenticationFailed(error, where);
    } finally {
      agent.destroy();
    }
  }
}

/** The emulator's development token (`--auth emulator`). */
export const developmentTokenSource: TokenSource = {
  getToken: () => Promise.resolve(EMULATOR_DEVELOPMENT_TOKEN),
  invalidate: () => undefined,
};
