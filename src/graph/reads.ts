/**
 * The gateway's reads: users (R14 matching), their authentication methods and sign-in
 * preferences, the authentication methods policy, groups and the hardware token inventory. Every
 * call goes through the batch executor, so reads share the governor's budgets with writes.
 */
import { ExitCode, MigrateError } from '../errors.js';
import type { Log } from '../log.js';
import type { MatchKeys } from '../mapping/desired-state.js';
import type { EntraHardwareOathMethod, EntraHardwareToken, EntraState, EntraUser, TenantPolicy } from '../plan/entra-state.js';
import type { BatchExecutor, GraphCall, GraphCallResult } from './batch-executor.js';
import type { GraphConfig, MatchAttributeOption } from './config.js';
import {
  readCollection,
  readEntraUser,
  readGroup,
  readHardwareOathMethods,
  readHardwareToken,
  readMemberUserId,
  readMethods,
  readSignInPreferences,
  readTenantPolicy,
  serialKey,
} from './entra-json.js';
import { MAX_PAGE_SIZE } from './limits.js';
import type { PermissionRequirement } from './graph-errors.js';
import type { GraphVersion } from './http-client.js';
import { READ_GROUP_MEMBERS, READ_METHODS, READ_POLICY, READ_USERS } from './permissions.js';


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

export interface GroupRef {
  readonly id: string;
  readonly displayName: string | null;
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
export function userSegment(idOrUpn: string): string {
  return encodeURIComponent(idOrUpn).replace(/%40/g, '@');
}

/** An OData string literal: single quotes doubled (OData ABNF), then URL-encoded. */
function odataString(value: string): string {
  return encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
}


/** Errors every other read would meet too: sign-in, permissions, Graph unreachable, a stop (Ctrl-C). */
export function isFatal(error: MigrateError): boolean {
  return error.exitCode === ExitCode.auth || error.code === 'GRAPH_UNREACHABLE' || error.code === 'INTERRUPTED';
}

function groupNotFound(wanted: string): MigrateError {
  return new MigrateError({
    code: 'GRAPH_GROUP_NOT_FOUND',
    message: `--group "${wanted}": no such group in the tenant.`,
    remedy: 'Give the group\'s object ID or its exact display name (Entra admin center > Groups).',
  });
}

export class GraphReads {
  readonly #executor: BatchExecutor;
  readonly #config: GraphConfig;
  readonly #log: Log;
  #signInPreferencesWarned = false;

  constructor(executor: BatchExecutor, config: GraphConfig, log: Log) {
    this.#executor = executor;
    this.#config = config;
    this.#log = log;
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
  async readUserState(user: EntraUser): Promise<EntraState> {
    const [methods, preferences] = await this.#executor.run(this.#stateCalls(user.id, user.userPrincipalName));
    return this.#stateFrom(user, methods, preferences);
  }

  /**
   * One user resolved (R14) and read: three GETs in one `$batch` when the UPN finds the user, and
   * one more for users who hold hardware OATH tokens (their hardwareOathMethods, for the tokens'
   * serials). Only sign-in, permission and unreachable errors throw.
   */
  async readUser(lookup: UserLookup): Promise<UserReadResult> {
    try {
      if (lookup.upn !== null) {
        const [userAnswer, methods, preferences] = await this.#executor.run([this.#userByUpnCall(lookup.upn), ...this.#stateCalls(lookup.upn, lookup.upn)]);
        const user = this.#userFromAnswer(userAnswer, lookup);
        if (user !== null) return { key: lookup.key, user, state: await this.#stateFrom(user, methods, preferences), error: null };
      }
      const user = await this.#matchByAttribute(lookup);
      if (user === null) return { key: lookup.key, user: null, state: null, error: null };
      return { key: lookup.key, user, state: await this.readUserState(user), error: null };
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
      if (answer.status === 400) this.#log.debug(`Graph refused "${lookup.upn ?? ''}" as a user key (${answer.error?.message ?? '400'}); treated as not found.`);
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
      });
    }
    return users[0] ?? null;
  }

  async #stateFrom(user: EntraUser, methods: GraphCallResult | undefined, preferences: GraphCallResult | undefined): Promise<EntraState> {
    if (methods === undefined) throw new Error('The methods read has no answer.');
    if (methods.error !== null) throw methods.error;
    const read = readMethods(methods.body);
    const signInPreferences = this.#preferencesFrom(preferences, user);
    const hardwareOath = read.hardwareOath.some((method) => method.serialNumber === null) ? await this.#hardwareOathMethods(user, read.hardwareOath) : read.hardwareOath;
    return { user, ...read, hardwareOath, signInPreferences };
  }

