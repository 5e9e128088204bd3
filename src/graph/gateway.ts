/**
 * The Graph gateway (DESIGN §2, §6): the only code that speaks HTTP to Graph. One typed method per
 * operation; `$batch`, the governor, retries, token refresh and error parsing live below it once.
 * Injected as `graph` into the steps of src/migrate/; tests build it against the emulator.
 */
import { ExitCode, MigrateError } from '../errors.js';
import type { Log } from '../log.js';
import type { MatchKeys } from '../mapping/desired-state.js';
import type { Clock } from '../clock.js';
import type { EntraHardwareToken, EntraState, EntraUser, TenantPolicy } from '../plan/entra-state.js';
import { BatchExecutor, DEFAULT_EXECUTOR_SETTINGS, type ExecutorObserver, type GraphCall, type GraphCallResult } from './batch-executor.js';
import type { GraphConfig, MatchAttributeOption } from './config.js';
import { CredentialTokenSource, developmentTokenSource, identityCredentials, type CredentialFactory } from './credentials.js';
import { readCollection, readEntraUser, readHardwareToken, readMethods, readSignInPreferences, readTenantPolicy, serialKey } from './entra-json.js';
import { Governor, GRAPH_LIMITS, resourceUnitsForTenantSize, type GovernorSnapshot } from './governor.js';
import { permissionMissing, type PermissionRequirement, type PrincipalDescription } from './graph-errors.js';
import { createGraphHttpClient, type GraphVersion, type HttpTransport, type TokenSource } from './http-client.js';
import { MAX_BATCHES_IN_FLIGHT, USERS_IN_FLIGHT } from './limits.js';
import {
  missingPermissions,
  READ_GROUP_MEMBERS,
  READ_METHODS,
  READ_POLICY,
  READ_USERS,
  readTokenClaims,
  requiredPermissions,
  type GraphNeeds,
} from './permissions.js';

export interface GraphGatewayDeps {
  readonly clock: Clock;
  readonly log: Log;
  /** Makes the @azure/identity credential; tests pass a fake. */
  readonly credentials?: CredentialFactory;
  /** Makes the HTTP transport; default the Graph client library with our middleware. */
  readonly transport?: (tokens: TokenSource) => HttpTransport;
  readonly random?: () => number;
  readonly observer?: ExecutorObserver;
}

/** One source user to find in Entra (R14). */
export interface UserLookup {
  /** The caller's key, returned with the result (e.g. the R15 username key). */
  readonly key: string;
  /** The resolved UPN; null when the username could not be resolved to one. */
  readonly upn: string | null;
  readonly matchKeys: MatchKeys;
}

export interface UserReadResult {
  readonly key: string;
  /** Null when nobody matched (USER_NOT_FOUND) or the read failed. */
  readonly user: EntraUser | null;
  /** The user's current methods; null when there is no user or the read failed. */
  readonly state: EntraState | null;
  /** Why this user could not be read (several matches, Graph errors after retries); null otherwise. */
  readonly error: MigrateError | null;
}

export interface ReadUsersOptions {
  /** The tenant's hardware token inventory, to name the serial of a hardware OATH method Graph did not expand. */
  readonly inventory?: ReadonlyMap<string, EntraHardwareToken>;
}

export interface GroupRef {
  readonly id: string;
  readonly displayName: string | null;
}

export interface PreflightResult {
  readonly principal: PrincipalDescription & { readonly tenantId: string | null };
  /** Permissions the token holds; null when the token is not a JWT (they were probed instead). */
  readonly permissions: readonly string[] | null;
  /** Users in the tenant (`GET /users/$count`), which sets the resource-unit budget; null when unknown. */
  readonly tenantUserCount: number | null;
}

const USER_SELECT = '$select=id,userPrincipalName,displayName,accountEnabled';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * includes/filter-directory-objects.md (microsoft-graph-docs-contrib): `eq` on these user
 * properties works by default except onPremisesSamAccountName, which needs the advanced query
 * parameters (ConsistencyLevel: eventual and $count=true). Advanced queries read an index that may
 * lag recent changes, so they are used only where Graph requires them.
 */
