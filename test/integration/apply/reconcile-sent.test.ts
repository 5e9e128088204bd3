/**
 * reconcileSentOperations after a simulated crash: two operations were marked `sent`, only one
 * reached Graph. Reconciling reads the user's state: the applied one becomes `done`, the other
 * goes back to `planned`; finishing the run then writes the mobile exactly once.
 */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/secret.js';
import { openMemoryJournal } from '../../../src/journal/journal.js';
import { executePlannedOperations } from '../../../src/migrate/apply-execute.js';
import { noSeeds } from '../../support/apply.js';
import { reconcileSentOperations } from '../../../src/migrate/apply-reconcile.js';
import type { Operation } from '../../../src/plan/operations.js';
import { ids, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';
import { anEntraState } from '../../support/entra-builders.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun, aRecordedEntraState, aUserPlan, aUserRecord } from '../../support/journal-builders.js';

const createMobile: Operation = { kind: 'createPhone', target: 'mobile', status: 'planned', phoneNumber: '+1 4255550100', previousPhoneNumber: null };
const preferSms: Operation = { kind: 'setPreferredMethod', target: 'sms', status: 'planned', previous: null };

describe('reconcileSentOperations', () => {
  it('marks a write Entra shows done, re-plans one it does not, and the finished run wrote the mobile once', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      const before = aRecordedEntraState({ phones: [] });
      const entraUser = { ...before.user, id: ids.bob, userPrincipalName: 'bob.brown@contoso.com' };
      journal.recordUsers(runId, [aUserRecord(2, { before: { ...before, user: entraUser }, plan: aUserPlan({ operations: [createMobile, preferSms] }) })]);
      const [mobile, preference] = journal.nextPlannedOperations(runId, 10);
      if (mobile === undefined || preference === undefined) throw new Error('the plan holds two operations');
      // The crash: both marked sent, only the mobile reached Graph.
      journal.markSent([mobile.id, preference.id]);
      await graph.write([{ userId: ids.bob, writes: [{ tag: 'mobile', operation: { kind: 'addPhone', phoneType: 'mobile', phoneNumber: '+1 4255550100' } }] }]);

      expect(await reconcileSentOperations(journal, runId, graph)).toEqual({ done: 1, replanned: 1, failed: 0 });
      expect([...journal.iterateOperations(runId)].map((operation) => operation.status)).toEqual(['done', 'planned']);

      const outcome = await executePlannedOperations({ journal, graph }, { runId, entraUserIdOf: () => ids.bob, tokenOf: noSeeds });
      expect(outcome).toMatchObject({ done: 1, failed: 0 });
      expect(emulator.stats().phoneCreates).toEqual({ [`${ids.bob}/mobile`]: 1 });
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });

  it('recognises a token assigned before the crash, and activates it through the method id Entra shows, not the device id', async () => {
    // fixtures/tenant.json: TOTP0200 is in the inventory, unassigned.
    const deviceId = 'e1f2a3b4-0000-4000-8000-000000000200';
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const journal = openMemoryJournal({ clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      const before = anEntraState({ phones: [] });
      const entraUser = { ...before.user, id: ids.bob, userPrincipalName: 'bob.brown@contoso.com' };
      const assign: Operation = { kind: 'assignHardwareToken', target: 'TOTP0200', status: 'planned', deviceId };
      const activate: Operation = { kind: 'activateHardwareToken', target: 'TOTP0200', status: 'planned', deviceId };
      journal.recordUsers(runId, [aUserRecord(2, { before: { ...before, user: entraUser }, plan: aUserPlan({ operations: [assign, activate] }) })]);
      const [assigned] = journal.nextPlannedOperations(runId, 1);
      if (assigned === undefined) throw new Error('the plan holds the assign');
      // The crash: the assign was sent and carried out, its answer never recorded.
      journal.markSent([assigned.id]);
      await graph.write([{ userId: ids.bob, writes: [{ tag: 'assign', operation: { kind: 'assignHardwareToken', serialNumber: 'TOTP0200', device: { id: deviceId } } }] }]);
      const methodId = (emulator.state() as { users: { id: string; hardwareOathMethods: { id: string }[] }[] }).users.find((user) => user.id === ids.bob)?.hardwareOathMethods[0]?.id;
      expect(methodId).toBeDefined();
      expect(methodId).not.toBe(deviceId);

      expect(await reconcileSentOperations(journal, runId, graph)).toEqual({ done: 1, replanned: 0, failed: 0 });
      expect([...journal.iterateOperations(runId)].map((operation) => [operation.kind, operation.status, operation.result?.resourceId ?? null])).toEqual([
        ['assignHardwareToken', 'done', methodId],
        ['activateHardwareToken', 'planned', null],
      ]);

      const outcome = await executePlannedOperations({ journal, graph }, {
        runId,
        entraUserIdOf: () => ids.bob,
        tokenOf: (operation) => ({
          serialNumber: operation.target, manufacturer: 'Contoso', model: 'Hardware Key', seed: new Secret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ'), timeIntervalInSeconds: 30, hashFunction: 'hmacsha1', displayName: null,
        }),
      });
      expect(outcome).toMatchObject({ done: 1, failed: 0 });
      const token = (emulator.state() as { hardwareOathDevices: { id: string; status: string; assignedTo: string | null }[] }).hardwareOathDevices.find((device) => device.id === deviceId);
      expect(token).toMatchObject({ status: 'activated', assignedTo: ids.bob });
    } finally {
      journal.close();
      graph.close();
      await emulator.close();
    }
  });
});
