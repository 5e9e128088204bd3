/**
 * What Entra holds for one user, as the Graph gateway read it (the right-hand input of the pure
 * diff; docs/design.md "Entra state read"). Plain data: `src/graph/` fills it, `src/plan/` compares
 * against it, the journal stores it as the user's before-state, the reports print it. No secret is
 * ever part of it.
 *
 * Field names follow Graph's resources (microsoft-graph-docs-contrib api-reference/v1.0/resources/
 * phoneauthenticationmethod.md, microsoftauthenticatorauthenticationmethod.md,
 * softwareoathauthenticationmethod.md; beta hardwareoathauthenticationmethod.md,
 * hardwareoathtokenauthenticationmethoddevice.md, signinpreferences.md).
 */
import type { PhoneType } from '../mapping/desired-state.js';
import { everyMember } from '../union-members.js';

/** The Entra user a source row resolved to (R14). */
export interface EntraUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string | null;
  readonly accountEnabled: boolean | null;
  /** Which attribute matched: `userPrincipalName` or the `--match-attribute` used. */
  readonly matchedBy: MatchAttribute;
}

export type MatchAttribute = 'userPrincipalName' | 'onPremisesSamAccountName' | 'mail' | 'onPremisesSecurityIdentifier' | 'employeeId';
export const MATCH_ATTRIBUTES = everyMember<MatchAttribute>()('userPrincipalName', 'onPremisesSamAccountName', 'mail', 'onPremisesSecurityIdentifier', 'employeeId');

export interface EntraPhoneMethod {
  /** Graph's fixed id per type (3179e48a-… mobile, b6332ec1-… alternateMobile, e37fc753-… office; phoneauthenticationmethod.md). */
  readonly id: string;
  readonly phoneType: PhoneType;
  /** As Graph returned it; may be masked for delegated admins (`+1 XXXXXXXX00`). */
  readonly phoneNumber: string;
  readonly smsSignInState: string | null;
}

export interface EntraAuthenticatorMethod {
  readonly id: string;
  readonly displayName: string | null;
  readonly deviceTag: string | null;
  readonly phoneAppVersion: string | null;
  readonly createdDateTime: string | null;
}

export interface EntraSoftwareOathMethod {
  readonly id: string;
}

export interface EntraHardwareOathMethod {
  /** The method's own id (what activate and unassign address), not its device's inventory id. */
  readonly id: string;
  /** The token's serial number (from the method's `device`), null when Graph did not send the device. */
  readonly serialNumber: string | null;
  readonly status: HardwareTokenStatus | null;
}

/** Graph's hardwareOathTokenStatus: `available`, `assigned`, `activated`, `failedActivation`; kept as a string so a value Graph adds later is carried, not rejected. */
export type HardwareTokenStatus = string;

/** beta signInPreferences; null when it could not be read (e.g. the beta endpoint is unavailable). */
export interface EntraSignInPreferences {
  /** A DefaultMethod name, or another value Graph returns (`unknownFutureValue`, `none`), or null when unset. */
  readonly userPreferredMethodForSecondaryAuthentication: string | null;
  readonly isSystemPreferredAuthenticationMethodEnabled: boolean | null;
}

/** A hardware OATH token in the tenant inventory (beta directory/authenticationMethodDevices/hardwareOathDevices). */
export interface EntraHardwareToken {
  readonly id: string;
  readonly serialNumber: string;
  readonly status: HardwareTokenStatus;
  /** The user it is assigned to, null when unassigned. */
  readonly assignedToUserId: string | null;
}

export interface EntraState {
  readonly user: EntraUser;
  readonly phones: readonly EntraPhoneMethod[];
  readonly authenticators: readonly EntraAuthenticatorMethod[];
  readonly softwareOath: readonly EntraSoftwareOathMethod[];
  readonly hardwareOath: readonly EntraHardwareOathMethod[];
  readonly signInPreferences: EntraSignInPreferences | null;
}

/** Methods a user may use under the tenant's authentication methods policy (R9), already resolved for that user. */
export interface MethodAvailability {
  readonly sms: boolean;
  readonly voice: boolean;
  /** Voice to an office phone additionally needs the Voice configuration's `isOfficePhoneAllowed`. */
  readonly voiceOffice: boolean;
  readonly microsoftAuthenticator: boolean;
  readonly softwareOath: boolean;
  readonly hardwareOath: boolean;
}

export type PolicyMethodId = 'Sms' | 'Voice' | 'MicrosoftAuthenticator' | 'SoftwareOath' | 'HardwareOath';

/** One method configuration of policies/authenticationMethodsPolicy, reduced to what R9 needs. */
export interface PolicyMethodConfiguration {
  readonly id: PolicyMethodId;
  readonly state: 'enabled' | 'disabled';
  /** Target ids: groups, users (targetType `user`), or the literal `all_users`. */
  readonly includeGroupIds: readonly string[];
  readonly excludeGroupIds: readonly string[];
  /** The ids above that name users, not groups: no members to read. */
  readonly userTargetIds?: readonly string[];
  /** Voice only. */
  readonly isOfficePhoneAllowed?: boolean;
}

/** The TemporaryAccessPass configuration of the policy: it holds for every pass created in the tenant. */
export interface TemporaryAccessPassPolicy {
  readonly state: 'enabled' | 'disabled';
  /** Null when the policy does not say (Graph's own range, 10–43200 minutes, still holds). */
  readonly minimumLifetimeInMinutes: number | null;
  readonly maximumLifetimeInMinutes: number | null;
  readonly defaultLifetimeInMinutes: number | null;
  readonly isUsableOnce: boolean | null;
}

/** The tenant's authentication methods policy, read once per run. */
export interface TenantPolicy {
  readonly methods: readonly PolicyMethodConfiguration[];
  /** Absent or null when the policy has no TemporaryAccessPass configuration (or it was not read). */
  readonly temporaryAccessPass?: TemporaryAccessPassPolicy | null;
}
