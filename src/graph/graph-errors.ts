/**
 * Graph's and Entra's error answers, parsed once into MigrateError with stable codes
 * (docs/design.md "Retries and failures").
 * Shapes: microsoftgraph/microsoft-graph-docs-contrib concepts/errors.md (`{"error": {"code",
 * "message", "innerError": {"request-id", "date", "client-request-id"}}}`, the request-id also in
 * the `request-id` header); the identity platform's AADSTS codes from Entra's
 * reference-error-codes page. Access tokens are never part of any message.
 */
import { MigrateError } from '../errors.js';
import { recordOrNull } from '../json-value.js';

/** What a Graph error answer says. */
export interface GraphErrorInfo {
  readonly status: number;
  /** Graph's `error.code`, e.g. `Authorization_RequestDenied`; empty when the body had none. */
  readonly code: string;
  readonly message: string;
  readonly requestId: string | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Reads an error answer; tolerant of bodies that are not Graph's shape (gateways, proxies). */
export function readGraphError(status: number, headers: Readonly<Record<string, string>>, body: unknown): GraphErrorInfo {
  const error = recordOrNull(recordOrNull(body)?.['error']);
  const inner = recordOrNull(error?.['innerError']) ?? recordOrNull(error?.['innererror']);
  const requestId = text(inner?.['request-id']) ?? text(headers['request-id']) ?? text(inner?.['client-request-id']) ?? null;
  const code = text(error?.['code']) ?? '';
  const message = text(error?.['message']) ?? (typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 300) : `HTTP ${status}`);
  return { status, code, message, requestId };
}

function traced(message: string, requestId: string | null): string {
  return requestId === null ? message : `${message} (request-id ${requestId})`;
}

/** A permission a command needs, named by its least privileged form. */
export interface PermissionRequirement {
  /** The permission to grant, e.g. `UserAuthenticationMethod.Read.All`. */
  readonly permission: string;
  /** Any of these in the token satisfies it (the Graph page's table, least privileged first). */
  readonly satisfiedBy: readonly string[];
  /** What it is needed for, for the message. */
  readonly purpose: string;
}

/** Who the token belongs to, as far as the message needs. */
export interface PrincipalDescription {
  readonly kind: 'application' | 'delegated' | 'unknown';
  readonly appId: string | null;
  /** The app's name in the `--app-pool` file, for an app of a pool. */
  readonly appName?: string;
}

/**
 * 403, or a token without the roles: names every missing permission (exit 5,
 * docs/design.md "Permissions and preflight"). Remedy for app-only tokens: grant the application
 * permission and admin consent; for delegated tokens the signed-in admin also needs an Entra role
 * (authentication-list-methods.md "acting on other users").
 */
export function permissionMissing(missing: readonly PermissionRequirement[], principal: PrincipalDescription, graph: GraphErrorInfo | null = null): MigrateError {
  const names = missing.map((requirement) => requirement.permission);
  const list = missing.map((requirement) => `${requirement.permission} (${requirement.purpose})`).join(', ');
  const who = principal.appId === null ? 'The identity mfa-migrate signs in with' : principal.appName === undefined ? `App ${principal.appId}` : `App "${principal.appName}" (${principal.appId}) of the app pool`;
  const remedy =
    principal.kind === 'delegated'
      ? `Sign in as an admin holding the Authentication Administrator or Privileged Authentication Administrator role, and consent to the delegated Microsoft Graph permission${names.length > 1 ? 's' : ''} ${names.join(', ')}; then run the same command again.`
      : `In the Entra admin center open App registrations > ${principal.appId ?? 'your app'} > API permissions, add the Microsoft Graph application permission${names.length > 1 ? 's' : ''} ${names.join(', ')}, select "Grant admin consent", wait a few minutes, then run the same command again.`;
  return new MigrateError({
    code: 'GRAPH_PERMISSION_MISSING',
    message: traced(`${who} lacks Microsoft Graph permission${names.length > 1 ? 's' : ''} ${list}.`, graph?.requestId ?? null),
    remedy,
    ...(graph === null ? {} : { graphCode: graph.code }),
    ...(graph?.requestId == null ? {} : { requestId: graph.requestId }),
  });
}

