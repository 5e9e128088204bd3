/**
 * Application permissions per endpoint, from the "Permissions" table of each Graph reference page
 * (microsoftgraph/microsoft-graph-docs-contrib). A caller needs one of the listed roles.
 */

/** user-get.md, user-list.md (application). */
export const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
/** group-get.md, group-list.md (application). */
export const READ_GROUPS = ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] as const;
/** group-list-transitivemembers.md (application). */
export const READ_GROUP_MEMBERS = ['GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All'] as const;
/** authentication-list-methods.md and the per-method list/get pages, "acting on other users". */
export const READ_METHODS = ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'] as const;
/** authentication-post-phonemethods.md, phoneauthenticationmethod-update/-delete.md, authentication-post-hardwareoathmethods.md… */
export const WRITE_METHODS = ['UserAuthenticationMethod.ReadWrite.All'] as const;
/** authenticationmethoddevice-list-hardwareoathdevices.md: Policy.Read.All, Policy.ReadWrite.AuthenticationMethod. */
export const READ_TOKEN_INVENTORY = ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'] as const;
/** authenticationmethoddevice-post/-delete-hardwareoathdevices.md. */
export const WRITE_TOKEN_INVENTORY = ['Policy.ReadWrite.AuthenticationMethod'] as const;
/** authenticationmethodspolicy-get.md. */
export const READ_METHODS_POLICY = ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'] as const;
