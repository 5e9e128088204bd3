/**
 * The Graph gateway: the only code that speaks HTTP to Graph. One typed method per operation;
 * `$batch`, the governor, retries, token refresh and error parsing live below it once. Injected as
 * `graph` into the steps of src/migrate/; tests build it against the emulator.
 *
 * It owns the write protocol: typed writes go in per user (`write`), outcomes come out per write —
 * done (with the id Graph answered), failed (code, request-id, message), in doubt or not sent. How
 * a user's writes are chained (dependsOn), which Graph version a chain needs, what a 424 means and
 * when an answer is in doubt are decided here; the batch executor packs the chains into `$batch`
 * requests and tells the caller, just before each request leaves, which writes it carries.
 */
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';
import type { DefaultMethod, GraphPhoneNumber, PhoneType } from '../mapping/desired-state.js';
import type { EntraHardwareToken, EntraState, EntraUser, TenantPolicy } from '../plan/entra-state.js';
import { Secret } from '../secret.js';
import { BatchExecutor, DEFAULT_EXECUTOR_SETTINGS, type CallListener, type ExecutorObserver, type GraphCall, type GraphCallResult, type SentCall, type SettledCall } from './batch-executor.js';
import { AppPool, NO_TENANT_LIMITS, type AppLane, type SendingApp, type TenantLimits } from './app-pool.js';
import type { GraphConfig, PoolAppConfig } from './config.js';
import { CredentialTokenSource, developmentTokenSource, identityCredentials, type AuthSettings, type CredentialFactory } from './credentials.js';
import { readCollection, readCount, readEntraUserId } from './entra-json.js';
import { Governor, GRAPH_LIMITS, resourceUnitsForTenantSize, type GovernorLimits, type GovernorSnapshot, type WriteWindow } from './governor.js';
import { appsLackPermissions, permissionMissing, type PermissionRequirement, type PrincipalDescription } from './graph-errors.js';
import { createGraphHttpClient, type HttpTransport, type TokenSource } from './http-client.js';
import { MAX_BATCH_REQUESTS, MAX_BATCHES_IN_FLIGHT, MAX_SENDS_IN_DOUBT } from './limits.js';
import {
  missingPermissions,
  READ_GROUP_MEMBERS,
  READ_METHODS,
  READ_POLICY,
  READ_USERS,
  readTokenClaims,
  requiredPermissions,
  WRITE_METHODS,
  WRITE_TOKEN_INVENTORY,
  type GraphNeeds,
} from './permissions.js';
import { GraphReads, userSegment, type GroupRef, type UserLookup, type UserReadResult } from './reads.js';
import { totpCode, type TotpHashFunction } from './totp-code.js';

export type { GroupRef, UserLookup, UserReadResult } from './reads.js';
export type { SendingApp } from './app-pool.js';

export interface GraphGatewayDeps {
  readonly clock: Clock;
  readonly log: Log;
  /** Makes the @azure/identity credential; tests pass a fake. */
  readonly credentials?: CredentialFactory;
  /** Makes the HTTP transport; default node:http(s) (http-client.ts). */
  readonly transport?: (tokens: TokenSource) => HttpTransport;
  readonly random?: () => number;
  readonly observer?: ExecutorObserver;
}

export interface PreflightResult {
  /** The principal of the first app (of `--client-id`, or the pool's first), with the tenant its token names. */
  readonly principal: PrincipalDescription & { readonly tenantId: string | null };
  /** Permissions the token holds; null when the token is not a JWT (they were probed instead). */
  readonly permissions: readonly string[] | null;
  /** Users in the tenant (`GET /users/$count`), which sets the resource-unit budget; null when unknown. */
  readonly tenantUserCount: number | null;
  /** The apps requests go out as: the pool's, or the one app. */
  readonly apps: readonly SendingApp[];
}

function principalFor(auth: AuthSettings): PrincipalDescription {
  switch (auth.mode) {
    case 'secret':
    case 'certificate':
      return { kind: 'application', appId: auth.clientId };
    case 'managed-identity':
      return { kind: 'application', appId: auth.clientId };
    case 'device-code':
    case 'azure-cli':
      return { kind: 'delegated', appId: null };
    case 'default':
      return { kind: 'unknown', appId: auth.clientId };
    case 'emulator':
      return { kind: 'unknown', appId: null };
  }
}

export class GraphGateway {
  readonly #config: GraphConfig;
  readonly #deps: GraphGatewayDeps;
  readonly #apps: AppPool;
  readonly #executor: BatchExecutor;
  readonly #reads: GraphReads;

