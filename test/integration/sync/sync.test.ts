/**
 * sync in-process: the sample exports against the emulator seeded with fixtures/tenant.json,
 * through the real gateway and a real journal file. The first cycle migrates everyone; later
 * cycles read and write only users whose export changed, whose last status was not final, or who
 * are due for a re-read; users who left the export are listed and never touched; R17 lets our own
 * earlier writes follow the export.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import type { GraphGateway } from '../../../src/graph/gateway.js';
import { openJournal, type Journal } from '../../../src/journal/journal.js';
import { memoryLog } from '../../../src/log.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { runRollback } from '../../../src/migrate/rollback.js';
import { readRunStatus } from '../../../src/migrate/status.js';
import { runSync, runSyncCycle, startSync, type SyncCycleResult, type SyncInput } from '../../../src/migrate/sync.js';
import { runVerify } from '../../../src/migrate/verify.js';
import { fixtureApplyInput } from '../../support/apply-run.js';
import { callGraph, ids, sampleSeed } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

let dir: string;
let emulator: RunningEmulator;
let journal: Journal;
let graph: GraphGateway;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-sync-'));
  for (const file of ['users.csv', 'devices.csv', 'tokens.csv']) copyFileSync(join('fixtures', file), join(dir, file));
  emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
  journal = openJournal(join(dir, 'mfa-migrate.db'), { clock: systemClock });
  graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
});
afterEach(async () => {
  graph.close();
  journal.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const WEEK_MS = 7 * 86_400_000;

function syncInput(overrides: { recheckAfterMs?: number; only?: readonly string[] } = {}): SyncInput {
  const fixture = fixtureApplyInput().plan;
  const only = overrides.only === undefined ? null : { file: join(dir, 'only.txt'), usernames: overrides.only };
  if (only !== null) writeFileSync(only.file, `${only.usernames.join('\n')}\n`);
  return {
    plan: { ...fixture, files: { users: join(dir, 'users.csv'), devices: join(dir, 'devices.csv'), tokens: join(dir, 'tokens.csv') }, only },
    recheckAfterMs: overrides.recheckAfterMs ?? WEEK_MS,
    recorded: {},
  };
}

function deps(signal?: AbortSignal, progress = silentProgress) {
  return { graph, journal, log: memoryLog(), clock: systemClock, progress, ...(signal === undefined ? {} : { signal }) };
}

async function cycle(input: SyncInput = syncInput()): Promise<SyncCycleResult> {
  return runSyncCycle(input, await startSync(input, deps()), deps());
}

/** Replaces `from` by `to` in the copied users export (a row, or part of one). */
function editUsers(from: string, to: string): void {
  const path = join(dir, 'users.csv');
  const text = readFileSync(path, 'utf8');
  expect(text, `users.csv holds ${from}`).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

interface StateUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly phoneMethods: readonly { readonly phoneType: string; readonly phoneNumber: string }[];
  readonly signInPreferences: { readonly userPreferredMethodForSecondaryAuthentication: string | null };
}

function entraUser(upn: string): StateUser {
  const user = (emulator.state() as { users: StateUser[] }).users.find((candidate) => candidate.userPrincipalName === upn);
  if (user === undefined) throw new Error(`${upn} is not in the emulator`);
  return user;
}

function mobileOf(upn: string): string | undefined {
  return entraUser(upn).phoneMethods.find((phone) => phone.phoneType === 'mobile')?.phoneNumber;
}

