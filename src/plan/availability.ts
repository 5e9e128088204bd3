/**
 * Which methods the tenant's authentication methods policy lets one user use (R9). Graph:
 * policies/authenticationMethodsPolicy → authenticationMethodConfigurations, each with `state`,
 * `includeTargets` (authenticationMethodTarget: a group id, a user id or `all_users`) and
 * `excludeTargets` (excludeTarget: a group or user id); the Voice configuration adds
 * `isOfficePhoneAllowed` (microsoft-graph-docs-contrib api-reference/v1.0/resources/
 * authenticationmethodconfiguration.md, voiceauthenticationmethodconfiguration.md, excludetarget.md).
 */
import type { MethodAvailability, PolicyMethodConfiguration, PolicyMethodId, TenantPolicy } from './entra-state.js';

/** The include target that stands for every user of the tenant. */
const ALL_USERS = 'all_users';

function targets(ids: readonly string[], userId: string, isMember: (groupId: string) => boolean): boolean {
  return ids.some((id) => id === ALL_USERS || id === userId || isMember(id));
}

function usable(configuration: PolicyMethodConfiguration, userId: string, isMember: (groupId: string) => boolean): boolean {
  return configuration.state === 'enabled' && targets(configuration.includeGroupIds, userId, isMember) && !targets(configuration.excludeGroupIds, userId, isMember);
}

/**
 * Resolves the policy for one user. A configuration that is disabled, whose include targets name
 * neither `all_users`, the user nor a group the user is in, or whose exclude targets name the user
 * or one of their groups, makes its method unavailable. `isMember` answers for transitive
 * membership; the caller resolves it. A method the policy does not list at all is treated as
 * available: the policy restricts only what it configures (v1.0 may omit HardwareOath), and a
 * wrong "unavailable" would silently change users' default method. Voice to an office phone
 * additionally needs `isOfficePhoneAllowed` (Graph's default is false).
 */
export function availabilityFor(userId: string, policy: TenantPolicy, isMember: (groupId: string) => boolean): MethodAvailability {
  const allowed = (id: PolicyMethodId): boolean => {
    const configuration = policy.methods.find((method) => method.id.toLowerCase() === id.toLowerCase());
    return configuration === undefined || usable(configuration, userId, isMember);
  };
  const voiceConfiguration = policy.methods.find((method) => method.id.toLowerCase() === 'voice');
  const voice = allowed('Voice');
  return {
    sms: allowed('Sms'),
    voice,
    voiceOffice: voice && (voiceConfiguration === undefined || voiceConfiguration.isOfficePhoneAllowed === true),
    microsoftAuthenticator: allowed('MicrosoftAuthenticator'),
    softwareOath: allowed('SoftwareOath'),
    hardwareOath: allowed('HardwareOath'),
  };
}