  constructor(config: GraphConfig, deps: GraphGatewayDeps) {
    this.#config = config;
    this.#deps = deps;
    const limits = { ...GRAPH_LIMITS, ...config.limits };
    const pool = config.appPool;
    const lanes =
      pool === null
        ? [this.#lane(config.auth, null, limits)]
        : pool.apps.map((app) =>
            // Activations are counted per tenant (every app shares them), so the pool keeps that budget.
            this.#lane(app.auth, app, { ...limits, activationsPerWindow: Number.POSITIVE_INFINITY }),
          );
    const tenantLimits: TenantLimits =
      pool === null
        ? NO_TENANT_LIMITS
        : { writes: pool.tenantWrites, activations: { activationsPerWindow: limits.activationsPerWindow, activationWindowMs: limits.activationWindowMs } };
    this.#apps = new AppPool(lanes, tenantLimits, deps.clock);
    this.#executor = new BatchExecutor({
      apps: this.#apps,
      clock: deps.clock,
      random: deps.random ?? Math.random,
      settings: { ...DEFAULT_EXECUTOR_SETTINGS, ...config.executor },
      target: config.graphRoot,
      observer: this.#watch(deps.observer),
    });
    this.#reads = new GraphReads(this.#executor, config, deps.log);
  }

  /** One app: its token source (cached, renewed), its transport and its governor. */
  #lane(auth: AuthSettings, poolApp: PoolAppConfig | null, limits: GovernorLimits): AppLane {
    const config = this.#config;
    const deps = this.#deps;
    const tokens: TokenSource =
      auth.mode === 'emulator'
        ? developmentTokenSource
        : new CredentialTokenSource({
            makeCredential: () =>
              (deps.credentials ?? identityCredentials)(auth, {
                authorityHost: config.authorityHost,
                disableInstanceDiscovery: config.disableInstanceDiscovery,
                ca: config.ca,
                log: deps.log,
              }),
            scope: config.scope,
            clock: deps.clock,
            mode: auth.mode,
            tenantId: 'tenantId' in auth ? auth.tenantId : null,
            authorityHost: config.authorityHost,
            ca: config.ca,
            ...(poolApp === null ? {} : { app: { name: poolApp.name, clientId: poolApp.auth.clientId, credentialSource: poolApp.credentialSource } }),
          });
    const principal = principalFor(auth);
    return {
      app: { name: poolApp?.name ?? null, clientId: principal.appId },
      tokens,
      transport: (deps.transport ?? ((source) => createGraphHttpClient({ graphRoot: config.graphRoot, tokens: source, ca: config.ca, maxSockets: MAX_BATCHES_IN_FLIGHT * 2 })))(tokens),
      governor: new Governor(limits, deps.clock),
      principal: poolApp === null ? principal : { ...principal, appName: poolApp.name },
    };
  }

  /** Logs throttling once per pause (debug), then tells the caller's observer. */
  #watch(observer: ExecutorObserver | undefined): ExecutorObserver {
    let pausedUntil = 0;
    return {
      sent: (event) => observer?.sent?.(event),
      answered: (event) => {
        if (event.retryAfterMs !== null && event.at + event.retryAfterMs > pausedUntil) {
          pausedUntil = event.at + event.retryAfterMs;
          const { concurrency } = this.#apps.snapshot();
          this.#deps.log.debug(`Graph asked to wait ${(event.retryAfterMs / 1000).toFixed(1)} s; ${concurrency} batch(es) in flight from now on.`);
        }
        observer?.answered?.(event);
      },
      waiting: (event) => observer?.waiting?.(event),
    };
  }

  /** The governors' state (all apps together), for progress lines and the benchmark. */
  governorSnapshot(): GovernorSnapshot {
    return this.#apps.snapshot();
  }

  /** The write budget the governors keep to and what their windows hold now: what time-left estimates start from. */
  writeWindow(): WriteWindow {
    return this.#apps.writeWindow();
  }

  /** The apps requests go out as (the pool's, or the one app), for the run's record and the report's header. */
  apps(): readonly SendingApp[] {
    return this.#apps.lanes.map((lane) => lane.app);
  }

  /**
   * Before any user is read: gets a token for every app (sign-in problems surface here, naming the
   * app of a pool), checks each token holds every permission the command needs
   * (GRAPH_PERMISSION_MISSING names each missing one, and which app lacks it), and reads the
   * tenant's user count to pace reads under its resource-unit budget. A token that is not a JWT
   * (the emulator's development token) carries no claims: one cheap GET per permission is tried
   * instead and a 403 names it. Writes cannot be probed without writing; they are checked only
   * from claims. An app of a pool whose token names no permission at all holds none.
   */
  async preflight(needs: GraphNeeds): Promise<PreflightResult> {
    const requirements = requiredPermissions(needs);
    const pooled = this.#config.appPool !== null;
    const signedIn = await Promise.all(this.#apps.lanes.map(async (lane) => ({ lane, claims: readTokenClaims(await lane.tokens.getToken()) })));
    const lacking: { readonly principal: PrincipalDescription; readonly missing: readonly PermissionRequirement[] }[] = [];
    for (const { lane, claims } of signedIn) {
      if (claims !== null) {
        lane.principal = { ...lane.principal, kind: claims.kind, appId: claims.appId ?? lane.principal.appId };
        lane.app = { ...lane.app, clientId: lane.principal.appId };
      }
      const held = claims?.permissions ?? (pooled ? new Set<string>() : null);
      const missing = held === null ? [] : missingPermissions(held, requirements);
      if (missing.length > 0) lacking.push({ principal: lane.principal, missing });
    }
    if (lacking.length > 0) throw appsLackPermissions(lacking);
    const [first] = signedIn;
    const claims = first?.claims ?? null;
    const principal = first?.lane.principal ?? { kind: 'unknown' as const, appId: null };
    const count = await this.#executor.single({
      method: 'GET',
      version: 'v1.0',
      path: '/users/$count',
      // user-list.md example 3: $count needs ConsistencyLevel: eventual.
      headers: { ConsistencyLevel: 'eventual' },
      doing: 'counting the tenant\'s users',
      permission: READ_USERS,
    });
    const missing: PermissionRequirement[] = count.status === 403 ? [READ_USERS] : [];
    if (count.error !== null && count.status !== 403) throw count.error;
    const tenantUserCount = count.status === 200 ? readCount(count.body) : null;
    if (claims === null && !pooled) {
      for (const refused of await this.#probePermissions(needs)) if (!missing.includes(refused)) missing.push(refused);
    }
    if (missing.length > 0) throw permissionMissing(missing, principal);
    if (tenantUserCount !== null && this.#config.limits.resourceUnitsPerWindow === undefined) {
      this.#apps.useResourceUnitBudget(resourceUnitsForTenantSize(tenantUserCount));
    }
    return {
      principal: { ...principal, tenantId: claims?.tenantId ?? null },
      permissions: claims === null ? null : [...claims.permissions],
      tenantUserCount,
      apps: this.apps(),
    };
  }

  /** One read per permission, for tokens without claims; returns the requirements Graph refused. */
  async #probePermissions(needs: GraphNeeds): Promise<PermissionRequirement[]> {
    const probes: GraphCall[] = [
      { method: 'GET', version: 'v1.0', path: '/users?$select=id&$top=1', doing: 'checking the permission to read users', permission: READ_USERS },
      { method: 'GET', version: 'v1.0', path: '/policies/authenticationMethodsPolicy', doing: 'checking the permission to read the policy', permission: READ_POLICY },
      ...(needs.group ? [{ method: 'GET' as const, version: 'v1.0' as const, path: '/groups?$select=id&$top=1', doing: 'checking the permission to read groups', permission: READ_GROUP_MEMBERS }] : []),
    ];
    const answers = await this.#executor.run(probes);
    const refused = probes.filter((probe, index) => answers[index]?.status === 403).map((probe) => probe.permission ?? READ_USERS);
    const fatal = answers.find((answer) => answer.error !== null && answer.status !== 403);
    if (fatal?.error) throw fatal.error;
    const someoneId = readEntraUserId(readCollection(answers[0]?.body).items[0]);
    if (someoneId !== null) {
      const [methods] = await this.#executor.run([
        { method: 'GET', version: 'v1.0', path: `/users/${userSegment(someoneId)}/authentication/methods`, doing: 'checking the permission to read authentication methods', permission: READ_METHODS },
      ]);
      if (methods?.status === 403) refused.push(READ_METHODS);
      else if (methods?.error) throw methods.error;
    }
    return refused;
  }

  /** The tenant id (`tid`) of the (first app's) token, without asking Graph anything; null when the token carries no claims (the emulator's development token). */
  async tokenTenantId(): Promise<string | null> {
    const [first] = this.#apps.lanes;
    return first === undefined ? null : (readTokenClaims(await first.tokens.getToken())?.tenantId ?? null);
  }

  /** R14: the user with this UPN, else by `--match-attribute`; null when nobody matches. Several matches throw GRAPH_USER_AMBIGUOUS. */
  resolveUser(lookup: UserLookup): Promise<EntraUser | null> {
    return this.#reads.resolveUser(lookup);
  }

  /** What Entra holds for a resolved user: methods (beta, so hardware OATH is included) and sign-in preferences. */
  readUserState(user: EntraUser): Promise<EntraState> {
    return this.#reads.readUserState(user);
  }

  /** One user resolved (R14) and read; only sign-in, permission and unreachable errors throw, others come back in `error`. */
  readUser(lookup: UserLookup): Promise<UserReadResult> {
    return this.#reads.readUser(lookup);
  }

  /** beta authenticationmethodspolicy-get.md → TenantPolicy (R9): beta, the version that defines hardware OATH's configuration. */
  readTenantPolicy(): Promise<TenantPolicy> {
    return this.#reads.readTenantPolicy();
  }

  /** `--group`: an object id, or a display name matched exactly. */
  resolveGroup(idOrName: string): Promise<GroupRef> {
    return this.#reads.resolveGroup(idOrName);
  }

  /** Ids of the users in a group, nested groups included. */
  readGroupMemberIds(idOrName: string): Promise<ReadonlySet<string>> {
    return this.#reads.readGroupMemberIds(idOrName);
  }

  /** Members of a group the authentication methods policy targets; null when the group no longer exists. */
  readPolicyGroupMemberIds(groupId: string): Promise<ReadonlySet<string> | null> {
    return this.#reads.readPolicyGroupMemberIds(groupId);
  }

  /** The tenant's hardware OATH token inventory, keyed by `serialKey(serial)`. */
  readHardwareTokenInventory(): Promise<ReadonlyMap<string, EntraHardwareToken>> {
    return this.#reads.readHardwareTokenInventory();
  }

  /**
   * Writes each user's writes in order, as one dependsOn chain per user (split where a write needs
   * an id an earlier one answers), packed with other users' chains into `$batch` requests under the
   * governor. Resolves when every write has an outcome; rejects only when a hook throws (nothing
   * more of this call is then sent) or the gateway is closed.
   */
  write<T>(users: readonly UserWrites<T>[], hooks: WriteHooks<T> = {}): Promise<WriteResult<T>[]> {
    return new WriteSession(this.#executor, this.#deps.clock, users, hooks).run();
  }

  /**
   * Ctrl-C: nothing that has not left leaves any more. Waiting writes come out `notSent` (or in
   * doubt, when a 5xx sent them back to the queue), waiting reads fail with INTERRUPTED, requests
   * on the wire are still answered and settled. Returns how many requests are on the wire.
   */
  stop(): number {
    return this.#executor.stop();
  }

  /** HTTP requests that have left and are not answered yet. */
  get requestsInFlight(): number {
    return this.#executor.requestsInFlight;
  }

  /** Stops timers and closes kept-alive connections. */
  close(): void {
    this.#executor.close();
    for (const lane of this.#apps.lanes) lane.transport.close();
  }
}

/** Builds the gateway; `deps` are the step's clock and log, plus fakes in tests. */
export function createGraphGateway(config: GraphConfig, deps: GraphGatewayDeps): GraphGateway {
  return new GraphGateway(config, deps);
}

// ─── Writes ─────────────────────────────────────────────────────────────────────────────────

/** Graph's fixed phone method ids (api-reference/v1.0/resources/phoneauthenticationmethod.md). */
export const PHONE_METHOD_IDS: Readonly<Record<PhoneType, string>> = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
};

