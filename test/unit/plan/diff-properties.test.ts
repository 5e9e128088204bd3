/**
 * Properties of the diff over generated users and tenants: applying a plan and diffing again
 * plans nothing more (idempotence, which resume and verify rely on), and no operation touches a
 * phone type the desired state does not hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhoneNumber } from '../../../src/emulator/routes/method-json.js';
import { DEFAULT_METHOD_STRENGTH } from '../../../src/mapping/desired-state.js';
import type { DesiredState, PhoneType } from '../../../src/mapping/desired-state.js';
import { diffUser } from '../../../src/plan/diff-user.js';
import type { DiffContext } from '../../../src/plan/diff-user.js';
import type { EntraHardwareOathMethod, EntraHardwareToken, EntraPhoneMethod, EntraState } from '../../../src/plan/entra-state.js';
import type { OperationKind, UserPlan } from '../../../src/plan/operations.js';
import { aDesiredDevice, aDesiredState, aDesiredToken } from '../../support/desired-builders.js';
import { anAuthenticator, anEntraState, anInventory, aPhone, OTHER_USER_ID, USER_ID } from '../../support/entra-builders.js';

const PHONE_TYPES: readonly PhoneType[] = ['mobile', 'alternateMobile', 'office'];
const NUMBERS = ['+1 4255550100', '+1 4255550101', '+44 7700900123', '+1 2065550100'];
const OFFICE_NUMBERS = ['+1 4255550107x300', '+1 4255550107x301', '+1 4255550107'];
const DEVICE_NAMES = ['iPhone', 'Pixel', 'Galaxy'];
const SERIALS = ['TOTP0001', 'TOTP0002'];
const KINDS: readonly OperationKind[] = [
  'createPhone',
  'updatePhone',
  'phoneConflict',
  'setPreferredMethod',
  'createHardwareToken',
  'assignHardwareToken',
  'activateHardwareToken',
  'hardwareTokenConflict',
];

type TokenPlace = 'absent' | 'unassigned' | 'mine' | 'elsewhere';

interface Tenant {
  readonly state: EntraState;
  readonly inventory: readonly EntraHardwareToken[];
}

const phoneNumberOf = (phoneType: PhoneType): fc.Arbitrary<string | null> =>
  fc.option(fc.constantFrom(...(phoneType === 'office' ? OFFICE_NUMBERS : NUMBERS)), { nil: null });

const desiredArbitrary: fc.Arbitrary<DesiredState> = fc
  .record({
    mobile: phoneNumberOf('mobile'),
    alternateMobile: phoneNumberOf('alternateMobile'),
    office: phoneNumberOf('office'),
    requested: fc.option(fc.constantFrom(...DEFAULT_METHOD_STRENGTH), { nil: null }),
    devices: fc.uniqueArray(fc.constantFrom(...DEVICE_NAMES)),
    serials: fc.uniqueArray(fc.constantFrom(...SERIALS)),
  })
  .map(({ mobile, alternateMobile, office, requested, devices, serials }) =>
    aDesiredState({
      phones: { mobile, alternateMobile, office },
      requestedDefaultMethod: requested,
      devices: devices.map((name) => aDesiredDevice({ name })),
      hardwareTokens: serials.map((serialNumber) => aDesiredToken({ serialNumber })),
    }),
  );

const tenantArbitrary: fc.Arbitrary<Tenant> = fc
  .record({
    phones: fc.record({ mobile: phoneNumberOf('mobile'), alternateMobile: phoneNumberOf('alternateMobile'), office: phoneNumberOf('office') }),
    masked: fc.boolean(),
    authenticators: fc.uniqueArray(fc.constantFrom(...DEVICE_NAMES)),
    softwareOath: fc.boolean(),
    preference: fc.option(fc.constantFrom<string | null>(null, 'none', ...DEFAULT_METHOD_STRENGTH), { nil: undefined }),
    tokens: fc.record({ TOTP0001: fc.constantFrom<TokenPlace>('absent', 'unassigned', 'mine', 'elsewhere'), TOTP0002: fc.constantFrom<TokenPlace>('absent', 'unassigned', 'mine', 'elsewhere') }),
    activated: fc.boolean(),
  })
  .map(({ phones, masked, authenticators, softwareOath, preference, tokens, activated }) => {
    const inventory: EntraHardwareToken[] = [];
    const hardwareOath: EntraHardwareOathMethod[] = [];
    for (const serialNumber of SERIALS) {
      const place = tokens[serialNumber as keyof typeof tokens];
      if (place === 'absent') continue;
      const id = `device-${serialNumber}`;
      const status = place === 'unassigned' ? 'available' : activated ? 'activated' : 'assigned';
      inventory.push({ id, serialNumber, status, assignedToUserId: place === 'unassigned' ? null : place === 'mine' ? USER_ID : OTHER_USER_ID });
      if (place === 'mine') hardwareOath.push({ id, serialNumber, status });
    }
    const entraPhones: EntraPhoneMethod[] = [];
    for (const phoneType of PHONE_TYPES) {
      const phoneNumber = phones[phoneType];
      if (phoneNumber !== null) entraPhones.push(aPhone(phoneType, masked ? maskPhoneNumber(phoneNumber) : phoneNumber));
    }
    const state = anEntraState({
      phones: entraPhones,
      authenticators: authenticators.map((name) => anAuthenticator(name)),
      softwareOath: softwareOath ? [{ id: 'software-1' }] : [],
      hardwareOath,
      signInPreferences: preference === undefined ? null : { userPreferredMethodForSecondaryAuthentication: preference, isSystemPreferredAuthenticationMethodEnabled: false },
    });
    return { state, inventory };
  });

const contextArbitrary = fc.record({
  availability: fc.record({ sms: fc.boolean(), voice: fc.boolean(), voiceOffice: fc.boolean(), microsoftAuthenticator: fc.boolean(), softwareOath: fc.boolean(), hardwareOath: fc.boolean() }),
  phoneConflict: fc.constantFrom('keep' as const, 'overwrite' as const),
  defaultMethodPolicy: fc.constantFrom('if-unset' as const, 'always' as const, 'most-secure-if-unset' as const),
  hardwareTokens: fc.constantFrom('off' as const, 'import' as const, 'import-and-activate' as const),
  maskAfterApply: fc.boolean(),
});

type ContextChoice = typeof contextArbitrary extends fc.Arbitrary<infer T> ? T : never;

function contextFor(choice: ContextChoice, inventory: readonly EntraHardwareToken[]): DiffContext {
  const { availability, phoneConflict, defaultMethodPolicy, hardwareTokens } = choice;
  return { availability, inventory: anInventory(inventory), options: { phoneConflict, defaultMethodPolicy, hardwareTokens } };
}

/** What Entra holds after apply sent every planned operation (as the emulator would answer). */
function applyPlan(tenant: Tenant, plan: UserPlan, maskPhones: boolean): Tenant {
  let phones = [...tenant.state.phones];
  let signInPreferences = tenant.state.signInPreferences;
  const inventory = new Map(tenant.inventory.map((token) => [token.serialNumber, token]));
  const methods = new Map(tenant.state.hardwareOath.map((method) => [method.serialNumber ?? method.id, method]));
  for (const operation of plan.operations) {
    if (operation.status !== 'planned') continue;
    switch (operation.kind) {
      case 'createPhone':
      case 'updatePhone': {
        const shown = maskPhones ? maskPhoneNumber(operation.phoneNumber) : operation.phoneNumber;
        phones = [...phones.filter((phone) => phone.phoneType !== operation.target), aPhone(operation.target, shown)];
        break;
      }
      case 'setPreferredMethod':
        signInPreferences = { userPreferredMethodForSecondaryAuthentication: operation.target, isSystemPreferredAuthenticationMethodEnabled: false };
        break;
      case 'createHardwareToken':
        inventory.set(operation.target, { id: `device-${operation.target}`, serialNumber: operation.target, status: 'available', assignedToUserId: null });
        break;
      case 'assignHardwareToken':
      case 'activateHardwareToken': {
        const token = inventory.get(operation.target);
        if (token === undefined) throw new Error(`${operation.kind} before the token exists`);
        const status = operation.kind === 'activateHardwareToken' ? 'activated' : 'assigned';
        inventory.set(operation.target, { ...token, status, assignedToUserId: USER_ID });
        methods.set(operation.target, { id: token.id, serialNumber: operation.target, status });
        break;
      }
      case 'phoneConflict':
      case 'hardwareTokenConflict':
        break;
    }
  }
  return { state: { ...tenant.state, phones, signInPreferences, hardwareOath: [...methods.values()] }, inventory: [...inventory.values()] };
}