  /**
   * The list of all methods does not carry a hardware OATH method's device; the user's
   * hardwareOathMethods list does (beta authentication-list-hardwareoathmethods.md), so it is read
   * for users who hold a token — one more GET for them only. Methods it does not describe keep
   * what the first list said.
   */
  async #hardwareOathMethods(user: EntraUser, listed: readonly EntraHardwareOathMethod[]): Promise<EntraHardwareOathMethod[]> {
    const [answer] = await this.#executor.run([
      {
        method: 'GET',
        version: 'beta',
        path: `/users/${userSegment(user.id)}/authentication/hardwareOathMethods`,
        doing: `reading the hardware OATH tokens of ${user.userPrincipalName}`,
        permission: READ_METHODS,
      },
    ]);
    if (answer === undefined) throw new Error('The hardware OATH methods read has no answer.');
    if (answer.error !== null) throw answer.error;
    const detailed = readHardwareOathMethods(answer.body);
    return [...detailed, ...listed.filter((method) => !detailed.some((candidate) => candidate.id === method.id))];
  }

  /** signInPreferences is beta; when Graph cannot give it (other than for permissions), the state says null. */
  #preferencesFrom(answer: GraphCallResult | undefined, user: EntraUser): EntraState['signInPreferences'] {
    if (answer === undefined) return null;
    if (answer.status === 200) return readSignInPreferences(answer.body);
    if (answer.error !== null && isFatal(answer.error)) throw answer.error;
    if (!this.#signInPreferencesWarned) {
      this.#signInPreferencesWarned = true;
      this.#log.warn(`Could not read the sign-in preferences of ${user.userPrincipalName} (${answer.error?.message ?? String(answer.status)}); default methods are treated as unknown where this happens.`);
    }
    return null;
  }

  /**
   * beta authenticationmethodspolicy-get.md → TenantPolicy (R9). beta, because v1.0 does not define
   * the hardware OATH configuration: a v1.0 read cannot see that a tenant disabled hardware tokens.
   */
  async readTenantPolicy(): Promise<TenantPolicy> {
    const answer = await this.#executor.single({
      method: 'GET',
      version: 'beta',
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
      return readGroup(answer.body) ?? { id: wanted, displayName: null };
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
      const group = readGroup(item);
      return group === null ? [] : [group];
    });
    const [group, other] = groups;
    if (group === undefined) throw groupNotFound(wanted);
    if (other !== undefined) {
      throw new MigrateError({
        code: 'GRAPH_GROUP_AMBIGUOUS',
        message: `--group "${wanted}": more than one group has this display name (${groups.map((found) => found.id).join(', ')}).`,
        remedy: 'Give the group\'s object ID instead: --group <id> (Entra admin center > Groups > the group > Overview).',
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
    return this.#userIdsOf(this.#pages('v1.0', `/groups/${group.id}/transitiveMembers?$select=id&$top=${String(MAX_PAGE_SIZE)}`, `listing the members of group ${group.displayName ?? group.id}`, READ_GROUP_MEMBERS));
  }

  /**
   * Members of a group the authentication methods policy targets, nested groups included; null
   * when Graph no longer knows the group (404). A policy can keep targeting a group that was
   * deleted: such a target covers nobody, and it must not stop a run that never named it.
   */
  async readPolicyGroupMemberIds(groupId: string): Promise<ReadonlySet<string> | null> {
    const found = { group: true };
    const ids = await this.#userIdsOf(
      this.#pages('v1.0', `/groups/${encodeURIComponent(groupId)}/transitiveMembers?$select=id&$top=${String(MAX_PAGE_SIZE)}`, `listing the members of group ${groupId}, which the authentication methods policy targets`, READ_GROUP_MEMBERS, () => {
        found.group = false;
      }),
    );
    return found.group ? ids : null;
  }

  /** The user ids among transitive members; other directory objects (devices, groups) are dropped. */
  async #userIdsOf(items: AsyncIterable<unknown>): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const item of items) {
      const userId = readMemberUserId(item);
      if (userId !== null) ids.add(userId);
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

  /**
   * Follows `@odata.nextLink` (concepts/paging.md); each page is one call through the governor.
   * `notFound`, when given, is called instead of throwing when the first page answers 404.
   */
  async *#pages(version: GraphVersion, firstPath: string, doing: string, permission: PermissionRequirement, notFound?: () => void): AsyncGenerator {
    let path: string | null = firstPath;
    for (let page = 1; path !== null; page += 1) {
      const answer = await this.#executor.single({ method: 'GET', version, path, doing: page === 1 ? doing : `${doing} (page ${page})`, permission });
      if (page === 1 && answer.status === 404 && notFound !== undefined) {
        notFound();
        return;
      }
      if (answer.error !== null) throw answer.error;
      const collection = readCollection(answer.body);
      yield* collection.items;
      path = collection.nextLink === null ? null : this.#relativeLink(collection.nextLink, version);
    }
  }

  /** A nextLink is absolute; the transport takes paths below the version. */
  #relativeLink(link: string, version: GraphVersion): string {
    const url = new URL(link, this.#config.graphRoot);
    const prefix = `/${version}`;
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    return `${path}${url.search}`;
  }
}
