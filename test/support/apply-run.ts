/**
 * What the apply tests share: the fixtures' apply input, the part of the emulator's state a
 * migration decides, and the check that a run's report says what the tenant holds — so a test
 * can assert that Entra, the journal (the report is built from it alone) and the report agree.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import type { ApplyInput } from '../../src/migrate/apply.js';

export const FIXTURE_HARDWARE_TOKENS = 'import-and-activate';

/** Apply of the sample exports (fixtures/), matched by onPremisesSamAccountName as the emulator's seed expects. */
export function fixtureApplyInput(): ApplyInput {
  return {
    plan: {
      files: { users: 'fixtures/users.csv', devices: 'fixtures/devices.csv', tokens: 'fixtures/tokens.csv' },
      columns: {},
      columnsFile: null,
      only: null,
      options: {
        encoding: 'auto', delimiter: 'auto', defaultCountryCode: '1', upnSuffix: 'contoso.com', includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: FIXTURE_HARDWARE_TOKENS,
        phoneConflict: 'keep', defaultMethod: 'if-unset', group: null, matchAttribute: 'onPremisesSamAccountName',
      },
      // The emulator's url differs per test; the tenant is the same seed. Keep it stable so resumes match.
      run: { tenantId: null, graphUrl: 'emulator', options: {} },
    },
    planRunId: null,
  };
}

interface StateSnapshot {
  readonly users: readonly {
    readonly id: string;
    readonly userPrincipalName: string;
    readonly phoneMethods: readonly { readonly phoneType: string; readonly phoneNumber: string }[];
    readonly signInPreferences: { readonly userPreferredMethodForSecondaryAuthentication?: string | null };
  }[];
  readonly hardwareOathDevices: readonly { readonly serialNumber: string; readonly assignedTo: string | null; readonly status: string }[];
}

function snapshot(emulator: RunningEmulator): StateSnapshot {
  return emulator.state() as unknown as StateSnapshot;
}

/** What a migration decides in the emulator: every user's phones, default method and tokens. */
export function tenantState(emulator: RunningEmulator): unknown {
  const state = snapshot(emulator);
  return {
    users: state.users.map((user) => ({ upn: user.userPrincipalName, phones: user.phoneMethods, preferences: user.signInPreferences })),
    tokens: state.hardwareOathDevices
      .map((device) => ({ serial: device.serialNumber, assignedTo: device.assignedTo, status: device.status }))
      .sort((a, b) => a.serial.localeCompare(b.serial)),
  };
}

interface ReportUser {
  readonly username: string;
  readonly entraUserId: string | null;
  readonly afterBasis: string;
  readonly phones: Readonly<Record<'mobile' | 'alternateMobile' | 'office', { readonly after: string | null }>>;
  readonly preferredMethod: { readonly after: string | null };
  readonly hardwareTokens: readonly { readonly serialNumber: string; readonly after: string | null }[];
}

/**
 * Every matched user of an unmasked reconciliation.json shows, as "after", exactly the phones,
 * default method and hardware tokens the tenant holds. Returns how many users were compared.
 */
export async function expectReportMatchesTenant(reconciliationJson: string, emulator: RunningEmulator): Promise<number> {
  const report = JSON.parse(await readFile(reconciliationJson, 'utf8')) as { readonly phoneNumbers: string; readonly users: readonly ReportUser[] };
  expect(report.phoneNumbers).toBe('unmasked');
  const state = snapshot(emulator);
  let compared = 0;
  for (const user of report.users) {
    if (user.entraUserId === null) continue;
    const entra = state.users.find((candidate) => candidate.id === user.entraUserId);
    expect(entra, user.username).toBeDefined();
    if (entra === undefined) continue;
    expect(user.afterBasis, user.username).toBe('applied');
    const phoneOf = (type: string): string | null => entra.phoneMethods.find((phone) => phone.phoneType === type)?.phoneNumber ?? null;
    expect(
      { mobile: user.phones.mobile.after, alternateMobile: user.phones.alternateMobile.after, office: user.phones.office.after },
      user.username,
    ).toEqual({ mobile: phoneOf('mobile'), alternateMobile: phoneOf('alternateMobile'), office: phoneOf('office') });
    expect(user.preferredMethod.after, user.username).toBe(entra.signInPreferences.userPreferredMethodForSecondaryAuthentication ?? null);
    for (const token of user.hardwareTokens) {
      const device = state.hardwareOathDevices.find((candidate) => candidate.serialNumber === token.serialNumber);
      const held = device !== undefined && device.assignedTo === entra.id ? device.status : null;
      expect(token.after, `${user.username} ${token.serialNumber}`).toBe(held);
    }
    compared += 1;
  }
  return compared;
}