/** Each write costs one write and one resource unit; activations also count against 200 per 5 min (throttling-limits.md). */
const WRITE_COST = { resourceUnits: 1, writes: 1, activations: 0 } as const;
const ACTIVATION_COST = { resourceUnits: 1, writes: 1, activations: 1 } as const;

export interface HardwareTokenDescription {
  readonly serialNumber: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly seed: Secret;
  readonly timeIntervalInSeconds: 30 | 60;
  readonly hashFunction: TotpHashFunction;
  readonly displayName: string | null;
}

/**
 * A Graph id a write puts in its URL or body: known already, or the id an earlier write of the
 * same user gets back (its `done` outcome's resourceId), e.g. assign takes the id create returns.
 * `dependsOn` cannot carry a response value (concepts/json-batching.md), so a write that takes an
 * id from an earlier one leaves in a later `$batch`, once that answer is in.
 */
export type ResourceRef = { readonly id: string } | { readonly fromWrite: number };

/** One write to one user's authentication methods, or to the token inventory on the user's behalf. */
export type WriteOperation =
  | { readonly kind: 'addPhone'; readonly phoneType: PhoneType; readonly phoneNumber: GraphPhoneNumber }
  | { readonly kind: 'updatePhone'; readonly phoneType: PhoneType; readonly phoneNumber: GraphPhoneNumber }
  | { readonly kind: 'deletePhone'; readonly phoneType: PhoneType }
  | { readonly kind: 'setPreferredMethod'; readonly method: DefaultMethod }
  | { readonly kind: 'createHardwareToken'; readonly token: HardwareTokenDescription }
  | { readonly kind: 'assignHardwareToken'; readonly serialNumber: string; readonly device: ResourceRef }
  | { readonly kind: 'activateHardwareToken'; readonly token: HardwareTokenDescription; readonly method: ResourceRef }
  | { readonly kind: 'unassignHardwareToken'; readonly serialNumber: string; readonly method: ResourceRef }
  | { readonly kind: 'deactivateHardwareToken'; readonly serialNumber: string; readonly method: ResourceRef }
  | { readonly kind: 'deleteHardwareToken'; readonly serialNumber: string; readonly device: ResourceRef }
  | { readonly kind: 'createTemporaryAccessPass'; readonly lifetimeInMinutes: number | null };

