/**
 * The gateway's write protocol against the in-process emulator (real HTTP, `$batch`): a user's
 * writes go in as one dependsOn chain, on beta when the chain sets the preferred method; the
 * beforeSend hook names exactly the writes of each request that leaves, once each; outcomes carry
 * Graph's ids; a 424 behind a refusal is `failedDependency`; a write that takes an id from an
 * earlier one's answer leaves in a later request, and not at all when that one failed; chains are
 * never split and batches hold at most 20.
 */
import { describe, expect, it } from 'vitest';
import type { WriteOperation, WriteResult } from '../../../src/graph/gateway.js';
import { Secret } from '../../../src/secret.js';
import { ids, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway } from './gateway-fixture.js';

interface UserSnapshot {
  readonly id: string;
  readonly phoneMethods: readonly { readonly phoneType: string; readonly phoneNumber: string }[];
  readonly hardwareOathMethods: readonly { readonly serialNumber: string; readonly status: string }[];
  readonly signInPreferences: { readonly userPreferredMethodForSecondaryAuthentication: string | null };
}

function userOf(state: Record<string, unknown>, id: string): UserSnapshot {
  const user = (state['users'] as readonly UserSnapshot[]).find((candidate) => candidate.id === id);
  if (user === undefined) throw new Error(`user ${id} missing from the emulator state`);
  return user;
}

const SEED_BASE32 = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const token = { serialNumber: 'TOTP9001', manufacturer: 'Contoso', model: 'OTP-6', seed: new Secret(SEED_BASE32), timeIntervalInSeconds: 30, hashFunction: 'hmacsha1', displayName: null } as const;

function outcomes<T>(results: readonly WriteResult<T>[]): unknown[] {
  return results.map((result) => result.outcome);
}

