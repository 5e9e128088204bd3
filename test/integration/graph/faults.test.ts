/**
 * Retries against the emulator's injected faults: 5xx answers (whole and inside $batch), dropped
 * connections and requests that are never answered (the per-request timeout) — every user is
 * still read, each failure retried within its bounds.
 */
import { describe, expect, it } from 'vitest';
import { sampleSeed, startTestEmulator } from '../../support/emulator.js';
import { emulatorGateway, lookup, readAll } from './gateway-fixture.js';

describe('faults', () => {
  it('reads every user through 5xx answers, dropped connections and stalled requests', async () => {
    // Fault decisions follow the request sequence, which concurrency shuffles: rates are high and
    // the users are read four times so that every kind of fault occurs in every run.
    const emulator = await startTestEmulator({ faults: 'seed=11,5xx=0.15,drop=0.15,stall=0.1' });
    const graph = emulatorGateway(emulator, { executor: { requestTimeoutMs: 300, retryBaseDelayMs: 5, retryMaxDelayMs: 40, maxTransportAttempts: 10, maxServerErrorAttempts: 10 } });
    try {
      const upns = sampleSeed().users.map((user) => String(user['userPrincipalName']));
      for (let round = 0; round < 4; round += 1) {
        const results = await readAll(graph, upns.map((upn) => lookup(upn)));
        expect(results.filter((result) => result.state !== null)).toHaveLength(upns.length);
        expect(results.every((result) => result.error === null)).toBe(true);
      }
      const { faults } = emulator.stats();
      expect(faults['serverError'] ?? 0).toBeGreaterThan(0);
      expect(faults['drop'] ?? 0).toBeGreaterThan(0);
      expect(faults['stall'] ?? 0).toBeGreaterThan(0);
      const policy = await graph.readTenantPolicy();
      expect(policy.methods.length).toBeGreaterThan(0);
    } finally {
      graph.close();
      await emulator.close();
    }
  });
});

describe('timeouts', () => {
  it('abandons a request that is never answered after the per-request timeout, retries it, then stops with GRAPH_UNREACHABLE', async () => {
    const emulator = await startTestEmulator({ faults: 'seed=1,stall=1' });
    const graph = emulatorGateway(emulator, { executor: { requestTimeoutMs: 100, retryBaseDelayMs: 5, retryMaxDelayMs: 10, maxTransportAttempts: 2 } });
    try {
      const started = Date.now();
      await expect(graph.readTenantPolicy()).rejects.toMatchObject({ code: 'GRAPH_UNREACHABLE', exitCode: 6, message: expect.stringContaining('no answer within 0.1 s') as unknown });
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(emulator.stats().faults['stall']).toBe(2);
    } finally {
      graph.close();
      await emulator.close();
    }
  });
});