export interface UserWrite<T> {
  /** The caller's handle on this write (apply: the journal operation), given back with its outcome. */
  readonly tag: T;
  readonly operation: WriteOperation;
  /** How often earlier calls sent this write (the journal's count): a refusal after a resend is in doubt only below MAX_SENDS_IN_DOUBT. */
  readonly previousSends?: number;
}

/** One user's writes, in the order Graph must carry them out: each runs only if every earlier one succeeded. */
export interface UserWrites<T> {
  /** The user's Entra object id. */
  readonly userId: string;
  readonly writes: readonly UserWrite<T>[];
}

/** What createTemporaryAccessPass answers once, and never again (authentication-post-temporaryaccesspassmethods.md). */
export interface IssuedTemporaryAccessPass {
  readonly pass: Secret;
  readonly startDateTime: string | null;
  readonly lifetimeInMinutes: number | null;
  readonly isUsableOnce: boolean | null;
}

/**
 * What became of one write:
 * - `done`: Graph carried it out; `resourceId` is the id it answered (a created method or device), null when it answered none.
 * - `failed`: Graph refused it for good, with its code (`failedDependency` for a 424: an earlier write failed), message and request-id.
 *   Both name the app whose request was answered (`app`; null for a write that never left).
 * - `inDoubt`: Graph may have carried it out though no answer says so — none came, or a refusal came after a resend (a create that went
 *   through the first time is then "already exists"), or a 424 behind such a write. Read the user back before sending it again.
 * - `notSent`: it did not leave, or Graph did not run it: `stopped` (a stop came first, or it was throttled and not sent again after the
 *   stop), `earlierInDoubt` / `earlierFailed` (it waited for an id from an earlier write, `after`, that did not end done).
 */