describe('gateway writes', () => {
  it('chains a user\'s writes in one beta $batch, tells beforeSend once per request, and returns Graph\'s ids', async () => {
    const emulator = await startTestEmulator();
    const sent: { version: string; calls: number }[] = [];
    const graph = emulatorGateway(emulator, { observer: { sent: (event) => sent.push({ version: event.kind, calls: event.calls.length }) } });
    const told: string[][] = [];
    const answered: string[][] = [];
    try {
      const results = await graph.write(
        [{ userId: ids.bob, writes: [
          { tag: 'm', operation: { kind: 'addPhone', phoneType: 'mobile', phoneNumber: '+1 4255550100' } },
          { tag: 'a', operation: { kind: 'addPhone', phoneType: 'alternateMobile', phoneNumber: '+1 4255550101' } },
          { tag: 'p', operation: { kind: 'setPreferredMethod', method: 'sms' } },
        ] }],
        { beforeSend: (tags) => told.push([...tags]), answered: (settled) => answered.push(settled.map((result) => result.tag)) },
      );
      expect(told).toEqual([['m', 'a', 'p']]);
      expect(answered).toEqual([['m', 'a', 'p']]);
      expect(sent).toEqual([{ version: 'batch', calls: 3 }]);
      expect(results.map((result) => [result.tag, result.outcome.status])).toEqual([['m', 'done'], ['a', 'done'], ['p', 'done']]);
      expect(results[0]?.outcome).toMatchObject({ resourceId: ids.mobile });
      expect(results[2]?.outcome).toMatchObject({ resourceId: null });
      const bob = userOf(emulator.state(), ids.bob);
      expect(bob.phoneMethods.map((phone) => [phone.phoneType, phone.phoneNumber])).toEqual([['mobile', '+1 4255550100'], ['alternateMobile', '+1 4255550101']]);
      expect(bob.signInPreferences.userPreferredMethodForSecondaryAuthentication).toBe('sms');
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('fails a refused write with Graph\'s code and request-id, and the write chained after it as failedDependency', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    try {
      // Alice already holds a mobile (fixtures/tenant.json): Graph refuses a second one.
      const results = await graph.write([{ userId: ids.alice, writes: [
        { tag: 'm', operation: { kind: 'addPhone', phoneType: 'mobile', phoneNumber: '+1 4255550199' } },
        { tag: 'p', operation: { kind: 'setPreferredMethod', method: 'sms' } },
      ] }]);
      expect(outcomes(results)).toEqual([
        // The development token names no app: the outcome says who answered as far as it is known.
        { status: 'failed', code: expect.any(String) as string, message: expect.any(String) as string, requestId: expect.any(String) as string, app: { name: null, clientId: null } },
        { status: 'failed', code: 'failedDependency', message: expect.stringContaining('earlier write') as string, requestId: expect.anything() as string, app: { name: null, clientId: null } },
      ]);
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('creates, assigns and activates a token in one call: assign takes the device id create answers, activate the method id assign answers, each in a later request; the seed is never echoed', async () => {
    const emulator = await startTestEmulator();
    const requests: number[] = [];
    const graph = emulatorGateway(emulator, { observer: { sent: (event) => requests.push(event.calls.length) } });
    const told: string[][] = [];
    try {
      const results = await graph.write([{ userId: ids.bob, writes: [
        { tag: 'create', operation: { kind: 'createHardwareToken', token } },
        { tag: 'assign', operation: { kind: 'assignHardwareToken', serialNumber: token.serialNumber, device: { fromWrite: 0 } } },
        { tag: 'activate', operation: { kind: 'activateHardwareToken', token, method: { fromWrite: 1 } } },
      ] }], { beforeSend: (tags) => told.push([...tags]) });
      expect(told).toEqual([['create'], ['assign'], ['activate']]);
      expect(requests).toEqual([1, 1, 1]);
      expect(results.map((result) => result.outcome.status)).toEqual(['done', 'done', 'done']);
      const created = results[0]?.outcome;
      expect(created?.status === 'done' ? created.resourceId : null).toMatch(/^[0-9a-f-]{36}$/);
      expect(userOf(emulator.state(), ids.bob).hardwareOathMethods).toEqual([expect.objectContaining({ serialNumber: 'TOTP9001', status: 'activated' })]);
      expect(JSON.stringify(results)).not.toContain(SEED_BASE32);
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('does not send a write whose id an earlier write was to answer when that write failed', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const told: string[][] = [];
    try {
      // TOTP0002 is in the inventory already: Graph refuses to create it again.
      const existing = { ...token, serialNumber: 'TOTP0002' };
      const results = await graph.write([{ userId: ids.bob, writes: [
        { tag: 'create', operation: { kind: 'createHardwareToken', token: existing } },
        { tag: 'assign', operation: { kind: 'assignHardwareToken', serialNumber: existing.serialNumber, device: { fromWrite: 0 } } },
      ] }], { beforeSend: (tags) => told.push([...tags]) });
      expect(told).toEqual([['create']]);
      expect(results[0]?.outcome.status).toBe('failed');
      expect(results[1]?.outcome).toEqual({ status: 'notSent', because: 'earlierFailed', after: 0 });
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('never splits a user\'s chain across requests and puts at most 20 writes in one', async () => {
    const emulator = await startTestEmulator({ throttle: 'off' });
    const requests: number[] = [];
    const graph = emulatorGateway(emulator, { observer: { sent: (event) => requests.push(event.calls.length) } });
    const users = [ids.bob, ids.carol, ids.dave, ids.grace, ids.heidi, ids.judy, ids.rupert, ids.trent, ids.yolanda];
    const phones: readonly WriteOperation[] = [
      { kind: 'addPhone', phoneType: 'mobile', phoneNumber: '+1 4255550100' },
      { kind: 'addPhone', phoneType: 'alternateMobile', phoneNumber: '+1 4255550101' },
      { kind: 'addPhone', phoneType: 'office', phoneNumber: '+1 4255550102' },
    ];
    const carried: string[][] = [];
    try {
      await graph.write(users.map((userId) => ({ userId, writes: phones.map((operation, index) => ({ tag: `${userId}/${String(index)}`, operation })) })), { beforeSend: (tags) => carried.push([...tags]) });
      expect(requests).toEqual([18, 9]);
      for (const tags of carried) {
        const byUser = new Map<string, number>();
        for (const tag of tags) byUser.set(tag.split('/')[0] ?? '', (byUser.get(tag.split('/')[0] ?? '') ?? 0) + 1);
        expect([...byUser.values()].every((count) => count === 3)).toBe(true);
      }
    } finally {
      graph.close();
      await emulator.close();
    }
  });

  it('after stop, sends nothing: every write comes out not sent, and beforeSend is never told', async () => {
    const emulator = await startTestEmulator();
    const graph = emulatorGateway(emulator);
    const told: string[][] = [];
    try {
      expect(graph.stop()).toBe(0);
      const results = await graph.write([{ userId: ids.bob, writes: [
        { tag: 'm', operation: { kind: 'addPhone', phoneType: 'mobile', phoneNumber: '+1 4255550100' } },
        { tag: 'p', operation: { kind: 'setPreferredMethod', method: 'sms' } },
      ] }], { beforeSend: (tags) => told.push([...tags]) });
      expect(outcomes(results)).toEqual([{ status: 'notSent', because: 'stopped', after: null }, { status: 'notSent', because: 'stopped', after: null }]);
      expect(told).toEqual([]);
      expect(emulator.stats().requests).toBe(0);
    } finally {
      graph.close();
      await emulator.close();
    }
  });
});