const ADVANCED_QUERY_REQUIRED: Readonly<Record<MatchAttributeOption, boolean>> = {
  onPremisesSamAccountName: true,
  mail: false,
  onPremisesSecurityIdentifier: false,
  employeeId: false,
};

/** Which source key feeds each `--match-attribute`; employeeId has none in the exports yet. */
function matchValue(attribute: MatchAttributeOption, keys: MatchKeys): string | null {
  switch (attribute) {
    case 'onPremisesSamAccountName':
      return keys.samAccountName;
    case 'mail':
      return keys.email;
    case 'onPremisesSecurityIdentifier':
      return keys.sid;
    case 'employeeId':
      return null;
  }
}

/** A path segment for a user id or UPN; `@` stays readable, as in Graph's own examples. */
function userSegment(idOrUpn: string): string {
  return encodeURIComponent(idOrUpn).replace(/%40/g, '@');
}

/** An OData string literal: single quotes doubled (OData ABNF), then URL-encoded. */
function odataString(value: string): string {
  return encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
}

function principalFor(config: GraphConfig): PrincipalDescription {
  const auth = config.auth;
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

function isFatal(error: MigrateError): boolean {
  return error.exitCode === ExitCode.auth || error.code === 'GRAPH_UNREACHABLE';
}

export class GraphGateway {
  readonly #config: GraphConfig;
  readonly #deps: GraphGatewayDeps;
  readonly #tokens: TokenSource;
  readonly #transport: HttpTransport;
  readonly #governor: Governor;
  readonly #executor: BatchExecutor;
  #principal: PrincipalDescription;
  #signInPreferencesWarned = false;

  constructor(config: GraphConfig, deps: GraphGatewayDeps) {
    this.#config = config;
    this.#deps = deps;
    const auth = config.auth;
    this.#tokens =
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
          });
    this.#principal = principalFor(config);
    this.#transport = (deps.transport ?? ((tokens) => createGraphHttpClient({ graphRoot: config.graphRoot, tokens, ca: config.ca, maxSockets: MAX_BATCHES_IN_FLIGHT * 2 })))(this.#tokens);
    this.#governor = new Governor({ ...GRAPH_LIMITS, ...config.limits }, deps.clock);
    this.#executor = new BatchExecutor({
      transport: this.#transport,
      tokens: this.#tokens,
      governor: this.#governor,
      clock: deps.clock,
      random: deps.random ?? Math.random,
      settings: { ...DEFAULT_EXECUTOR_SETTINGS, ...config.executor },
      target: config.graphRoot,
      principal: () => this.#principal,
      observer: this.#watch(deps.observer),
    });
  }

  /** Logs throttling once per pause (debug), then tells the caller's observer. */
  #watch(observer: ExecutorObserver | undefined): ExecutorObserver {
    let pausedUntil = 0;
    return {
      sent: (event) => observer?.sent?.(event),
      answered: (event) => {
        if (event.retryAfterMs !== null && event.at + event.retryAfterMs > pausedUntil) {
          pausedUntil = event.at + event.retryAfterMs;
          const { concurrency } = this.#governor.snapshot();
          this.#deps.log.debug(`Graph asked to wait ${(event.retryAfterMs / 1000).toFixed(1)} s; ${concurrency} batch(es) in flight from now on.`);
        }
        observer?.answered?.(event);
      },
    };
  }

  /** The governor's state, for progress lines and the benchmark. */
  governorSnapshot(): GovernorSnapshot {
    return this.#governor.snapshot();
  }

  /**
   * Before any user is read: gets a token (sign-in problems surface here), checks the token holds
   * every permission the command needs (GRAPH_PERMISSION_MISSING names each missing one), and
   * reads the tenant's user count to pace reads under its resource-unit budget. A token that is
   * not a JWT (the emulator's development token) carries no claims: one cheap GET per permission
   * is tried instead and a 403 names it. Writes cannot be probed without writing; they are checked
   * only from claims.
   */
  async preflight(needs: GraphNeeds): Promise<PreflightResult> {
    const token = await this.#tokens.getToken();
    const claims = readTokenClaims(token);
    const requirements = requiredPermissions(needs);
    if (claims !== null) {
      this.#principal = { kind: claims.kind, appId: claims.appId ?? this.#principal.appId };
      const missing = missingPermissions(claims.permissions, requirements);
      if (missing.length > 0) throw permissionMissing(missing, this.#principal);
    }
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
    const userCount = count.status === 200 ? Number(String(count.body).trim()) : Number.NaN;
    const tenantUserCount = Number.isInteger(userCount) && userCount >= 0 ? userCount : null;
    if (claims === null) {
      for (const refused of await this.#probePermissions(needs)) if (!missing.includes(refused)) missing.push(refused);
    }
    if (missing.length > 0) throw permissionMissing(missing, this.#principal);
    if (tenantUserCount !== null && this.#config.limits.resourceUnitsPerWindow === undefined) {
      this.#governor.useResourceUnitBudget(resourceUnitsForTenantSize(tenantUserCount));
    }
    return {
      principal: { ...this.#principal, tenantId: claims?.tenantId ?? null },
      permissions: claims === null ? null : [...claims.permissions],
      tenantUserCount,
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
    const someone = readCollection(answers[0]?.body).items[0];
    const someoneId = typeof someone === 'object' && someone !== null && 'id' in someone && typeof someone.id === 'string' ? someone.id : null;
    if (someoneId !== null) {
      const [methods] = await this.#executor.run([
        { method: 'GET', version: 'v1.0', path: `/users/${userSegment(someoneId)}/authentication/methods`, doing: 'checking the permission to read authentication methods', permission: READ_METHODS },
      ]);
      if (methods?.status === 403) refused.push(READ_METHODS);
      else if (methods?.error) throw methods.error;
    }
    return refused;
  }

  /** R14: the user with this UPN, else by `--match-attribute`; null when nobody matches. Several matches throw GRAPH_USER_AMBIGUOUS. */
  async resolveUser(lookup: UserLookup): Promise<EntraUser | null> {
    if (lookup.upn !== null) {
      const [answer] = await this.#executor.run([this.#userByUpnCall(lookup.upn)]);
      const user = this.#userFromAnswer(answer, lookup);
      if (user !== null) return user;
    }
    return this.#matchByAttribute(lookup);
  }

  /** What Entra holds for a resolved user: methods (beta, so hardware OATH is included) and sign-in preferences. */
  async readUserState(user: EntraUser, options: ReadUsersOptions = {}): Promise<EntraState> {
    const [methods, preferences] = await this.#executor.run(this.#stateCalls(user.id, user.userPrincipalName));
    return this.#stateFrom(user, methods, preferences, options);
  }

  /**
   * Resolves and reads many users at once: `$batch` requests of 20 calls, several in flight under
   * the governor. Per user with a UPN, three GETs leave together (the user, `/authentication/methods`
   * and `/authentication/signInPreferences`, all addressed by UPN so none waits for another); only
   * users the UPN does not find cost more (a `$filter` on the match attribute, then two GETs by id).
   * Results come in completion order. A sign-in or permission failure, or Graph unreachable, ends
   * the iteration by throwing: every other user would fail the same way.
   */
  async *readUsers(lookups: Iterable<UserLookup> | AsyncIterable<UserLookup>, options: ReadUsersOptions = {}): AsyncGenerator<UserReadResult> {
    const source: AsyncIterator<UserLookup> | Iterator<UserLookup> = Symbol.asyncIterator in lookups ? lookups[Symbol.asyncIterator]() : lookups[Symbol.iterator]();
    const ready: UserReadResult[] = [];
    // Set from callbacks, so kept in an object the compiler does not narrow.
    const stop: { error: Error | null } = { error: null };
    let inFlight = 0;
    let exhausted = false;
    let wake: (() => void) | null = null;
    const signal = (): void => {
      const resume = wake;
      wake = null;
      resume?.();
    };
    const start = (lookup: UserLookup): void => {
      inFlight += 1;
      this.#readOne(lookup, options).then(
        (result) => { ready.push(result); },
        (error: unknown) => { stop.error ??= error instanceof Error ? error : new Error(String(error)); },
      ).finally(() => {
        inFlight -= 1;
        signal();
      });
    };
    for (;;) {
      while (!exhausted && stop.error === null && inFlight < USERS_IN_FLIGHT) {
        const next = await source.next();
        if (next.done === true) exhausted = true;
        else start(next.value);
      }
      if (stop.error !== null) throw stop.error;
      const result = ready.shift();
      if (result !== undefined) {
        yield result;
        continue;
      }
      if (exhausted && inFlight === 0) return;
      await new Promise<void>((resolve) => { wake = resolve; });
    }
  }

  async #readOne(lookup: UserLookup, options: ReadUsersOptions): Promise<UserReadResult> {
    try {
      if (lookup.upn !== null) {
        const [userAnswer, methods, preferences] = await this.#executor.run([this.#userByUpnCall(lookup.upn), ...this.#stateCalls(lookup.upn, lookup.upn)]);
        const user = this.#userFromAnswer(userAnswer, lookup);
        if (user !== null) return { key: lookup.key, user, state: this.#stateFrom(user, methods, preferences, options), error: null };
      }
      const user = await this.#matchByAttribute(lookup);
      if (user === null) return { key: lookup.key, user: null, state: null, error: null };
      return { key: lookup.key, user, state: await this.readUserState(user, options), error: null };
    } catch (error) {
      if (error instanceof MigrateError && !isFatal(error)) return { key: lookup.key, user: null, state: null, error };
      throw error;
    }
  }

  #userByUpnCall(upn: string): GraphCall {
    return {
      method: 'GET',
      version: 'beta',
      // user-get.md: GET /users/{id | userPrincipalName}; 404 when nobody has it.
      path: `/users/${userSegment(upn)}?${USER_SELECT}`,
      doing: `looking up user ${upn}`,
      permission: READ_USERS,
    };
  }

  /**
   * Both calls in beta: one `$batch` is one version, and the per-user reads need beta anyway
   * (signInPreferences; hardware OATH in the methods list). `/authentication/methods` returns every
   * method type in one GET (authentication-list-methods.md), instead of one GET per type.
   */
  #stateCalls(idOrUpn: string, name: string): [GraphCall, GraphCall] {
    const segment = userSegment(idOrUpn);
    return [
      { method: 'GET', version: 'beta', path: `/users/${segment}/authentication/methods`, doing: `reading the authentication methods of ${name}`, permission: READ_METHODS },
      // beta authentication-get-signinpreferences.md
      { method: 'GET', version: 'beta', path: `/users/${segment}/authentication/signInPreferences`, doing: `reading the sign-in preferences of ${name}`, permission: READ_METHODS },
    ];
  }

  /** The user of a UPN lookup; null when Graph does not know the UPN (404, or 400 for a UPN that cannot exist). */
  #userFromAnswer(answer: GraphCallResult | undefined, lookup: UserLookup): EntraUser | null {
    if (answer === undefined) return null;
    if (answer.status === 200) return readEntraUser(answer.body, 'userPrincipalName');
    if (answer.status === 404 || answer.status === 400) {
      if (answer.status === 400) this.#deps.log.debug(`Graph refused "${lookup.upn ?? ''}" as a user key (${answer.error?.message ?? '400'}); treated as not found.`);
      return null;
    }
    throw answer.error ?? new Error(`Unexpected answer ${answer.status} looking up ${lookup.upn ?? lookup.key}.`);
  }

  async #matchByAttribute(lookup: UserLookup): Promise<EntraUser | null> {
    const attribute = this.#config.matchAttribute;
    const value = attribute === null ? null : matchValue(attribute, lookup.matchKeys);
    if (attribute === null || value === null || value.trim() === '') return null;
    const advanced = ADVANCED_QUERY_REQUIRED[attribute];
    // user-list.md with $filter; $top=2 is enough to tell one match from several.
    const path = `/users?$filter=${encodeURIComponent(`${attribute} eq `)}${odataString(value.trim())}&${USER_SELECT}&$top=2${advanced ? '&$count=true' : ''}`;
    const [answer] = await this.#executor.run([
      {
        method: 'GET',
        version: 'beta',
        path,
        ...(advanced ? { headers: { ConsistencyLevel: 'eventual' } } : {}),
        doing: `looking up ${lookup.upn ?? lookup.key} by ${attribute}`,
        permission: READ_USERS,
      },
    ]);
    if (answer === undefined) return null;
    if (answer.error !== null) throw answer.error;
    const users = readCollection(answer.body).items.map((item) => readEntraUser(item, attribute)).filter((user): user is EntraUser => user !== null);
    if (users.length > 1) {
      throw new MigrateError({
        code: 'GRAPH_USER_AMBIGUOUS',
        message: `${lookup.upn ?? lookup.key}: more than one Entra user has ${attribute} "${value.trim()}" (${users.map((user) => user.userPrincipalName).join(', ')}), so none was chosen.`,
        remedy: `Give the user's UPN in the MFA Server export, or make ${attribute} unique in Entra; the user is not migrated until then.`,
        exitCode: ExitCode.failedUsers,
      });
    }
    return users[0] ?? null;
  }

  #stateFrom(user: EntraUser, methods: GraphCallResult | undefined, preferences: GraphCallResult | undefined, options: ReadUsersOptions): EntraState {
    if (methods === undefined) throw new Error('The methods read has no answer.');
    if (methods.error !== null) throw methods.error;
    const serialOfDevice = (deviceId: string): string | null => {
      for (const token of options.inventory?.values() ?? []) if (token.id === deviceId) return token.serialNumber;
      return null;
    };
    return {
      user,
      ...readMethods(methods.body, serialOfDevice),
      signInPreferences: this.#preferencesFrom(preferences, user),
    };
  }

  /** signInPreferences is beta; when Graph cannot give it (other than for permissions), the state says null. */
  #preferencesFrom(answer: GraphCallResult | undefined, user: EntraUser): EntraState['signInPreferences'] {
    if (answer === undefined) return null;
    if (answer.status === 200) return readSignInPreferences(answer.body);
    if (answer.error !== null && isFatal(answer.error)) throw answer.error;
    if (!this.#signInPreferencesWarned) {
      this.#signInPreferencesWarned = true;
      this.#deps.log.warn(`Could not read the sign-in preferences of ${user.userPrincipalName} (${answer.error?.message ?? String(answer.status)}); default methods are treated as unknown where this happens.`);
    }
    return null;
  }

  /** authenticationmethodspolicy-get.md → TenantPolicy (R9). */
  async readTenantPolicy(): Promise<TenantPolicy> {
    const answer = await this.#executor.single({
      method: 'GET',
      version: 'v1.0',
      path: '/policies/authenticationMethodsPolicy',
      doing: 'reading the authentication methods policy',
      permission: READ_POLICY,
    });
    if (answer.error !== null) throw answer.error;
    return readTenantPolicy(answer.body);
  }

  /** `--group`: an object id, or a display name matched exactly (group-get.md, group-list.md `$filter=displayName eq`). */
  async resolveGroup(idOrName: string): Promise<GroupRef> {
    const wanted = idOrName.trim();
    if (GUID.test(wanted)) {
      const answer = await this.#executor.single({ method: 'GET', version: 'v1.0', path: `/groups/${wanted}?$select=id,displayName`, doing: `looking up group ${wanted}`, permission: READ_GROUP_MEMBERS });
      if (answer.status === 404) throw groupNotFound(wanted);
      if (answer.error !== null) throw answer.error;
      const group = answer.body as { id?: unknown; displayName?: unknown } | undefined;
      return { id: typeof group?.id === 'string' ? group.id : wanted, displayName: typeof group?.displayName === 'string' ? group.displayName : null };
    }
    const answer = await this.#executor.single({
      method: 'GET',
      version: 'v1.0',
      path: `/groups?$filter=${encodeURIComponent('displayName eq ')}${odataString(wanted)}&$select=id,displayName&$top=2`,
      doing: `looking up group "${wanted}"`,
      permission: READ_GROUP_MEMBERS,
    });
    if (answer.error !== null) throw answer.error;
    const groups = readCollection(answer.body).items.flatMap((item) => {
      const group = item as { id?: unknown; displayName?: unknown } | null;
      return typeof group?.id === 'string' ? [{ id: group.id, displayName: typeof group.displayName === 'string' ? group.displayName : null }] : [];
    });
    const [group, other] = groups;
    if (group === undefined) throw groupNotFound(wanted);
    if (other !== undefined) {
      throw new MigrateError({
        code: 'GRAPH_GROUP_AMBIGUOUS',
        message: `--group "${wanted}": more than one group has this display name (${groups.map((found) => found.id).join(', ')}).`,
        remedy: 'Give the group\'s object ID instead: --group <id> (Entra admin center > Groups > the group > Overview).',
        exitCode: ExitCode.usage,
      });
    }
    return group;
  }

  /**
   * Ids of the users in a group, nested groups included (group-list-transitivemembers.md), paged by
   * `@odata.nextLink`. Users are kept by their `@odata.type` rather than with the
   * `/microsoft.graph.user` cast: the cast needs the advanced query parameters, whose index may
   * miss members added minutes ago.
   */
  async readGroupMemberIds(idOrName: string): Promise<ReadonlySet<string>> {
    const group = await this.resolveGroup(idOrName);
    const ids = new Set<string>();
    for await (const item of this.#pages('v1.0', `/groups/${group.id}/transitiveMembers?$select=id&$top=999`, `listing the members of group ${group.displayName ?? group.id}`, READ_GROUP_MEMBERS)) {
      const member = item as { id?: unknown; '@odata.type'?: unknown } | null;
      const type = member?.['@odata.type'];
      if (typeof member?.id === 'string' && (type === undefined || (typeof type === 'string' && type.toLowerCase() === '#microsoft.graph.user'))) ids.add(member.id);
    }
    return ids;
  }

  /** beta authenticationmethoddevice-list-hardwareoathdevices.md, paged; keyed by `serialKey(serial)`. */
  async readHardwareTokenInventory(): Promise<ReadonlyMap<string, EntraHardwareToken>> {
    const tokens = new Map<string, EntraHardwareToken>();
    for await (const item of this.#pages('beta', '/directory/authenticationMethodDevices/hardwareOathDevices?$select=id,serialNumber,status,assignedTo', 'reading the hardware OATH token inventory', READ_POLICY)) {
      const token = readHardwareToken(item);
      if (token !== null) tokens.set(serialKey(token.serialNumber), token);
    }
    return tokens;
  }

  /** Follows `@odata.nextLink` (concepts/paging.md); each page is one call through the governor. */
  async *#pages(version: GraphVersion, firstPath: string, doing: string, permission: PermissionRequirement): AsyncGenerator {
    let path: string | null = firstPath;
    for (let page = 1; path !== null; page += 1) {
      const answer = await this.#executor.single({ method: 'GET', version, path, doing: page === 1 ? doing : `${doing} (page ${page})`, permission });
      if (answer.error !== null) throw answer.error;
      const collection = readCollection(answer.body);
      yield* collection.items;
      path = collection.nextLink === null ? null : this.#relativeLink(collection.nextLink, version);
    }
  }

  /** A nextLink is absolute; the client library takes paths below the version. */
  #relativeLink(link: string, version: GraphVersion): string {
    const url = new URL(link, this.#config.graphRoot);
    const prefix = `/${version}`;
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    return `${path}${url.search}`;
  }

  /**
   * The generic `$batch` executor for other steps (issue 5 writes): calls are packed 20 to a
   * batch, chained ones (dependsOn) share a batch, and each result carries Graph's status, body,
   * request-id and, for failures, the MigrateError.
   */
  executeBatch(calls: readonly GraphCall[]): Promise<GraphCallResult[]> {
    return this.#executor.run(calls);
  }

  /** Stops timers and closes kept-alive connections. */
  close(): void {
    this.#executor.close();
    this.#transport.close();
  }
}

function groupNotFound(wanted: string): MigrateError {
  return new MigrateError({
    code: 'GRAPH_GROUP_NOT_FOUND',
    message: `--group "${wanted}": no such group in the tenant.`,
    remedy: 'Give the group\'s object ID or its exact display name (Entra admin center > Groups).',
    exitCode: ExitCode.usage,
  });
}

/** Builds the gateway; `deps` are the step's clock and log, plus fakes in tests. */
export function createGraphGateway(config: GraphConfig, deps: GraphGatewayDeps): GraphGateway {
  return new GraphGateway(config, deps);
}
