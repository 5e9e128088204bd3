/**
 * The Graph permissions each task needs and what the access token says it holds. Tables are the
 * "Permissions" sections of the Graph reference pages (microsoftgraph/microsoft-graph-docs-contrib
 * api-reference/), least privileged first; any listed permission satisfies a requirement.
 */
import type { PermissionRequirement, PrincipalDescription } from './graph-errors.js';

/** user-get.md, user-list.md (application). */
export const READ_USERS: PermissionRequirement = {
  permission: 'User.Read.All',
  satisfiedBy: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  purpose: 'to find users by UPN or --match-attribute',
};

/** authentication-list-methods.md and beta authentication-get-signinpreferences.md, "acting on other users". */
export const READ_METHODS: PermissionRequirement = {
  permission: 'UserAuthenticationMethod.Read.All',
  satisfiedBy: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
  purpose: "to read users' authentication methods",
};

/** authentication-post-phonemethods.md, phoneauthenticationmethod-update.md, beta authentication-update (signInPreferences). */
export const WRITE_METHODS: PermissionRequirement = {
  permission: 'UserAuthenticationMethod.ReadWrite.All',
  satisfiedBy: ['UserAuthenticationMethod.ReadWrite.All'],
  purpose: "to write users' authentication methods",
};

/**
 * authenticationmethodspolicy-get.md and beta authenticationmethoddevice-list-hardwareoathdevices.md.
 * Older revisions of the policy page list only Policy.ReadWrite.AuthenticationMethod; current ones
 * add Policy.Read.All as the least privileged, which is what we ask for.
 */
export const READ_POLICY: PermissionRequirement = {
  permission: 'Policy.Read.All',
  satisfiedBy: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
  purpose: 'to read the authentication methods policy and the hardware token inventory',
};

/** beta authenticationmethoddevice-post-hardwareoathdevices.md. */
export const WRITE_TOKEN_INVENTORY: PermissionRequirement = {
  permission: 'Policy.ReadWrite.AuthenticationMethod',
  satisfiedBy: ['Policy.ReadWrite.AuthenticationMethod'],
  purpose: 'to add hardware OATH tokens to the tenant inventory',
};

/** group-list-transitivemembers.md and group-list.md (application). */
export const READ_GROUP_MEMBERS: PermissionRequirement = {
  permission: 'GroupMember.Read.All',
  satisfiedBy: ['GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  purpose: 'to list the members of --group',
};

/** What a command is going to do with Graph. */
export interface GraphNeeds {
  /** apply and rollback write methods; plan and verify only read. */
  readonly writes: boolean;
  /** `--group` was given. */
  readonly group: boolean;
  /** Tokens will be created in the inventory (`--hardware-tokens import…` on apply). */
  readonly hardwareTokenWrites: boolean;
}

export function requiredPermissions(needs: GraphNeeds): PermissionRequirement[] {
  return [
    READ_USERS,
    needs.writes ? WRITE_METHODS : READ_METHODS,
    needs.hardwareTokenWrites ? WRITE_TOKEN_INVENTORY : READ_POLICY,
    ...(needs.group ? [READ_GROUP_MEMBERS] : []),
  ];
}

export interface TokenClaims extends PrincipalDescription {
  readonly tenantId: string | null;
  /** `roles` of an app-only token, `scp` of a delegated one. */
  readonly permissions: ReadonlySet<string>;
}

/**
 * The claims of a JWT access token, read without checking its signature (Graph checks it; we only
 * want to name what is missing before the first user is read). Null for a token that is not a JWT
 * or carries neither `roles` nor `scp` (the emulator's development token).
 */
export function readTokenClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const claims = payload as Readonly<Record<string, unknown>>;
  const roles = Array.isArray(claims['roles']) ? claims['roles'].filter((role): role is string => typeof role === 'string') : null;
  const scopes = typeof claims['scp'] === 'string' ? claims['scp'].split(' ').filter((scope) => scope !== '') : null;
  if (roles === null && scopes === null) return null;
  const appId = typeof claims['appid'] === 'string' ? claims['appid'] : typeof claims['azp'] === 'string' ? claims['azp'] : null;
  return {
    kind: roles !== null && scopes === null ? 'application' : 'delegated',
    appId,
    tenantId: typeof claims['tid'] === 'string' ? claims['tid'] : null,
    permissions: new Set([...(roles ?? []), ...(scopes ?? [])]),
  };
}

/** The requirements none of whose permissions the token holds (compared case-insensitively, as Entra does). */
export function missingPermissions(held: ReadonlySet<string>, requirements: readonly PermissionRequirement[]): PermissionRequirement[] {
  const lower = new Set([...held].map((permission) => permission.toLowerCase()));
  return requirements.filter((requirement) => !requirement.satisfiedBy.some((permission) => lower.has(permission.toLowerCase())));
}