describe('sync', () => {
  it('the first cycle migrates everyone; the next reads only users whose last status was not final and writes nothing', async () => {
    const first = await cycle();
    expect(first.run.command).toBe('sync');
    expect(first.run.status).toBe('finished');
    expect(first.counts.new).toBe(first.counts.inExport);
    expect(first.counts.unchanged).toBe(0);
    expect(first.executed?.operations.failed).toBe(0);
    expect(first.executed?.operations.done).toBeGreaterThan(15);
    const notFinal = [...journal.iterateUsers(first.run.id)].filter((user) => !['migrated', 'unchanged', 'skipped', 'rejected'].includes(user.finalStatus ?? ''));
    expect(notFinal.length).toBeGreaterThan(0);

    const writes = emulator.stats().writes;
    const second = await cycle();
    expect(second.counts).toMatchObject({ new: 0, changed: 0, rechecked: 0, retried: notFinal.length });
    expect(second.counts.unchanged).toBe(first.counts.inExport - notFinal.length);
    expect(emulator.stats().writes).toBe(writes);
    expect([...journal.iterateUsers(second.run.id)].map((user) => user.username).sort()).toEqual(notFinal.map((user) => user.username).sort());
    expect(second.left).toEqual([]);
  });

  it('a cycle with nothing to do sends no request', async () => {
    await cycle();
    const finalUsers = ['alice.anders@contoso.com', 'bob.brown@contoso.com', 'ivan.ivanov@contoso.com'];
    const input = syncInput({ only: finalUsers });
    const start = await startSync(input, deps());
    const requests = emulator.stats().requests;
    const idle = await runSyncCycle(input, start, deps());
    expect(idle.counts).toMatchObject({ unchanged: 3, new: 0, changed: 0, retried: 0, rechecked: 0 });
    expect(idle.executed).toBeNull();
    expect(idle.run.status).toBe('finished');
    expect(emulator.stats().requests).toBe(requests);
  });

  it('changes in the export reach Entra: a new number of ours (R17), a changed method, a new row; a removed row is listed and untouched', async () => {
    const first = await cycle();
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550108');
    expect(entraUser('xavier@contoso.com').signInPreferences.userPreferredMethodForSecondaryAuthentication).toBe('voiceMobile');
    const mikeBefore = entraUser('mike.morgan@contoso.com');

    editUsers('(425) 555-0108', '(425) 555-0128');
    editUsers('CONTOSO\\xavier,Xavier,Xu,xavier.xu@contoso.com,1,(425) 555-0118,,,,,Phone call', 'CONTOSO\\xavier,Xavier,Xu,xavier.xu@contoso.com,1,(425) 555-0118,,,,,Text message');
    editUsers('mike.morgan@contoso.com,Mike,Morgan,mike.morgan@contoso.com,55,(11) 91234-5678,,,,,Phone call,Standard,,,Yes,,Portuguese\n', '');
    editUsers('victor.vance@contoso.com,Victor,Vance,victor.vance@contoso.com,1,(425) 555-0116', 'victor.vance@contoso.com,Victor,Vance,victor.vance@contoso.com,1,(425) 555-0166');
    writeFileSync(join(dir, 'users.csv'), `${readFileSync(join(dir, 'users.csv'), 'utf8')}jose.munoz@contoso.com,José,Muñoz,jose.munoz@contoso.com,1,(425) 555-0144,,,,,Text message,,OTP,,Yes,,Spanish\n`);

    const second = await cycle();
    expect(second.counts).toMatchObject({ new: 1, changed: 3 });
    expect(second.left.map((user) => user.username)).toEqual(['mike.morgan@contoso.com']);
    expect(second.left[0]?.lastRunId).toBe(first.run.id);
    expect(second.executed?.operations.failed).toBe(0);
    // R17: ivan's mobile was written by the first cycle and is unchanged in Entra: updated.
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550128');
    const ivan = [...journal.iterateUsers(second.run.id)].find((user) => user.username === 'ivan.ivanov@contoso.com');
    expect(ivan?.issues.map((issue) => issue.code)).toContain('PHONE_UPDATED');
    expect(ivan?.finalStatus).toBe('migrated');
    // R17: the default the first cycle set follows the changed method.
    expect(entraUser('xavier@contoso.com').signInPreferences.userPreferredMethodForSecondaryAuthentication).toBe('sms');
    // victor's mobile was in Entra before any run of ours: his, so a conflict under keep.
    expect(mobileOf('victor.vance@contoso.com')).toBe('+1 4255550116');
    const victor = [...journal.iterateUsers(second.run.id)].find((user) => user.username === 'victor.vance@contoso.com');
    expect(victor?.finalStatus).toBe('conflict');
    expect(mobileOf('jose.munoz@contoso.com')).toBe('+1 4255550144');
    expect(entraUser('mike.morgan@contoso.com')).toEqual(mikeBefore);

    // Listed once: the next cycle does not list mike again, and he is not read.
    const third = await cycle();
    expect(third.left).toEqual([]);
    expect([...journal.iterateUsers(third.run.id)].map((user) => user.username)).not.toContain('mike.morgan@contoso.com');
  });

  it('--recheck-after: unchanged users last read longer ago are read again: a method removed in Entra is written back, a number the user changed is theirs', async () => {
    await cycle();
    // bob's mobile (his backup phone) is not his default's phone, so it can be removed.
    expect(mobileOf('bob.brown@contoso.com')).toBe('+1 2065550102');
    const removed = await callGraph(emulator, 'DELETE', `/v1.0/users/${ids.bob}/authentication/phoneMethods/${ids.mobile}`);
    expect(removed.status).toBe(204);
    // ivan changes his number himself (My Security Info).
    const changed = await callGraph(emulator, 'PATCH', `/v1.0/users/${entraUser('ivan.ivanov@contoso.com').id}/authentication/phoneMethods/${ids.mobile}`, { body: { phoneNumber: '+1 4255550188', phoneType: 'mobile' } });
    expect(changed.status).toBe(204);
    const notDue = await cycle();
    expect(notDue.counts.rechecked).toBe(0);
    expect(mobileOf('bob.brown@contoso.com')).toBeUndefined();

    const due = await cycle(syncInput({ recheckAfterMs: 0 }));
    expect(due.counts.rechecked).toBeGreaterThan(10);
    expect(mobileOf('bob.brown@contoso.com')).toBe('+1 2065550102');
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550188');
    const ivan = [...journal.iterateUsers(due.run.id)].find((user) => user.username === 'ivan.ivanov@contoso.com');
    expect(ivan?.finalStatus).toBe('conflict');
    expect(ivan?.issues.map((issue) => issue.code)).toContain('PHONE_CONFLICT');
  });

  it('status, verify and rollback --run work on a sync cycle; after its rollback the next cycle plans its users again', async () => {
    await cycle();
    editUsers('(425) 555-0108', '(425) 555-0128');
    const changed = await cycle();
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550128');

    const status = readRunStatus(journal, changed.run.id, systemClock);
    expect(status.run.command).toBe('sync');
    expect(status.operations.done).toBeGreaterThan(0);
    const verified = await runVerify({ runId: null }, deps());
    expect(verified.verifiedRun.id).toBe(changed.run.id);
    expect(verified.drifted).toBe(0);

    const rolled = await runRollback({ applyRunId: changed.run.id, execute: true, tenant: { graphUrl: 'emulator', tenantId: null } }, deps());
    expect(rolled.operations.failed).toBe(0);
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550108');
    const again = await cycle();
    const replanned = [...journal.iterateUsers(again.run.id)].map((user) => user.username);
    expect(replanned).toContain('ivan.ivanov@contoso.com');
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550128');
  });

  it('a cycle stopped mid-way is interrupted; the next sync finishes it before a new cycle', async () => {
    const controller = new AbortController();
    const stopping = { ...silentProgress, start: (label: string) => { if (label === 'Applying') { graph.stop(); controller.abort(); } } };
    const input = syncInput();
    const stopped = await runSyncCycle(input, await startSync(input, deps()), deps(controller.signal, stopping));
    expect(stopped.interrupted).toBe(true);
    expect(journal.getRun(stopped.run.id)?.status).toBe('interrupted');
    graph.close();
    graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });

    const next = await cycle();
    expect(next.resumed?.run.id).toBe(stopped.run.id);
    expect(next.resumed?.executed.interrupted).toBe(false);
    expect(journal.getRun(stopped.run.id)?.status).toBe('finished');
    expect(next.run.id).not.toBe(stopped.run.id);
    expect(next.counts.new).toBe(0);
    expect(mobileOf('ivan.ivanov@contoso.com')).toBe('+1 4255550108');
    for (const count of Object.values(emulator.stats().phoneCreates)) expect(count).toBe(1);
  });

  it('--every: a cycle per period until the signal stops the wait, each a run of its own', async () => {
    const controller = new AbortController();
    let slept = 0;
    const lines: string[] = [];
    const outcome = await runSync(syncInput(), deps(controller.signal), {
      everyMs: 60_000,
      sleep: (ms) => {
        expect(ms).toBeGreaterThan(50_000);
        slept += 1;
        if (slept === 2) controller.abort();
        return Promise.resolve(slept < 2);
      },
    }, {
      cycle: (result, nextAt) => {
        lines.push(`${result.run.id} ${String(result.counts.unchanged)} ${nextAt === null ? '-' : 'next'}`);
        return Promise.resolve();
      },
      cycleFailed: (error) => { throw error; },
    });
    expect(outcome.stoppedBy).toBe('request');
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('next'))).toBe(true);
    expect(new Set(lines.map((line) => line.split(' ')[0])).size).toBe(2);
  });
});
