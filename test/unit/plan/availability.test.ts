import { describe, expect, it } from 'vitest';
import { availabilityFor } from '../../../src/plan/availability.js';
import type { PolicyMethodConfiguration, TenantPolicy } from '../../../src/plan/entra-state.js';

const USER = 'user-1';
const PILOT = 'group-pilot';
const CONTRACTORS = 'group-contractors';

function aConfiguration(overrides: Partial<PolicyMethodConfiguration> & Pick<PolicyMethodConfiguration, 'id'>): PolicyMethodConfiguration {
  return { state: 'enabled', includeGroupIds: ['all_users'], excludeGroupIds: [], ...overrides };
}

function aPolicy(...overrides: PolicyMethodConfiguration[]): TenantPolicy {
  const defaults = (['Sms', 'Voice', 'MicrosoftAuthenticator', 'SoftwareOath', 'HardwareOath'] as const).map((id) =>
    aConfiguration(id === 'Voice' ? { id, isOfficePhoneAllowed: true } : { id }),
  );
  return { methods: defaults.map((configuration) => overrides.find((item) => item.id === configuration.id) ?? configuration) };
}

const memberOf =
  (...groups: string[]) =>
  (groupId: string): boolean =>
    groups.includes(groupId);

describe('R9 authentication methods policy per user', () => {
  it('R9 every method enabled for all_users is available', () => {
    expect(availabilityFor(USER, aPolicy(), memberOf())).toEqual({
      sms: true,
      voice: true,
      voiceOffice: true,
      microsoftAuthenticator: true,
      softwareOath: true,
      hardwareOath: true,
    });
  });

  it('R9 a disabled configuration makes its method unavailable even for all_users', () => {
    expect(availabilityFor(USER, aPolicy(aConfiguration({ id: 'Sms', state: 'disabled' })), memberOf()).sms).toBe(false);
  });

  it('R9 a configuration that includes only a group is available to its members alone', () => {
    const policy = aPolicy(aConfiguration({ id: 'MicrosoftAuthenticator', includeGroupIds: [PILOT] }));
    expect(availabilityFor(USER, policy, memberOf()).microsoftAuthenticator).toBe(false);
    expect(availabilityFor(USER, policy, memberOf(PILOT)).microsoftAuthenticator).toBe(true);
  });

  it('R9 an include target naming the user directly makes the method available', () => {
    expect(availabilityFor(USER, aPolicy(aConfiguration({ id: 'HardwareOath', includeGroupIds: [USER] })), memberOf()).hardwareOath).toBe(true);
  });

  it('R9 an exclude target wins over all_users for the group\'s members', () => {
    const policy = aPolicy(aConfiguration({ id: 'Sms', excludeGroupIds: [CONTRACTORS] }));
    expect(availabilityFor(USER, policy, memberOf(CONTRACTORS)).sms).toBe(false);
    expect(availabilityFor(USER, policy, memberOf(PILOT)).sms).toBe(true);
  });

  it('R9 an empty include list makes the method unavailable', () => {
    expect(availabilityFor(USER, aPolicy(aConfiguration({ id: 'SoftwareOath', includeGroupIds: [] })), memberOf()).softwareOath).toBe(false);
  });

  it('R9 voice to an office phone needs isOfficePhoneAllowed', () => {
    const policy = aPolicy(aConfiguration({ id: 'Voice', isOfficePhoneAllowed: false }));
    expect(availabilityFor(USER, policy, memberOf())).toMatchObject({ voice: true, voiceOffice: false });
    expect(availabilityFor(USER, aPolicy(aConfiguration({ id: 'Voice' })), memberOf())).toMatchObject({ voice: true, voiceOffice: false });
  });

  it('R9 voice to an office phone is unavailable when voice itself is', () => {
    const policy = aPolicy(aConfiguration({ id: 'Voice', isOfficePhoneAllowed: true, excludeGroupIds: [CONTRACTORS] }));
    expect(availabilityFor(USER, policy, memberOf(CONTRACTORS))).toMatchObject({ voice: false, voiceOffice: false });
  });

  it('R9 a method the policy does not configure is not restricted by it', () => {
    expect(availabilityFor(USER, { methods: [aConfiguration({ id: 'Sms', state: 'disabled' })] }, memberOf())).toEqual({
      sms: false,
      voice: true,
      voiceOffice: true,
      microsoftAuthenticator: true,
      softwareOath: true,
      hardwareOath: true,
    });
  });
});
