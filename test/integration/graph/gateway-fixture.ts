/**
 * A gateway pointed at an in-process emulator, as a test builds one: `--auth emulator` over http,
 * or a real ClientSecretCredential against the https token endpoint.
 */
import { memoryLog, type Log } from '../../../src/log.js';
import type { MatchKeys } from '../../../src/mapping/desired-state.js';
import { systemClock } from '../../../src/clock.js';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import type { ExecutorObserver, ExecutorSettings } from '../../../src/graph/batch-executor.js';
import { resolveGraphConfig, type AppPoolConfig, type MatchAttributeOption } from '../../../src/graph/config.js';
import type { AuthSettings, CredentialFactory } from '../../../src/graph/credentials.js';
import pLimit from 'p-limit';
import { createGraphGateway, type GraphGateway, type UserLookup, type UserReadResult } from '../../../src/graph/gateway.js';
import { USERS_IN_FLIGHT } from '../../../src/graph/limits.js';
import type { GovernorLimits } from '../../../src/graph/governor.js';

export interface FixtureOptions {
  readonly auth?: AuthSettings;
  readonly matchAttribute?: MatchAttributeOption;
  readonly limits?: Partial<GovernorLimits>;
  readonly executor?: Partial<ExecutorSettings>;
  readonly observer?: ExecutorObserver;
  readonly log?: Log;
  readonly credentials?: CredentialFactory;
  /** Instead of the emulator's URL (e.g. a closed port). */
  readonly graphUrl?: string;
  /** Several apps (`--app-pool`) instead of `auth`'s one. */
  readonly appPool?: AppPoolConfig;
}

export function emulatorGateway(emulator: Pick<RunningEmulator, 'url' | 'caCertPem'>, options: FixtureOptions = {}): GraphGateway {
  const config = resolveGraphConfig({
    graphUrl: options.graphUrl ?? emulator.url,
    auth: options.auth ?? options.appPool?.apps[0]?.auth ?? { mode: 'emulator' },
    appPool: options.appPool ?? null,
    ca: emulator.caCertPem,
    matchAttribute: options.matchAttribute ?? null,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.executor === undefined ? {} : { executor: options.executor }),
  });
  return createGraphGateway(config, {
    clock: systemClock,
    log: options.log ?? memoryLog(),
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

const NO_KEYS: MatchKeys = { samAccountName: null, email: null, sid: null, objectGuid: null };

export function lookup(upn: string | null, keys: Partial<MatchKeys> = {}, key: string = upn ?? keys.samAccountName ?? 'user'): UserLookup {
  return { key, upn, matchKeys: { ...NO_KEYS, ...keys } };
}

/** A credential that hands out a fixed token, e.g. one the emulator issued for another app of the seed. */
export function fixedTokenCredentials(token: string): CredentialFactory {
  return () => ({ getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });
}

/** Reads users as plan does: USERS_IN_FLIGHT at a time; a fatal error (sign-in, unreachable) rejects. */
export async function readAll(graph: GraphGateway, lookups: readonly UserLookup[]): Promise<UserReadResult[]> {
  const limit = pLimit(USERS_IN_FLIGHT);
  return Promise.all(lookups.map((entry) => limit(() => graph.readUser(entry))));
}
