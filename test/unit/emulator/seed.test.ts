import { describe, expect, it } from 'vitest';
import { loadSeed, readSeed } from '../../../src/emulator/seed.js';
import { MigrateError } from '../../../src/errors.js';
import { sampleSeed, tenantFixturePath } from '../../support/emulator.js';

describe('tenant seed', () => {
  it('loads the sample tenant (fixtures/tenant.json) without a problem', async () => {
    const seed = await loadSeed(tenantFixturePath);
    expect(seed.users.length).toBeGreaterThan(20);
    expect(seed.app.roles).toContain('UserAuthenticationMethod.ReadWrite.All');
    expect(seed.hardwareOathDevices.find((d) => d.serialNumber === 'TOTP0100')).toMatchObject({ status: 'activated', hashFunction: 'hmacsha256' });
  });

  it('names every problem by its JSON path', () => {
    const document = sampleSeed();
    const users = document.users;
    users[0] = { ...users[0], phoneMethods: [{ phoneType: 'alternateMobile', phoneNumber: '+1 4255550100' }, { phoneType: 'alternateMobile', phoneNumber: '425 555 0100' }] };
    users[1] = { ...users[1], userPrincipalName: users[2]?.['userPrincipalName'] };
    (document['groups'] as { members: string[] }[])[1]?.members.push('no-such-id');
    (document['hardwareOathDevices'] as Record<string, unknown>[])[0] = {
      ...(document['hardwareOathDevices'] as Record<string, unknown>[])[0],
      timeIntervalInSeconds: 45,
      secretKey: 'not-base32!',
      status: 'activated',
    };
    const { problems } = readSeed(document);
    // The schema's problems first (schemas/emulator-tenant.schema.json), then what it cannot say.
    expect(problems.map((p) => `${p.path} ${p.message}`)).toEqual([
      '$.users[0].phoneMethods[1].phoneNumber must be in Graph format "+{country code} {number}" with optional "x{extension}"',
      '$.hardwareOathDevices[0].secretKey must be Base32 of at most 128 characters',
      '$.hardwareOathDevices[0].timeIntervalInSeconds must be 30 or 60',
      '$.users[0].phoneMethods holds two phones of the same phoneType (Graph allows one per type)',
      '$.users[0].phoneMethods has an alternateMobile without a mobile (Graph requires the mobile first)',
      '$.hardwareOathDevices[0].status is "activated" but the token has no assignedTo user',
      '$.users userPrincipalName "carol.clarke@contoso.com" is used twice',
      '$.groups[1].members[3] "no-such-id" is not the id of a user or group in this seed',
    ]);
  });

  it('throws an input error (exit code 3) for an inline document, with the first path and a count of the others', async () => {
    const document = sampleSeed();
    delete document['tenant'];
    delete document.app['clientSecret'];
    const failure = await loadSeed(document).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrateError);
    expect(failure).toMatchObject({ exitCode: 3, code: 'EMULATOR_SEED_INVALID' });
    expect((failure as Error).message).toBe('<tenant seed>: $.tenant is required but missing (and 1 more: $.app.clientSecret).');
  });

  it('says what a value should be: its type, its values, its form, or that a property is unknown', () => {
    const document = sampleSeed();
    document.users[0] = { ...document.users[0], accountEnabled: 'yes', favouriteColour: 'blue' };
    document.users[1] = { ...document.users[1], signInPreferences: { userPreferredMethodForSecondaryAuthentication: 'fax' } };
    document.users[2] = { ...document.users[2], microsoftAuthenticatorMethods: [{ id: 'm', displayName: 'Pixel', createdDateTime: 'last Tuesday' }] };
    const { seed, problems } = readSeed(document);
    expect(seed).toBeNull();
    expect(problems.map((p) => `${p.path} ${p.message}`)).toEqual([
      '$.users[0].favouriteColour is not a property this object can have (a typo?)',
      '$.users[0].accountEnabled must be true or false',
      '$.users[1].signInPreferences.userPreferredMethodForSecondaryAuthentication must be one of "push", "oath", "sms", "voiceMobile", "voiceAlternateMobile", "voiceOffice", null',
      '$.users[2].microsoftAuthenticatorMethods[0].createdDateTime must be a date and time with a time zone, e.g. 2024-01-02T03:04:05Z',
    ]);
  });

  it('fills the defaults of what a seed leaves out', () => {
    const { seed } = readSeed({
      tenant: { id: 't', defaultDomain: 'contoso.com' },
      app: { clientId: 'c', clientSecret: 's', roles: [] },
      users: [{ id: 'u', userPrincipalName: 'u@contoso.com', displayName: 'U', microsoftAuthenticatorMethods: [{ id: 'm', displayName: 'Pixel' }] }],
      authenticationMethodsPolicy: { authenticationMethodConfigurations: [] },
      hardwareOathDevices: [{ id: 'd', serialNumber: 'S1', manufacturer: 'M', model: 'K', secretKey: 'GEZDGNBV', assignedTo: 'u' }],
    });
    expect(seed).toMatchObject({
      tenant: { displayName: 'Contoso' },
      app: { displayName: 'mfa-migrate' },
      additionalApps: [],
      groups: [],
      users: [{
        accountEnabled: true,
        givenName: null,
        phoneMethods: [],
        microsoftAuthenticatorMethods: [{ deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.8.1', createdDateTime: '2024-01-01T00:00:00Z' }],
        signInPreferences: { isSystemPreferredAuthenticationMethodEnabled: false, userPreferredMethodForSecondaryAuthentication: null },
      }],
      hardwareOathDevices: [{ timeIntervalInSeconds: 30, hashFunction: 'hmacsha1', status: 'assigned', displayName: null }],
    });
  });
});
