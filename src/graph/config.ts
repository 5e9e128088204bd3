/**
 * Everything the gateway needs to know about where Graph is and who calls it, resolved once from
 * the tenant options (src/cli/tenant-options.ts) or built by a test for the emulator.
 */
import { usageError } from '../errors.js';
import type { MatchAttribute } from '../plan/entra-state.js';
import type { ExecutorSettings } from './batch-executor.js';
import { CLOUDS, graphScope, isLoopbackUrl, type Cloud, type CloudName } from './clouds.js';
import type { AuthSettings, CredentialSettings } from './credentials.js';
import type { GovernorLimits } from './governor.js';

/** `--match-attribute` values (R14): matching by UPN always comes first. */
export type MatchAttributeOption = Exclude<MatchAttribute, 'userPrincipalName'>;

export const MATCH_ATTRIBUTES: readonly MatchAttributeOption[] = ['onPremisesSamAccountName', 'mail', 'onPremisesSecurityIdentifier', 'employeeId'];

/** One app registration of `--app-pool`: its name in the file and how it signs in (a secret or a certificate, never in the file). */
export interface PoolAppConfig {
  readonly name: string;
  readonly auth: Extract<CredentialSettings, { readonly mode: 'secret' | 'certificate' }>;
  /** Where its credential comes from, for messages: `the environment variable MFA_APP2_SECRET`, `the certificate /etc/mfa/app2.pem`. */
  readonly credentialSource: string;
}

/** `--app-pool`: the apps of one tenant requests are spread over, and the tenant's write budget above them. */
export interface AppPoolConfig {
  readonly apps: readonly PoolAppConfig[];
  /** `--tenant-write-budget`: writes all the apps together may send per window. */
  readonly tenantWrites: { readonly writesPerWindow: number; readonly writeWindowMs: number };
}

export interface GraphConfig {
  readonly cloud: Cloud;
  /** Where requests go, no trailing slash: the cloud's Graph root or `--graph-url`. */
  readonly graphRoot: string;
  /** Where tokens come from: the cloud's authority, or the emulator itself. */
  readonly authorityHost: string;
  /** True for `--graph-url`: MSAL must not validate a local authority against Microsoft's list. */
  readonly disableInstanceDiscovery: boolean;
  /** The token scope: the cloud's Graph resource with `/.default`. */
  readonly scope: string;
  readonly auth: AuthSettings;
  /** `--app-pool`: several apps instead of `auth`'s one; null without it. */
  readonly appPool: AppPoolConfig | null;
  /** An extra CA (PEM) to trust, for an https emulator started in-process; the CLI relies on NODE_EXTRA_CA_CERTS instead. */
  readonly ca: string | null;
  /** `--match-attribute`, tried when the UPN finds nobody. */
  readonly matchAttribute: MatchAttributeOption | null;
  /** Limits of the governor; Graph's documented ones unless a test narrows them. */
  readonly limits: Partial<GovernorLimits>;
  readonly executor: Partial<ExecutorSettings>;
}

export interface GraphConfigInput {
  readonly cloud?: CloudName;
  /** `--graph-url`: an emulator's root (http(s)://host:port). */
  readonly graphUrl?: string | null;
  readonly auth: AuthSettings;
  readonly appPool?: AppPoolConfig | null;
  readonly ca?: string | null;
  readonly matchAttribute?: MatchAttributeOption | null;
  readonly limits?: Partial<GovernorLimits>;
  readonly executor?: Partial<ExecutorSettings>;
}

/** Checks a `--graph-url` and returns its origin; a usage error says what is wrong. */
export function parseGraphUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw usageError('OPTION_INVALID', `--graph-url "${value}" is not a URL`, 'Give the emulator\'s root URL, e.g. --graph-url http://127.0.0.1:8080 (the address `mfa-migrate emulator` prints).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError('OPTION_INVALID', `--graph-url "${value}" is not an http or https URL`, 'Give the emulator\'s root URL, e.g. --graph-url http://127.0.0.1:8080.');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw usageError('OPTION_INVALID', `--graph-url "${value}" has a path or query`, 'Give only the root, without /v1.0 or anything after the port, e.g. --graph-url http://127.0.0.1:8080.');
  }
  if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
    throw usageError('OPTION_INVALID', `--graph-url "${value}" is plain http to another machine; an access token would cross the network unencrypted`, 'Use https for a remote emulator, or run the emulator on this machine (127.0.0.1).');
  }
  return url;
}

export function resolveGraphConfig(input: GraphConfigInput): GraphConfig {
  const cloud = CLOUDS[input.cloud ?? 'global'];
  const graphUrl = input.graphUrl === undefined || input.graphUrl === null ? null : parseGraphUrl(input.graphUrl);
  if (input.auth.mode === 'emulator') {
    if (graphUrl === null) {
      throw usageError('AUTH_EMULATOR_NOT_LOOPBACK', '--auth emulator sends a development token and needs --graph-url pointing at the emulator', 'Add --graph-url http://127.0.0.1:PORT (the address `mfa-migrate emulator` prints), or choose another --auth for a real tenant.');
    }
    if (!isLoopbackUrl(graphUrl)) {
      throw usageError('AUTH_EMULATOR_NOT_LOOPBACK', `--auth emulator is refused for ${graphUrl.origin}: the development token is only sent to this machine`, 'Run the emulator on 127.0.0.1, or use a real credential (--auth secret, certificate, …) for another host.');
    }
  }
  const root = graphUrl?.origin ?? cloud.graphRoot;
  return {
    cloud,
    graphRoot: root,
    authorityHost: graphUrl?.origin ?? cloud.authorityHost,
    disableInstanceDiscovery: graphUrl !== null,
    scope: graphScope(cloud),
    auth: input.auth,
    appPool: input.appPool ?? null,
    ca: input.ca ?? null,
    matchAttribute: input.matchAttribute ?? null,
    limits: input.limits ?? {},
    executor: input.executor ?? {},
  };
}
