import { describe, expect, it } from 'vitest';
import { readCollection, readEntraUser, readHardwareOathMethods, readHardwareToken, readMethods, readSignInPreferences, readTenantPolicy, serialKey } from '../../../src/graph/entra-json.js';

describe('Graph JSON → Entra state', () => {
  it('reads a user, and nothing without id and UPN', () => {
    expect(readEntraUser({ id: 'u1', userPrincipalName: 'a@contoso.com', displayName: 'A', accountEnabled: false }, 'mail')).toEqual({
      id: 'u1',
      userPrincipalName: 'a@contoso.com',
      displayName: 'A',
      accountEnabled: false,
      matchedBy: 'mail',
    });
    expect(readEntraUser({ id: 'u1', userPrincipalName: 'a@contoso.com' }, 'userPrincipalName')).toMatchObject({ displayName: null, accountEnabled: null });
    expect(readEntraUser({ id: 'u1' }, 'userPrincipalName')).toBeNull();
  });

  it('sorts one methods list by type, accepting the older spellings, skipping what is not migrated', () => {
    const methods = readMethods(
      {
        value: [
          { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: '28c10230-6103-485e-b985-444c60001490' },
          { 'odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: '3179e48a-750b-4051-897c-87b9720928f7', phoneNumber: '+1 2065555555', authenticationPhoneType: 'mobile', smsSignInState: 'ready' },
          { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'e37fc753-ff3b-4958-9484-eaa9425c82bc', phoneNumber: '+1 XXXXXXXX55x12', phoneType: 'office' },
          { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: 'm1', displayName: 'iPhone 14', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.1', createdDateTime: '2023-03-14T09:15:02Z' },
          { '@odata.type': '#microsoft.graph.softwareOathAuthenticationMethod', id: 's1', secretKey: null },
          { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: 'h1', device: { id: 'h1', serialNumber: 'TOTP0100', status: 'activated' } },
          { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: 'h2' },
          { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id: 'f1' },
          { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'x', phoneType: 'pager', phoneNumber: '+1 1' },
        ],
      },
    );
    expect(methods).toEqual({
      phones: [
        { id: '3179e48a-750b-4051-897c-87b9720928f7', phoneType: 'mobile', phoneNumber: '+1 2065555555', smsSignInState: 'ready' },
        { id: 'e37fc753-ff3b-4958-9484-eaa9425c82bc', phoneType: 'office', phoneNumber: '+1 XXXXXXXX55x12', smsSignInState: null },
      ],
      authenticators: [{ id: 'm1', displayName: 'iPhone 14', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.1', createdDateTime: '2023-03-14T09:15:02Z' }],
      softwareOath: [{ id: 's1' }],
      hardwareOath: [
        { id: 'h1', serialNumber: 'TOTP0100', status: 'activated' },
        { id: 'h2', serialNumber: null, status: null },
      ],
    });
  });

  it('reads a user\'s hardware OATH methods with their device, by the method\'s own id', () => {
    expect(
      readHardwareOathMethods({
        value: [
          { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: 'm1', device: { id: 'd1', serialNumber: 'TOTP0100', status: 'activated' } },
          { id: 'm2', device: { id: 'd2', serialNumber: 'TOTP0200', status: 'assigned' } },
          { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'p' },
          { device: { id: 'd3' } },
        ],
      }),
    ).toEqual([
      { id: 'm1', serialNumber: 'TOTP0100', status: 'activated' },
      { id: 'm2', serialNumber: 'TOTP0200', status: 'assigned' },
    ]);
  });

  it('reads sign-in preferences, unset as null', () => {
    expect(readSignInPreferences({ isSystemPreferredAuthenticationMethodEnabled: true, userPreferredMethodForSecondaryAuthentication: null })).toEqual({
      isSystemPreferredAuthenticationMethodEnabled: true,
      userPreferredMethodForSecondaryAuthentication: null,
    });
  });

  it('reduces the authentication methods policy to the configurations R9 needs', () => {
    const policy = readTenantPolicy({
      authenticationMethodConfigurations: [
        { id: 'Sms', state: 'enabled', includeTargets: [{ id: 'all_users', targetType: 'group' }], excludeTargets: [{ id: 'g1', targetType: 'group' }] },
        { id: 'Voice', state: 'disabled', includeTargets: [], excludeTargets: [], isOfficePhoneAllowed: false },
        { id: 'Fido2', state: 'enabled' },
        { id: 'microsoftAuthenticator', state: 'enabled', includeTargets: [{ id: 'g2' }] },
      ],
    });
    expect(policy.methods).toEqual([
      { id: 'Sms', state: 'enabled', includeGroupIds: ['all_users'], excludeGroupIds: ['g1'] },
      { id: 'Voice', state: 'disabled', includeGroupIds: [], excludeGroupIds: [], isOfficePhoneAllowed: false },
      { id: 'MicrosoftAuthenticator', state: 'enabled', includeGroupIds: ['g2'], excludeGroupIds: [] },
    ]);
    expect(policy.temporaryAccessPass).toBeNull();
  });

  it('reads the Temporary Access Pass configuration every pass is held to', () => {
    const policy = readTenantPolicy({
      authenticationMethodConfigurations: [
        { id: 'TemporaryAccessPass', state: 'enabled', defaultLifetimeInMinutes: 60, minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480, isUsableOnce: false },
      ],
    });
    expect(policy.temporaryAccessPass).toEqual({ state: 'enabled', minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480, defaultLifetimeInMinutes: 60, isUsableOnce: false });
    expect(readTenantPolicy({ authenticationMethodConfigurations: [{ id: 'TemporaryAccessPass', state: 'disabled' }] }).temporaryAccessPass).toEqual({
      state: 'disabled', minimumLifetimeInMinutes: null, maximumLifetimeInMinutes: null, defaultLifetimeInMinutes: null, isUsableOnce: null,
    });
  });

  it('reads an inventory token and keys serials as the tokens file does', () => {
    expect(readHardwareToken({ id: 'd1', serialNumber: 'TOTP0100', status: 'activated', assignedTo: { id: 'u20', displayName: 'Victor' } })).toEqual({
      id: 'd1',
      serialNumber: 'TOTP0100',
      status: 'activated',
      assignedToUserId: 'u20',
    });
    expect(readHardwareToken({ id: 'd2', serialNumber: 'X', assignedTo: null })).toMatchObject({ status: 'available', assignedToUserId: null });
    expect(serialKey(' TOTP0100 ')).toBe('totp0100');
  });

  it('reads a page and its next link', () => {
    expect(readCollection({ value: [1], '@odata.nextLink': 'https://graph.microsoft.com/v1.0/users?$skiptoken=x' })).toEqual({ items: [1], nextLink: 'https://graph.microsoft.com/v1.0/users?$skiptoken=x' });
    expect(readCollection(undefined)).toEqual({ items: [], nextLink: null });
  });
});