/**
 * Preflight found apps whose tokens lack permissions: one app is `permissionMissing`; several (an
 * app pool) are named one by one, each with what it lacks, in one error (exit 5).
 */
export function appsLackPermissions(lacking: readonly { readonly principal: PrincipalDescription; readonly missing: readonly PermissionRequirement[] }[]): MigrateError {
  const [only] = lacking;
  if (only === undefined) throw new Error('appsLackPermissions needs at least one app');
  if (lacking.length === 1) return permissionMissing(only.missing, only.principal);
  const errors = lacking.map((entry) => permissionMissing(entry.missing, entry.principal));
  const apps = lacking.map((entry) => (entry.principal.appName === undefined ? (entry.principal.appId ?? 'the app') : `"${entry.principal.appName}"`));
  return new MigrateError({
    code: 'GRAPH_PERMISSION_MISSING',
    message: errors.map((error) => error.message).join(' '),
    remedy: `In the Entra admin center open App registrations > each of ${apps.join(', ')} > API permissions, add the Microsoft Graph application permissions named above, select "Grant admin consent", wait a few minutes, then run the same command again. Every app of an app pool needs the same permissions.`,
  });
}

/** What the gateway was doing, for messages: "reading the authentication methods policy". */
export interface FailureContext {
  readonly doing: string;
  /** The permission this call needs, named when Graph answers 403. */
  readonly permission?: PermissionRequirement;
  readonly principal?: PrincipalDescription;
}

/** Graph refused the token itself (401): wrong cloud, wrong tenant, expired or foreign token. */
export function tokenRejected(graph: GraphErrorInfo, doing: string): MigrateError {
  return new MigrateError({
    code: 'GRAPH_AUTH_FAILED',
    message: traced(`Microsoft Graph refused the access token while ${doing}: ${graph.code === '' ? '' : `${graph.code}: `}${graph.message}`, graph.requestId),
    remedy: 'Check that --cloud matches the tenant\'s cloud and that --tenant-id is the tenant you mean; then run the same command again. A token is refreshed automatically, so a repeated refusal is not an expiry.',
    graphCode: graph.code,
    ...(graph.requestId === null ? {} : { requestId: graph.requestId }),
  });
}

/** A final (non-retryable) Graph error answer turned into the error of its kind. */
export function graphFailure(graph: GraphErrorInfo, context: FailureContext): MigrateError {
  if (graph.status === 401) return tokenRejected(graph, context.doing);
  if (graph.status === 403) {
    const requirement = context.permission ?? { permission: 'the permission this call needs', satisfiedBy: [], purpose: context.doing };
    return permissionMissing([requirement], context.principal ?? { kind: 'unknown', appId: null }, graph);
  }
  if (graph.status === 429) return throttledTooLong(context.doing, graph);
  if (graph.status >= 500) return serviceError(context.doing, graph);
  return new MigrateError({
    code: 'GRAPH_REQUEST_FAILED',
    message: traced(`Microsoft Graph answered ${graph.status}${graph.code === '' ? '' : ` ${graph.code}`} while ${context.doing}: ${graph.message}`, graph.requestId),
    remedy: 'This answer was not expected; it may be a bug in mfa-migrate or a change in Graph. Run again with --log-level debug and report the output with the request-id (it holds no secrets).',
    graphCode: graph.code,
    ...(graph.requestId === null ? {} : { requestId: graph.requestId }),
  });
}

/**
 * Graph could not be reached after every retry. Exit 6 (interrupted, resumable): it is not a bug
 * (exit 1) nor a permission problem (exit 5); nothing is lost, and the same command resumes.
 */
export function unreachable(target: string, doing: string, cause: unknown, attempts: number): MigrateError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MigrateError({
    code: 'GRAPH_UNREACHABLE',
    message: `Could not reach ${target} while ${doing} (${attempts} attempt${attempts === 1 ? '' : 's'}; last: ${reason}).`,
    remedy: 'Check the network, proxy and firewall from this machine to the host named (and --graph-url or --cloud if you set them), then run the same command again; work already done is kept.',
    cause,
  });
}

