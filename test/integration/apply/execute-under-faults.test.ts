/**
 * executePlannedOperations under injected 5xx (whole and inner), dropped connections and latency:
 * the loop never throws, every operation ends `done` or `failed` with a code, no phone is created
 * twice, and every user whose operations are done holds exactly the planned state. Before the
 * executor fix in #withoutDependentsOf, a chained call re-queued after its dependency gave up
 * made buildBatchBody throw.
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
const createOffice: Operation = { kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: '+1 4255550300', previousPhoneNumber: null };
const preferSms: Operation = { kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: null };

interface UserSnapshot {
  readonly id: string;
  readonly phoneMethods: readonly { readonly phoneType: string; readonly phoneNumber: string }[];
  readonly signInPreferences: { readonly userPreferredMethodForSecondaryAuthentication: string | null };
}

describe('executePlannedOperations under faults', () => {
  it('ends every operation with an outcome and never writes a phone twice', async () => {
    const emulator = await startTestEmulator({ faults: 'seed=7,5xx=0.3,drop=0.2,latency=5-20' });
    const graph = emulatorGateway(emulator, { executor: { requestTimeoutMs: 500, retryBaseDelayMs: 5, retryMaxDelayMs: 40, maxTransportAttempts: 10, maxServerErrorAttempts: 10 } });
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      const users = [ids.bob, ids.carol, ids.dave];
      journal.recordUsers(runId, users.map((id, index) => {
        const before = aRecordedEntraState({ phones: [] });
        return aUserRecord(index + 2, { before: { ...before, user: { ...before.user, id } }, plan: aUserPlan({ operations: [createMobile, createOffice, preferSms] }) });
      }));
      const entraIds = new Map([...journal.iterateUsers(runId)].map((user) => [user.id, user.entraUserId]));
      await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf: (id) => entraIds.get(id) ?? null, tokenOf: noSeeds });

      const operations = [...journal.iterateOperations(runId)];
      for (const operation of operations) {
        expect(['done', 'failed']).toContain(operation.status);
        if (operation.status === 'failed') expect(operation.errorMessage).not.toBeNull();
      }
      for (const count of Object.values(emulator.stats().phoneCreates)) expect(count).toBe(1);
      const snapshot = emulator.state()['users'] as readonly UserSnapshot[];
      for (const [journalUserId, entraUserId] of entraIds) {
        if (operations.some((operation) => operation.userId === journalUserId && operation.status !== 'done')) continue;
        const user = snapshot.find((candidate) => candidate.id === entraUserId);
        expect(user?.phoneMethods.map((phone) => [phone.phoneType, phone.phoneNumber])).toEqual([['mobile', '+1 4255550100'], ['office', '+1 4255550300']]);
        expect(user?.signInPreferences.userPreferredMethodForSecondaryAuthentication).toBe('sms');
      }
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });
});