describe('diff properties', () => {
  it('diffing again after applying a plan plans nothing more: unchanged, or the same conflicts', () => {
    fc.assert(
      fc.property(desiredArbitrary, tenantArbitrary, contextArbitrary, (desired, tenant, choice) => {
        const first = diffUser(desired, tenant.state, contextFor(choice, tenant.inventory));
        const after = applyPlan(tenant, first, choice.maskAfterApply);
        const second = diffUser(desired, after.state, contextFor(choice, after.inventory));
        const conflicts = first.operations.filter((operation) => operation.status === 'conflict');
        expect(second.operations.filter((operation) => operation.status === 'planned')).toEqual([]);
        expect(second.operations).toEqual(conflicts);
        expect(second.status).toBe(conflicts.length > 0 ? 'conflict' : 'unchanged');
        expect(second.defaultMethod).toBe(first.defaultMethod);
      }),
      { numRuns: 500 },
    );
  });

  it('no operation deletes anything or touches a phone type the desired state does not hold', () => {
    fc.assert(
      fc.property(desiredArbitrary, tenantArbitrary, contextArbitrary, (desired, tenant, choice) => {
        const plan = diffUser(desired, tenant.state, contextFor(choice, tenant.inventory));
        for (const operation of plan.operations) {
          expect(KINDS).toContain(operation.kind);
          if (operation.kind === 'createPhone' || operation.kind === 'updatePhone' || operation.kind === 'phoneConflict') {
            expect(desired.phones[operation.target]).not.toBeNull();
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