export type WriteOutcome =
  | { readonly status: 'done'; readonly resourceId: string | null; readonly requestId: string | null; readonly issuedPass: IssuedTemporaryAccessPass | null; readonly app: SendingApp | null }
  | { readonly status: 'failed'; readonly code: string | null; readonly message: string; readonly requestId: string | null; readonly app: SendingApp | null }
  | { readonly status: 'inDoubt'; readonly reason: string }
  | { readonly status: 'notSent'; readonly because: 'stopped' | 'earlierInDoubt' | 'earlierFailed'; readonly after: number | null };

export interface WriteResult<T> {
  readonly tag: T;
  /** The write's index in its user's writes. */
  readonly index: number;
  readonly outcome: WriteOutcome;
}

export interface WriteHooks<T> {
  /**
   * Just before a `$batch` leaves, with the writes it carries for the first time in this call and
   * the app it goes out as: the journal marks them `sent` here, in one transaction. A throw keeps
   * the request from leaving and fails the call.
   */
  readonly beforeSend?: (tags: readonly T[], app: SendingApp) => void;
  /** Once per answer, with the outcomes it settled (and those it decided for writes that waited on them): one transaction. */
  readonly answered?: (results: readonly WriteResult<T>[]) => void;
}

/** Graph's answer to a write whose dependsOn failed (concepts/json-batching.md). */
const FAILED_DEPENDENCY = 424;

/** signInPreferences and every hardware OATH endpoint are beta only; a `$batch` has one version, so a chain holding one goes to beta. */
const BETA_ONLY: ReadonlySet<WriteOperation['kind']> = new Set([
  'setPreferredMethod', 'createHardwareToken', 'assignHardwareToken', 'activateHardwareToken', 'unassignHardwareToken', 'deactivateHardwareToken', 'deleteHardwareToken',
]);

function authenticationPath(userId: string, rest: string): string {
  return `/users/${encodeURIComponent(userId)}/authentication/${rest}`;
}

function refsOf(operation: WriteOperation): readonly ResourceRef[] {
  switch (operation.kind) {
    case 'assignHardwareToken':
    case 'deleteHardwareToken':
      return [operation.device];
    case 'activateHardwareToken':
    case 'unassignHardwareToken':
    case 'deactivateHardwareToken':
      return [operation.method];
    default:
      return [];
  }
}

/**
 * The Graph call of one write (api-reference pages cited per kind). `idOf` gives the id of a
 * ResourceRef, known by the time the call is built. Seeds are revealed only while a body is built.
 */
