/** Builders of what the diff compares against: an empty Entra account and a permissive tenant unless told otherwise. */
import type { PhoneType } from '../../src/mapping/desired-state.js';
import type { DiffContext, DiffOptions } from '../../src/plan/diff-user.js';
import type { EntraAuthenticatorMethod, EntraHardwareToken, EntraPhoneMethod, EntraState, MethodAvailability } from '../../src/plan/entra-state.js';

export const USER_ID = '11111111-0000-4000-8000-000000000001';
export const OTHER_USER_ID = '22222222-0000-4000-8000-000000000002';

export function anEntraState(overrides: Partial<EntraState> = {}): EntraState {
  return {
    user: { id: USER_ID, userPrincipalName: 'alice@contoso.com', displayName: 'Alice', accountEnabled: true, matchedBy: 'userPrincipalName' },
    phones: [],
    authenticators: [],
    softwareOath: [],
    hardwareOath: [],
    signInPreferences: { userPreferredMethodForSecondaryAuthentication: null, isSystemPreferredAuthenticationMethodEnabled: false },
    ...overrides,
  };
}

export function anAuthenticator(displayName: string | null = 'iPhone'): EntraAuthenticatorMethod {
  return { id: `auth-${displayName ?? 'unnamed'}`, displayName, deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.7', createdDateTime: '2025-01-01T00:00:00Z' };
}

export const PHONE_METHOD_IDS = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;

export function aPhone(phoneType: PhoneType, phoneNumber: string): EntraPhoneMethod {
  return { id: PHONE_METHOD_IDS[phoneType], phoneType, phoneNumber, smsSignInState: phoneType === 'mobile' ? 'notEnabled' : null };
}

export function withPreference(value: string | null): Pick<EntraState, 'signInPreferences'> {
  return { signInPreferences: { userPreferredMethodForSecondaryAuthentication: value, isSystemPreferredAuthenticationMethodEnabled: false } };
}

export function anAvailability(overrides: Partial<MethodAvailability> = {}): MethodAvailability {
  return { sms: true, voice: true, voiceOffice: true, microsoftAuthenticator: true, softwareOath: true, hardwareOath: true, ...overrides };
}

export function anInventory(tokens: readonly EntraHardwareToken[] = []): (serialNumber: string) => EntraHardwareToken | null {
  return (serialNumber) => tokens.find((token) => token.serialNumber.toLowerCase() === serialNumber.trim().toLowerCase()) ?? null;
}

export function aDiffContext(overrides: Partial<Omit<DiffContext, 'options'>> & { readonly options?: Partial<DiffOptions> } = {}): DiffContext {
  const { options, ...rest } = overrides;
  return {
    availability: anAvailability(),
    inventory: anInventory(),
    ...rest,
    options: { phoneConflict: 'keep', defaultMethodPolicy: 'if-unset', hardwareTokens: 'import-and-activate', ...options },
  };
}
