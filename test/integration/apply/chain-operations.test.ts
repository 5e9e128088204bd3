/**
 * buildUserChain and packChains: a user's planned operations become one dependsOn chain in seq
 * order, a hardware token's assign waits for its create's answer, chains are packed into batches of
 * at most 20 without being split, and the groups built are accepted by the emulator over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import type { StoredOperation } from '../../../src/run-records.js';
import { buildUserChain, packChains, type ChainContext } from '../../../src/migrate/apply-batches.js';
import { Secret } from '../../../src/secret.js';
import { ids, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

const progress = { runId: 'run', attempts: 0, requestId: null, graphCode: null, errorMessage: null, result: null, revertsOperationId: null, sentAt: null, doneAt: null } as const;

function phone(id: number, userId: number, seq: number, target: 'mobile' | 'alternateMobile' | 'office', phoneNumber: string): StoredOperation {
  return { ...progress, id, userId, seq, kind: 'createPhone', target, phoneNumber, previousPhoneNumber: null, status: 'planned' };
}

function preferred(id: number, userId: number, seq: number): StoredOperation {
  return { ...progress, id, userId, seq, kind: 'setPreferredMethod', target: 'sms', previous: null, status: 'planned' };
}

function contextFor(entraUserId: string, overrides: Partial<ChainContext> = {}): ChainContext {
  return {
    entraUserId,
    nowMs: 0,
    deviceIdOf: (operation) => ('deviceId' in operation ? operation.deviceId : null),
    tokenOf: (operation) => ({
      serialNumber: operation.target, manufacturer: 'Contoso', model: 'T1', seed: new Secret('JBSWY3DPEHPK3PXP'), timeIntervalInSeconds: 30, hashFunction: 'hmacsha1', displayName: null,
    }),
    ...overrides,
  };
}

function token(id: number, seq: number, kind: 'createHardwareToken' | 'assignHardwareToken' | 'activateHardwareToken', deviceId: string | null = null): StoredOperation {
  return { ...progress, id, userId: 1, seq, kind, target: 'TOTP1', deviceId, status: 'planned' };
}

describe('buildUserChain and packChains', () => {
  it('chains a user in seq order and goes to beta when the chain sets the preferred method', () => {
    const chain = buildUserChain([preferred(3, 1, 3), phone(2, 1, 2, 'alternateMobile', '+1 4255550101'), phone(1, 1, 1, 'mobile', '+1 4255550100')], contextFor('u1'));
    expect(chain.unsendable).toBeNull();
    const calls = chain.calls;
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
    const users = [...new Set(operations.map((operation) => operation.userId))];
    const groups = packChains(users.map((user) => buildUserChain(operations.filter((operation) => operation.userId === user), contextFor(`u${String(user)}`))));
    expect(groups.map((group) => group.calls.length)).toEqual([18, 9]);
    for (const group of groups) expect(new Set(group.operations.map((operation) => operation.userId)).size * 3).toBe(group.calls.length);
  });

  it('ends the chain before an assign whose device is created in the same chain', () => {
    const chain = buildUserChain([phone(1, 1, 1, 'mobile', '+1 4255550100'), token(2, 2, 'createHardwareToken'), token(3, 3, 'assignHardwareToken'), preferred(4, 1, 4)], contextFor('u1'));
    expect(chain.operations.map((operation) => operation.id)).toEqual([1, 2]);
    expect(chain.calls.map((call) => call.version)).toEqual(['beta', 'beta']);
    expect(chain.unsendable).toBeNull();
  });

  it('assigns and activates a token whose device id is known, and reports a token without its seed as unsendable', () => {
    const known = buildUserChain([token(2, 1, 'assignHardwareToken', 'dev-1'), token(3, 2, 'activateHardwareToken', 'dev-1')], contextFor('u1'));
    expect(known.calls.map((call) => call.path)).toEqual(['/users/u1/authentication/hardwareOathMethods', '/users/u1/authentication/hardwareOathMethods/dev-1/activate']);
    const withoutSeed = buildUserChain([phone(1, 1, 1, 'mobile', '+1 4255550100'), token(2, 2, 'createHardwareToken')], contextFor('u1', { tokenOf: () => ({ problem: 'no tokens file' }) }));
    expect(withoutSeed.operations.map((operation) => operation.id)).toEqual([1]);
    expect(withoutSeed.unsendable).toMatchObject({ operation: { id: 2 }, reason: 'no tokens file' });
    const unknownDevice = buildUserChain([token(3, 1, 'assignHardwareToken')], contextFor('u1'));
    expect(unknownDevice.unsendable?.reason).toMatch(/inventory id .* not known/);
  });

  it('builds groups the emulator executes', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    try {
      const groups = packChains([
        buildUserChain([phone(1, 1, 1, 'mobile', '+1 4255550100'), preferred(2, 1, 2)], contextFor(ids.bob)),
        buildUserChain([phone(3, 2, 1, 'office', '+1 4255550300')], contextFor(ids.carol)),
      ]);
      const results = await graph.executeBatch(groups[0]?.calls ?? []);
      expect(results.map((result) => result.status)).toEqual([201, 204, 201]);
      expect(emulator.stats().phoneCreates).toMatchObject({ [`${ids.bob}/mobile`]: 1, [`${ids.carol}/office`]: 1 });
    } finally {
      graph.close();
      await emulator.close();
    }
  });
});