/**
 * Node's codes for a certificate it does not trust: what a TLS-inspecting proxy or firewall
 * causes when its own root certificate is not in Node's store (Node reads the OS store only with
 * --use-system-ca or NODE_EXTRA_CA_CERTS).
 */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether a failed connection failed on the server's certificate. */
export function isCertificateFailure(error: { readonly errorCode: string | null }): boolean {
  return error.errorCode !== null && CERTIFICATE_CODES.has(error.errorCode);
}

/**
 * The certificate shown for Graph or the sign-in host is not trusted: not a network failure to
 * retry (it fails the same every time) but a trust to set up, exit 5 like other sign-in problems.
 */
export function certificateUntrusted(target: string, cause: Error & { readonly errorCode: string | null }): MigrateError {
  return new MigrateError({
    code: 'GRAPH_CERTIFICATE_UNTRUSTED',
    message: `The certificate ${target} presented is not trusted (${cause.errorCode ?? 'TLS'}: ${cause.message}). A proxy or firewall that inspects TLS shows its own certificate instead of Microsoft's.`,
    remedy: `Trust your organisation's root certificate: run with NODE_EXTRA_CA_CERTS=/path/to/corporate-root.pem (PowerShell: $env:NODE_EXTRA_CA_CERTS = 'C:\\certs\\corporate-root.pem'), a PEM file from your network team; or have the proxy leave graph.microsoft.com and login.microsoftonline.com uninspected. Then run the same command again.`,
    cause,
  });
}

/** Graph kept answering 5xx after every retry (exit 6 as for unreachable). */
export function serviceError(doing: string, graph: GraphErrorInfo): MigrateError {
  return new MigrateError({
    code: 'GRAPH_SERVICE_ERROR',
    message: traced(`Microsoft Graph kept failing with ${graph.status}${graph.code === '' ? '' : ` ${graph.code}`} while ${doing}: ${graph.message}`, graph.requestId),
    remedy: 'Graph or Entra is having trouble; check https://status.cloud.microsoft or the Microsoft 365 service health, then run the same command again; work already done is kept.',
    graphCode: graph.code,
    ...(graph.requestId === null ? {} : { requestId: graph.requestId }),
  });
}

/** Throttled for longer than the gateway waits in total (exit 6 as for unreachable). */
export function throttledTooLong(doing: string, graph: GraphErrorInfo | null): MigrateError {
  return new MigrateError({
    code: 'GRAPH_THROTTLED_TOO_LONG',
    message: traced(`Microsoft Graph kept throttling the requests made while ${doing}, beyond the time mfa-migrate waits.`, graph?.requestId ?? null),
    remedy: 'Another tool may be using the same app registration and tenant at the same time; stop it or wait a few minutes, then run the same command again; work already done is kept.',
    ...(graph === null || graph.code === '' ? {} : { graphCode: graph.code }),
    ...(graph?.requestId == null ? {} : { requestId: graph.requestId }),
  });
}

/** AADSTS codes an admin can act on (Entra reference-error-codes): cause and remedy. */
const IDENTITY_ERRORS: Readonly<Record<string, { readonly what: string; readonly remedy: string }>> = {
  '7000215': {
    what: 'the client secret is wrong',
    remedy: 'Set AZURE_CLIENT_SECRET to the secret\'s Value (not its Secret ID) from App registrations > your app > Certificates & secrets.',
  },
  '7000222': {
    what: 'the client secret has expired',
    remedy: 'Create a new client secret under App registrations > your app > Certificates & secrets, set AZURE_CLIENT_SECRET to its Value, and run the same command again.',
  },
  '90002': {
    what: 'the tenant was not found',
    remedy: 'Check --tenant-id (or AZURE_TENANT_ID): it is the Tenant ID or a verified domain shown on the Entra admin center Overview page; check --cloud too (a US Government or China tenant is not found in the global cloud).',
  },
  '700016': {
    what: 'the application was not found in the tenant',
    remedy: 'Check --client-id (or AZURE_CLIENT_ID) is the Application (client) ID of an app registered in, or consented to by, this tenant.',
  },
  '700027': {
    what: 'the certificate is not registered for the application',
    remedy: 'Upload the certificate\'s public key under App registrations > your app > Certificates & secrets, or point AZURE_CLIENT_CERTIFICATE_PATH at the certificate whose key is registered.',
  },
  '65001': {
    what: 'consent for the permissions has not been granted',
    remedy: 'An administrator grants admin consent under App registrations > your app > API permissions, then run the same command again.',
  },
  '50034': {
    what: 'the user account does not exist in the tenant',
    remedy: 'Sign in with an account of this tenant, or check --tenant-id.',
  },
  '50076': {
    what: 'the sign-in needs multifactor authentication',
    remedy: 'Use --auth device-code and complete MFA in the browser, or use an app registration (--auth secret or certificate).',
  },
};