function writeCall(userId: string, operation: WriteOperation, idOf: (ref: ResourceRef) => string, clock: Clock): Omit<GraphCall, 'version' | 'key' | 'dependsOn'> {
  const phoneBody = (phoneType: PhoneType, phoneNumber: GraphPhoneNumber): unknown => ({ phoneNumber, phoneType });
  switch (operation.kind) {
    case 'addPhone':
      // v1.0 authentication-post-phonemethods.md: 201 with the method (its id fixed per type).
      return { method: 'POST', path: authenticationPath(userId, 'phoneMethods'), body: phoneBody(operation.phoneType, operation.phoneNumber), cost: WRITE_COST, doing: `adding the ${operation.phoneType} phone`, permission: WRITE_METHODS };
    case 'updatePhone':
      // v1.0 phoneauthenticationmethod-update.md: PATCH by the type's fixed id, 204.
      return { method: 'PATCH', path: authenticationPath(userId, `phoneMethods/${PHONE_METHOD_IDS[operation.phoneType]}`), body: phoneBody(operation.phoneType, operation.phoneNumber), cost: WRITE_COST, doing: `updating the ${operation.phoneType} phone`, permission: WRITE_METHODS };
    case 'deletePhone':
      // v1.0 phoneauthenticationmethod-delete.md: 204.
      return { method: 'DELETE', path: authenticationPath(userId, `phoneMethods/${PHONE_METHOD_IDS[operation.phoneType]}`), cost: WRITE_COST, doing: `deleting the ${operation.phoneType} phone`, permission: WRITE_METHODS };
    case 'setPreferredMethod':
      // beta authentication-patch-signinpreferences.md: the method must be registered already, hence after the user's method writes.
      return { method: 'PATCH', path: authenticationPath(userId, 'signInPreferences'), body: { userPreferredMethodForSecondaryAuthentication: operation.method }, cost: WRITE_COST, doing: `setting the preferred method to ${operation.method}`, permission: WRITE_METHODS };
    case 'createHardwareToken': {
      // beta authenticationmethoddevice-post-hardwareoathdevices.md: 201 with the device (secretKey answered as null).
      const { token } = operation;
      return {
        method: 'POST',
        path: '/directory/authenticationMethodDevices/hardwareOathDevices',
        bodyAtSend: () => ({
          serialNumber: token.serialNumber,
          manufacturer: token.manufacturer,
          model: token.model,
          secretKey: token.seed.reveal(),
          timeIntervalInSeconds: token.timeIntervalInSeconds,
          hashFunction: token.hashFunction,
          ...(token.displayName === null ? {} : { displayName: token.displayName }),
        }),
        cost: WRITE_COST,
        doing: `creating hardware token ${token.serialNumber} in the inventory`,
        permission: WRITE_TOKEN_INVENTORY,
      };
    }
    case 'assignHardwareToken':
      // beta authentication-post-hardwareoathmethods.md: assigns an inventory token by its device id, 201 with the user's method.
      return { method: 'POST', path: authenticationPath(userId, 'hardwareOathMethods'), body: { device: { id: idOf(operation.device) } }, cost: WRITE_COST, doing: `assigning hardware token ${operation.serialNumber}`, permission: WRITE_METHODS };
    case 'activateHardwareToken': {
      // beta hardwareoathauthenticationmethod-activate.md: `verificationCode` is the code the token shows now, computed just before the request leaves; 204.
      const { token } = operation;
      return {
        method: 'POST',
        path: authenticationPath(userId, `hardwareOathMethods/${encodeURIComponent(idOf(operation.method))}/activate`),
        bodyAtSend: () => ({ verificationCode: totpCode(token.seed, clock.now(), token.timeIntervalInSeconds, token.hashFunction) }),
        cost: ACTIVATION_COST,
        doing: `activating hardware token ${token.serialNumber}`,
        permission: WRITE_METHODS,
      };
    }
    case 'unassignHardwareToken':
      // beta authentication-delete-hardwareoathmethods.md: 204.
      return { method: 'DELETE', path: authenticationPath(userId, `hardwareOathMethods/${encodeURIComponent(idOf(operation.method))}`), cost: WRITE_COST, doing: `unassigning hardware token ${operation.serialNumber}`, permission: WRITE_METHODS };
    case 'deactivateHardwareToken':
      // beta hardwareoathauthenticationmethod-deactivate.md: no body, 204; the token stays assigned (rollback of an activation).
      return { method: 'POST', path: authenticationPath(userId, `hardwareOathMethods/${encodeURIComponent(idOf(operation.method))}/deactivate`), cost: WRITE_COST, doing: `deactivating hardware token ${operation.serialNumber}`, permission: WRITE_METHODS };
    case 'deleteHardwareToken':
      // beta hardwareoathtokenauthenticationmethoddevice-delete.md: removes an unassigned token from the inventory, 204.
      return { method: 'DELETE', path: `/directory/authenticationMethodDevices/hardwareOathDevices/${encodeURIComponent(idOf(operation.device))}`, cost: WRITE_COST, doing: `deleting hardware token ${operation.serialNumber} from the inventory`, permission: WRITE_TOKEN_INVENTORY };
    case 'createTemporaryAccessPass':
      // v1.0 authentication-post-temporaryaccesspassmethods.md: 201 with the pass; lifetime defaults to the tenant's policy.
      return { method: 'POST', path: authenticationPath(userId, 'temporaryAccessPassMethods'), body: operation.lifetimeInMinutes === null ? {} : { lifetimeInMinutes: operation.lifetimeInMinutes }, cost: WRITE_COST, doing: 'creating a Temporary Access Pass', permission: WRITE_METHODS };
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && name in body ? (body as Record<string, unknown>)[name] : undefined;
}

function issuedPassOf(operation: WriteOperation, body: unknown): IssuedTemporaryAccessPass | null {
  const pass = field(body, 'temporaryAccessPass');
  if (operation.kind !== 'createTemporaryAccessPass' || typeof pass !== 'string') return null;
  const startDateTime = field(body, 'startDateTime');
  const lifetime = field(body, 'lifetimeInMinutes');
  const usableOnce = field(body, 'isUsableOnce');
  return {
    pass: new Secret(pass),
    startDateTime: typeof startDateTime === 'string' ? startDateTime : null,
    lifetimeInMinutes: typeof lifetime === 'number' ? lifetime : null,
    isUsableOnce: typeof usableOnce === 'boolean' ? usableOnce : null,
  };
}

interface UserProgress<T> {
  readonly user: UserWrites<T>;
  readonly outcomes: (WriteOutcome | undefined)[];
  /** Index of the first write not handed to the executor yet. */
  next: number;
  /** Writes of the segment in flight still without an outcome. */
  waiting: number;
  /** A write of this user is in doubt: the 424s behind it are too. */
  doubt: boolean;
}

/**
 * One `write` call: hands each user's writes to the executor as a dependsOn chain — split where a
 * write needs an id an earlier one answers, or at 20 — turns each answer into outcomes and tells
 * the hooks once per request and per answer.
 */
class WriteSession<T> {
  readonly #executor: BatchExecutor;
  readonly #clock: Clock;
  readonly #hooks: WriteHooks<T>;
  readonly #users: UserProgress<T>[];
  readonly #callOwner = new Map<GraphCall, { readonly user: UserProgress<T>; readonly index: number }>();
  readonly #sentBefore = new Set<GraphCall>();
  #left: number;
  #failure: { error: unknown } | null = null;
  #settle: { resolve: (results: WriteResult<T>[]) => void; reject: (error: unknown) => void } | null = null;
  readonly #listener: CallListener = {
    beforeSend: (sent, app) => { this.#beforeSend(sent, app); },
    settled: (settled) => { this.#settled(settled); },
  };

  constructor(executor: BatchExecutor, clock: Clock, users: readonly UserWrites<T>[], hooks: WriteHooks<T>) {
    this.#executor = executor;
    this.#clock = clock;
    this.#hooks = hooks;
    this.#users = users.map((user) => ({ user, outcomes: user.writes.map(() => undefined), next: 0, waiting: 0, doubt: false }));
    this.#left = users.reduce((sum, user) => sum + user.writes.length, 0);
  }

  run(): Promise<WriteResult<T>[]> {
    const done = new Promise<WriteResult<T>[]>((resolve, reject) => { this.#settle = { resolve, reject }; });
    try {
      const decided: WriteResult<T>[] = [];
      for (const user of this.#users) if (user.user.writes.length > 0) this.#submitSegment(user, decided);
      if (decided.length > 0) this.#hooks.answered?.(decided);
      this.#finishIfDone();
    } catch (error) {
      this.#fail(error);
    }
    return done;
  }

  /** Hands the user's next writes to the executor, up to one that needs an id not answered yet (or 20). */
  #submitSegment(user: UserProgress<T>, decided: WriteResult<T>[]): void {
    const start = user.next;
    const { writes, userId } = user.user;
    const ids = new Map<number, string>();
    const calls: GraphCall[] = [];
    let index = start;
    for (; index < writes.length && calls.length < MAX_BATCH_REQUESTS; index += 1) {
      const write = writes[index];
      if (write === undefined) break;
      const refs = refsOf(write.operation);
      if (refs.some((ref) => 'fromWrite' in ref && ref.fromWrite >= start)) break;
      const missing = refs.find((ref) => 'fromWrite' in ref && !this.#idKnown(user, ref.fromWrite, ids));
      if (missing !== undefined && 'fromWrite' in missing) {
        // The earlier write was done but Graph's answer carried no id: this one cannot be addressed.
        if (calls.length > 0) break;
        this.#decide(user, index, { status: 'failed', code: null, message: `not sent: Graph's answer to the earlier write ${String(missing.fromWrite + 1)} of this user carried no id to address it by`, requestId: null, app: null }, decided);
        user.next = index + 1;
        this.#decideRest(user, decided);
        return;
      }
      calls.push({ ...writeCall(userId, write.operation, (ref) => ('id' in ref ? ref.id : (ids.get(ref.fromWrite) ?? '')), this.#clock), version: 'v1.0', key: `w${String(index)}` });
    }
    if (calls.length === 0) throw new Error(`write ${String(start)} of user ${userId} refers to itself or a later write`);
    const version = writes.slice(start, index).some((write) => BETA_ONLY.has(write.operation.kind)) ? 'beta' : 'v1.0';
    const chained = calls.map((call, offset): GraphCall => {
      const previous = calls[offset - 1];
      // A write whose answer is lost is read back by the caller, not sent blind.
      return { ...call, version, ...(previous?.key === undefined ? {} : { dependsOn: [previous.key] }), whenUnanswered: 'report', listener: this.#listener };
    });
    chained.forEach((call, offset) => this.#callOwner.set(call, { user, index: start + offset }));
    user.next = index;
    user.waiting = chained.length;
    for (const promise of this.#executor.submit(chained)) promise.catch((error: unknown) => { this.#fail(error); });
  }

  #idKnown(user: UserProgress<T>, fromWrite: number, ids: Map<number, string>): boolean {
    const outcome = user.outcomes[fromWrite];
    if (outcome?.status !== 'done' || outcome.resourceId === null) return false;
    ids.set(fromWrite, outcome.resourceId);
    return true;
  }

  #beforeSend(sent: readonly SentCall[], app: SendingApp): void {
    if (this.#failure !== null) throw new Error('this write call failed already');
    const first = sent.filter((entry) => !this.#sentBefore.has(entry.call));
    for (const entry of first) this.#sentBefore.add(entry.call);
    const tags = first.flatMap((entry) => {
      const owner = this.#callOwner.get(entry.call);
      const write = owner === undefined ? undefined : owner.user.user.writes[owner.index];
      return write === undefined ? [] : [write.tag];
    });
    if (tags.length > 0) this.#hooks.beforeSend?.(tags, app);
  }

  #settled(settled: readonly SettledCall[]): void {
    if (this.#failure !== null) return;
    try {
      const decided: WriteResult<T>[] = [];
      const owned = settled
        .flatMap((entry) => {
          const owner = this.#callOwner.get(entry.call);
          return owner === undefined ? [] : [{ ...owner, result: entry.result }];
        })
        // A user's writes in chain order, so a doubt reaches the 424s behind it.
        .sort((a, b) => a.index - b.index);
      const finished = new Set<UserProgress<T>>();
      for (const { user, index, result } of owned) {
        this.#decide(user, index, this.#outcomeOf(user, index, result), decided);
        user.waiting -= 1;
        if (user.waiting === 0) finished.add(user);
      }
      const next: UserProgress<T>[] = [];
      for (const user of finished) {
        const segment = user.outcomes.slice(0, user.next);
        if (segment.every((outcome) => outcome?.status === 'done') && user.next < user.user.writes.length) next.push(user);
        else this.#decideRest(user, decided);
      }
      if (decided.length > 0) this.#hooks.answered?.(decided);
      // After the hook: a stopped executor settles new calls at once, re-entering here.
      for (const user of next) {
        const more: WriteResult<T>[] = [];
        this.#submitSegment(user, more);
        if (more.length > 0) this.#hooks.answered?.(more);
      }
      this.#finishIfDone();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The writes after a segment that did not end all done: they wait for what held it. */
  #decideRest(user: UserProgress<T>, decided: WriteResult<T>[]): void {
    const held = user.outcomes.findIndex((outcome) => outcome !== undefined && outcome.status !== 'done');
    const holding = user.outcomes[held];
    for (let index = user.next; index < user.user.writes.length; index += 1) {
      const because = holding?.status === 'failed' ? 'earlierFailed' : holding?.status === 'inDoubt' ? 'earlierInDoubt' : 'stopped';
      this.#decide(user, index, { status: 'notSent', because, after: held < 0 ? null : held }, decided);
    }
    user.next = user.user.writes.length;
  }

  #decide(user: UserProgress<T>, index: number, outcome: WriteOutcome, decided: WriteResult<T>[]): void {
    const write = user.user.writes[index];
    if (write === undefined || user.outcomes[index] !== undefined) return;
    user.outcomes[index] = outcome;
    this.#left -= 1;
    decided.push({ tag: write.tag, index, outcome });
  }

  /** One executor result as a write outcome; `user.doubt` carries a doubt to the 424s behind it. */
  #outcomeOf(user: UserProgress<T>, index: number, result: GraphCallResult): WriteOutcome {
    const write = user.user.writes[index];
    const doubt = (reason: string): WriteOutcome => {
      user.doubt = true;
      return { status: 'inDoubt', reason };
    };
    if (result.stopped) {
      // Never left, or Graph refused it without running it (429, 401): not carried out.
      if (result.status === 0 || result.status === 429 || result.status === 401) return { status: 'notSent', because: 'stopped', after: null };
      if (result.status === FAILED_DEPENDENCY) return user.doubt ? { status: 'inDoubt', reason: 'an earlier write of this user is in doubt' } : { status: 'notSent', because: 'stopped', after: null };
      return doubt(`Graph answered ${String(result.status)} and the stop came before it was sent again`);
    }
    if (!result.answered) return doubt(result.error?.message ?? 'no answer');
    if (result.status === FAILED_DEPENDENCY) {
      if (user.doubt) return { status: 'inDoubt', reason: 'an earlier write of this user is in doubt' };
      return { status: 'failed', code: 'failedDependency', message: 'not applied: an earlier write for this user failed', requestId: result.requestId, app: result.app };
    }
    // A refusal after a resend (a 5xx first) may be Graph refusing what the first send did.
    const refusedAfterResend = result.status >= 400 && result.status < 500 && result.attempts > 1;
    if (refusedAfterResend && (write?.previousSends ?? 0) + 1 < MAX_SENDS_IN_DOUBT) return doubt(`refused (${String(result.status)}) after it had to be sent again`);
    if (result.status >= 400 || result.error !== null) {
      return { status: 'failed', code: result.error?.graphCode ?? result.error?.code ?? null, message: result.error?.message ?? `Graph answered ${String(result.status)}`, requestId: result.requestId, app: result.app };
    }
    const id = field(result.body, 'id');
    return { status: 'done', resourceId: typeof id === 'string' ? id : null, requestId: result.requestId, issuedPass: write === undefined ? null : issuedPassOf(write.operation, result.body), app: result.app };
  }

  #fail(error: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = { error };
    this.#settle?.reject(error);
  }

  #finishIfDone(): void {
    if (this.#left > 0 || this.#failure !== null) return;
    const results = this.#users.flatMap((user) => user.outcomes.map((outcome, index): WriteResult<T> => {
      const write = user.user.writes[index];
      if (outcome === undefined || write === undefined) throw new Error('a write ended without an outcome');
      return { tag: write.tag, index, outcome };
    }));
    this.#settle?.resolve(results);
  }
}
