/**
 * `plan` end to end in-process: the sample exports against the emulator seeded with
 * fixtures/tenant.json, through the real gateway (real HTTP) and a real journal file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { openJournal } from '../../../src/journal/journal.js';
import type { StoredUser } from '../../../src/run-records.js';
import { memoryLog } from '../../../src/log.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { systemClock } from '../../../src/clock.js';
import { runPlan, type PlanInput } from '../../../src/migrate/plan.js';
import { readOnlyList, type OnlyList } from '../../../src/source/only-list.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';
import { callGraph, startTestEmulator } from '../../support/emulator.js';

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-plan-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

interface PlanScope {
  readonly group: string | null;
  readonly only: OnlyList | null;
}

function input(scope: PlanScope = { group: null, only: null }): PlanInput {
  return {
    files: { users: 'fixtures/users.csv', devices: 'fixtures/devices.csv', tokens: 'fixtures/tokens.csv' },
    columns: {},
    columnsFile: null,
    only: scope.only,
    options: {
      encoding: 'auto', delimiter: 'auto', defaultCountryCode: '1', upnSuffix: 'contoso.com', includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: 'import',
      phoneConflict: 'keep', defaultMethod: 'if-unset', group: scope.group, matchAttribute: 'onPremisesSamAccountName',
    },
    run: { tenantId: null, graphUrl: emulator.url, options: { test: true } },
  };
}

async function plan(name: string, scope?: PlanScope): Promise<{ users: Map<number, StoredUser>; runId: string; outOfScope: number }> {
  await callGraph(emulator, 'POST', '/_emulator/reset');
  const journal = openJournal(join(dir, `${name}.db`), { clock: systemClock });
  const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
  try {
    const result = await runPlan(input(scope), { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress });
    const users = new Map([...journal.iterateUsers(result.run.id)].map((user) => [user.line, user]));
    expect(journal.getRun(result.run.id)?.status).toBe('finished');
    return { users, runId: result.run.id, outOfScope: result.summary.outOfScope };
  } finally {
    graph.close();
    journal.close();
  }
}

const kinds = (user: StoredUser | undefined): string[] => (user?.operations ?? []).map((operation) => `${operation.kind} ${operation.target} ${operation.status}`);
const codes = (user: StoredUser | undefined): string[] => (user?.issues ?? []).map((issue) => issue.code);

describe('plan against the emulator', () => {
  it('decides each sample user against what Entra holds, and records it in the journal', async () => {
    const { users } = await plan('sample');
    // Equal numbers and an existing preference: nothing to send.
    expect(users.get(2)).toMatchObject({ upn: 'alice.anders@contoso.com', planStatus: 'unchanged', operations: [] });
    expect(users.get(9)).toMatchObject({ planStatus: 'unchanged', operations: [] });
    // A new user: phones then the preference, in order.
    expect(kinds(users.get(3))).toEqual(['createPhone mobile planned', 'createPhone office planned', 'setPreferredMethod voiceOffice planned']);
    // carol is only found through onPremisesSamAccountName.
    expect(users.get(4)).toMatchObject({ upn: 'carol@contoso.com', planStatus: 'planned', matchedBy: 'onPremisesSamAccountName' });
    expect(users.get(4)?.entraUserId).toMatch(/^[0-9a-f-]{36}$/);
    // dave has an Authenticator in Entra: push stays.
    expect(kinds(users.get(5))).toContain('setPreferredMethod push planned');
    expect(users.get(5)?.plan?.devices.find((device) => device.name === 'iPhone 14')).toMatchObject({ status: 'kept', registration: 'present' });
    // grace: Entra holds another mobile; kept and reported, never overwritten.
    expect(users.get(8)).toMatchObject({ planStatus: 'conflict' });
    expect(kinds(users.get(8))).toEqual(['phoneConflict mobile conflict']);
    expect(codes(users.get(8))).toContain('PHONE_CONFLICT');
    expect(users.get(8)?.before?.phones).toEqual([expect.objectContaining({ phoneType: 'mobile', phoneNumber: '+1 4255559999' })]);
    // ivan's default was the mobile app but Entra has no Authenticator for him: push falls back.
    expect(kinds(users.get(10))).toContain('setPreferredMethod sms planned');
    expect(codes(users.get(10))).toContain('DEFAULT_METHOD_FALLBACK');
    // judy's token is not in the inventory: created, then assigned.
    expect(kinds(users.get(11))).toEqual(expect.arrayContaining(['createHardwareToken TOTP0001 planned', 'assignHardwareToken TOTP0001 planned']));
    // peggy is in a group the SMS policy excludes.
    expect(codes(users.get(19))).toEqual(expect.arrayContaining(['METHOD_DISABLED_BY_POLICY', 'DEFAULT_METHOD_FALLBACK']));
    expect(kinds(users.get(19))).toContain('setPreferredMethod voiceMobile planned');
    // walter is not in the tenant.
    expect(users.get(24)).toMatchObject({ planStatus: 'unmatched', entraUserId: null, operations: [] });
    expect(codes(users.get(24))).toContain('USER_NOT_FOUND');
    // Mapping outcomes pass through: disabled, duplicate, no username.
    expect(users.get(16)).toMatchObject({ planStatus: 'skipped' });
    expect(users.get(18)).toMatchObject({ planStatus: 'rejected' });
    expect(users.get(17)).toMatchObject({ planStatus: 'rejected' });
  });

  it('sends GETs only: the emulator saw no write, and every POST was a $batch', async () => {
    await plan('reads-only');
    const stats = (await callGraph(emulator, 'GET', '/_emulator/stats')).body as unknown as {
      writes: number; writeAttempts: number; batches: number; byMethod: Record<string, number>; byFamily: Record<string, number>;
    };
    expect(stats.writes).toBe(0);
    expect(stats.writeAttempts).toBe(0);
    expect(Object.keys(stats.byMethod).sort()).toEqual(['GET', 'POST']);
    expect(stats.byMethod['POST']).toBe(stats.batches);
    expect(stats.byFamily['batch']).toBe(stats.batches);
  });

  it('keeps to --only users and counts the rest as out of scope', async () => {
    const listFile = join(dir, 'only.txt');
    await writeFile(listFile, '# pilot\nalice.anders@contoso.com\r\nBOB.BROWN@contoso.com\n\n');
    const { users, outOfScope } = await plan('only', { group: null, only: await readOnlyList(listFile) });
    // Line 18 repeats alice: in scope, and still rejected as a duplicate (R15).
    expect([...users.keys()]).toEqual([2, 3, 18]);
    expect(users.get(18)).toMatchObject({ planStatus: 'rejected' });
    expect(outOfScope).toBeGreaterThan(20);
  });
});