/** The first `AADSTS12345` in a text, without the prefix. */
export function aadstsCode(textToSearch: string): string | null {
  return /AADSTS(\d{4,})/.exec(textToSearch)?.[1] ?? null;
}

/**
 * Token acquisition failed (@azure/identity threw). Known AADSTS codes get their own message and
 * remedy; other failures keep the library's first line, which never contains a token.
 */
export function authenticationFailed(cause: unknown, where: SignInWhere): MigrateError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = aadstsCode(detail);
  const known = code === null ? undefined : IDENTITY_ERRORS[code];
  const firstLine = detail.split('\n')[0]?.trim() ?? '';
  const tenant = where.tenant === null ? '' : ` for tenant ${where.tenant}`;
  const { app } = where;
  const who = app === undefined ? `with --auth ${where.mode}` : `as app "${app.name}" (${app.clientId}) of the app pool`;
  const remedy = known?.remedy ?? remedyForMode(where.mode);
  return new MigrateError({
    code: 'GRAPH_AUTH_FAILED',
    message:
      known === undefined
        ? `Signing in ${who}${tenant} at ${where.authorityHost} failed: ${firstLine.slice(0, 400)}`
        : `Signing in ${who}${tenant} failed: ${known.what} (AADSTS${code ?? ''}).`,
    remedy: app === undefined ? remedy : forPoolApp(remedy, app),
    ...(code === null ? {} : { graphCode: `AADSTS${code}` }),
    cause,
  });
}

/** Where a sign-in was made: `--auth`, the tenant, the authority; for an app of `--app-pool`, which one and where its credential comes from. */
export interface SignInWhere {
  readonly mode: string;
  readonly tenant: string | null;
  readonly authorityHost: string;
  readonly app?: { readonly name: string; readonly clientId: string; readonly credentialSource: string };
}

/** A remedy written for `--client-id` and the AZURE_* variables, pointed at the pool app's own entry and credential instead. */
function forPoolApp(remedy: string, app: NonNullable<SignInWhere['app']>): string {
  const entry = `app "${app.name}" in the --app-pool file`;
  return remedy
    .replace('--client-id (or AZURE_CLIENT_ID)', `the clientId of ${entry}`)
    .replace(/Set AZURE_CLIENT_SECRET to/g, `Set ${app.credentialSource} to`)
    .replace(/set AZURE_CLIENT_SECRET to/g, `set ${app.credentialSource} to`)
    .replace(/point AZURE_CLIENT_CERTIFICATE_PATH at/g, `point the certificatePath of ${entry} at`)
    .replace(/^Check --tenant-id, --client-id, --cloud and the secret or certificate in the environment/, `Check --tenant-id, --cloud, and the clientId and ${app.credentialSource} of ${entry}`);
}

function remedyForMode(mode: string): string {
  switch (mode) {
    case 'azure-cli':
      return 'Run "az login --tenant <tenant>" (with "az cloud set" for a national cloud) and run the same command again.';
    case 'managed-identity':
      return 'Run on an Azure resource with a managed identity assigned (give its client ID with --client-id for a user-assigned one), or choose another --auth.';
    case 'default':
      return 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), sign in with "az login", or choose --auth explicitly.';
    case 'device-code':
      return 'Complete the device-code sign-in within its time limit, with an account of the tenant, and run the same command again.';
    default:
      return 'Check --tenant-id, --client-id, --cloud and the secret or certificate in the environment, then run the same command again.';
  }
}
