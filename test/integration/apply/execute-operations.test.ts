/**
 * executePlannedOperations: a journal run's planned operations sent to the emulator, each marked
 * `sent` before it leaves and `done` or `failed` (Graph's code, 424 for a failed dependency) after;
 * a second pass sends nothing.
 */
import { describe, expect, it } from 'vitest';
import { openMemoryJournal } from '../../../src/journal/journal.js';
import { executePlannedOperations } from '../../../src/migrate/apply-execute.js';
import { noSeeds } from '../../support/apply.js';
import type { Operation } from '../../../src/plan/operations.js';
import { ids, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun, aRecordedEntraState, aUserPlan, aUserRecord } from '../../support/journal-builders.js';

const createMobile: Operation = { kind: 'createPhone', target: 'mobile', status: 'planned', phoneNumber: '+1 4255550100', previousPhoneNumber: null };
const preferSms: Operation = { kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: null };
const token: Operation = { kind: 'createHardwareToken', target: 'TOTP9002', status: 'planned', deviceId: null };

function userOn(line: number, entraUserId: string, operations: readonly Operation[]) {
  const before = aRecordedEntraState({ phones: [] });
  return aUserRecord(line, { before: { ...before, user: { ...before.user, id: entraUserId } }, plan: aUserPlan({ operations }) });
}

describe('executePlannedOperations', () => {
  it('records done with the created id, failed with Graph code, 424 dependents as failedDependency, and sends nothing twice', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      // Alice already holds a mobile in fixtures/tenant.json: her create fails and her preference is not applied.
      journal.recordUsers(runId, [userOn(2, ids.bob, [createMobile, preferSms]), userOn(3, ids.alice, [createMobile, preferSms]), userOn(4, ids.carol, [token])]);
      const entraIds = new Map([...journal.iterateUsers(runId)].map((user) => [user.id, user.entraUserId]));
      const entraUserIdOf = (id: number): string | null => entraIds.get(id) ?? null;

      const outcome = await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf, tokenOf: noSeeds });
      expect(outcome).toEqual({ done: 2, failed: 2, skipped: 1, stopped: false });
      const operations = [...journal.iterateOperations(runId)];
      const bob = operations.filter((operation) => entraIds.get(operation.userId) === ids.bob);
      expect(bob.map((operation) => operation.status)).toEqual(['done', 'done']);
      expect(bob[0]?.result?.resourceId).toBe(ids.mobile);
      const alice = operations.filter((operation) => entraIds.get(operation.userId) === ids.alice);
      expect(alice.map((operation) => operation.status)).toEqual(['failed', 'failed']);
      expect(alice[0]?.graphCode).not.toBeNull();
      expect(alice[1]?.graphCode).toBe('failedDependency');
      expect(operations.find((operation) => operation.kind === 'createHardwareToken')?.status).toBe('skipped');

      const writes = emulator.stats().writes;
      expect(await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf, tokenOf: noSeeds })).toEqual({ done: 0, failed: 0, skipped: 0, stopped: false });
      expect(emulator.stats().writes).toBe(writes);
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });

  it('stops before taking a new slice when asked, leaving the rest planned', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      journal.recordUsers(runId, [userOn(2, ids.bob, [createMobile])]);
      const outcome = await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf: () => ids.bob, tokenOf: noSeeds, signal: AbortSignal.abort() });
      expect(outcome.stopped).toBe(true);
      expect([...journal.iterateOperations(runId)].map((operation) => operation.status)).toEqual(['planned']);
      expect(emulator.stats().writes).toBe(0);
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });

  it('on a stop, a write Graph throttled is not sent again: it goes back to planned, with its send counted', async () => {
    // Every request is answered 429 with a Retry-After of 5 s: the write waits to be sent again.
    const emulator = await startTestEmulator({ faults: 'seed=1,429=1,retryAfter=5' });
    const controller = new AbortController();
    const graph = emulatorGateway(emulator, {
      observer: {
        answered: () => {
          if (controller.signal.aborted) return;
          graph.stop();
          controller.abort();
        },
      },
    });
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      journal.recordUsers(runId, [userOn(2, ids.bob, [createMobile, preferSms])]);
      const started = Date.now();
      const outcome = await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf: () => ids.bob, tokenOf: noSeeds, signal: controller.signal });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(outcome).toMatchObject({ done: 0, failed: 0, stopped: true });
      expect([...journal.iterateOperations(runId)].map((operation) => [operation.status, operation.attempts])).toEqual([['planned', 1], ['planned', 1]]);
      expect(emulator.stats().writes).toBe(0);
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });

  it('skips a write that cannot be sent (no seed for a token) and the user\'s writes after it, with the reason; sends what came before', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      journal.recordUsers(runId, [userOn(2, ids.bob, [createMobile, token, preferSms])]);
      const outcome = await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf: () => ids.bob, tokenOf: noSeeds });
      expect(outcome).toMatchObject({ done: 1, failed: 0, skipped: 2 });
      expect([...journal.iterateOperations(runId)].map((operation) => [operation.kind, operation.status, operation.errorMessage])).toEqual([
        ['createPhone', 'done', null],
        ['createHardwareToken', 'skipped', 'no seed for TOTP9002 in this test'],
        ['setPreferredMethod', 'skipped', 'not sent: an earlier operation for this user (createHardwareToken TOTP9002) could not be sent'],
      ]);
      expect(emulator.stats().writes).toBe(1);
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });
});

