/**
 * chainOperations: a user's planned operations become one dependsOn chain in seq order, chains are
 * packed into batches of at most 20 without being split, and the groups it builds are accepted by
 * the emulator over real HTTP with beforeSend firing in order.
 */
import { describe, expect, it } from 'vitest';
import type { StoredOperation } from '../../../src/journal/records.js';
import { chainOperations } from '../../../src/migrate/apply-batches.js';
import { ids, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

const progress = { runId: 'run', attempts: 0, requestId: null, graphCode: null, errorMessage: null, result: null, revertsOperationId: null, sentAt: null, doneAt: null } as const;

function phone(id: number, userId: number, seq: number, target: 'mobile' | 'alternateMobile' | 'office', phoneNumber: string): StoredOperation {
  return { ...progress, id, userId, seq, kind: 'createPhone', target, phoneNumber, previousPhoneNumber: null, status: 'planned' };
}

function preferred(id: number, userId: number, seq: number): StoredOperation {
  return { ...progress, id, userId, seq, kind: 'setPreferredMethod', target: 'sms', previous: null, status: 'planned' };
}

describe('chainOperations', () => {
  it('chains a user in seq order and goes to beta when the chain sets the preferred method', () => {
    const { groups, deferred } = chainOperations([preferred(3, 1, 3), phone(2, 1, 2, 'alternateMobile', '+1 4255550101'), phone(1, 1, 1, 'mobile', '+1 4255550100')], () => 'u1', () => undefined);
    expect(deferred).toEqual([]);
    expect(groups).toHaveLength(1);
    const calls = groups[0]?.calls ?? [];
    expect(calls.map((call) => [call.key, call.dependsOn ?? [], call.version])).toEqual([
      ['op1', [], 'beta'],
      ['op2', ['op1'], 'beta'],
      ['op3', ['op2'], 'beta'],
    ]);
  });

  it('never splits a user across batches and keeps each batch at 20 calls or fewer', () => {
    const operations: StoredOperation[] = [];
    let id = 0;
    for (let user = 1; user <= 9; user += 1) {
      for (let seq = 1; seq <= 3; seq += 1) {
        id += 1;
        operations.push(phone(id, user, seq, (['mobile', 'alternateMobile', 'office'] as const)[seq - 1] ?? 'mobile', '+1 4255550100'));
      }
    }
    const { groups } = chainOperations(operations, (user) => `u${String(user)}`, () => undefined);
    expect(groups.map((group) => group.calls.length)).toEqual([18, 9]);
    for (const group of groups) expect(new Set(group.operations.map((operation) => operation.userId)).size * 3).toBe(group.calls.length);
  });

  it('defers hardware-token operations and users without an Entra id', () => {
    const token: StoredOperation = { ...progress, id: 9, userId: 1, seq: 1, kind: 'createHardwareToken', target: 'TOTP1', deviceId: null, status: 'planned' };
    const unmatched = phone(10, 2, 1, 'mobile', '+1 4255550100');
    const { groups, deferred } = chainOperations([token, unmatched], (user) => (user === 1 ? 'u1' : null), () => undefined);
    expect(groups).toEqual([]);
    expect(deferred.map((operation) => operation.id)).toEqual([9, 10]);
  });

  it('builds groups the emulator executes, marking each operation as it leaves', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const sent: number[] = [];
    try {
      const entraIds = new Map([[1, ids.bob], [2, ids.carol]]);
      const { groups } = chainOperations(
        [phone(1, 1, 1, 'mobile', '+1 4255550100'), preferred(2, 1, 2), phone(3, 2, 1, 'office', '+1 4255550300')],
        (user) => entraIds.get(user) ?? null,
        (operation) => sent.push(operation.id),
      );
      const results = await graph.executeBatch(groups[0]?.calls ?? []);
      expect(results.map((result) => result.status)).toEqual([201, 204, 201]);
      expect(sent.indexOf(1)).toBeLessThan(sent.indexOf(2));
      expect(emulator.stats().phoneCreates).toMatchObject({ [`${ids.bob}/mobile`]: 1, [`${ids.carol}/office`]: 1 });
    } finally {
      graph.close();
      await emulator.close();
    }
  });
});
