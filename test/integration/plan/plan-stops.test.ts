/**
 * plan stopping mid-read, with more users than it reads ahead (so validate is waiting for room):
 * Graph becoming unreachable ends it with GRAPH_UNREACHABLE and the run `failed`; Ctrl-C ends it
 * with INTERRUPTED and the run `interrupted`. Neither leaves a read or the exports' stream waiting.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersCsv } from '../../../bench/apply.bench.js';
import { generatedTenant } from '../../support/generated-tenant.js';
import { systemClock } from '../../../src/clock.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { resolveGraphConfig } from '../../../src/graph/config.js';
import { createGraphGateway, type GraphGateway } from '../../../src/graph/gateway.js';
import { createGraphHttpClient, TransportError, type HttpTransport } from '../../../src/graph/http-client.js';
import { openJournal } from '../../../src/journal/journal.js';
import { memoryLog } from '../../../src/log.js';
import { silentProgress, type Progress } from '../../../src/migrate/deps.js';
import { READ_AHEAD_USERS, runPlan, type PlanInput } from '../../../src/migrate/plan.js';

const USERS = READ_AHEAD_USERS + 1_000;
let dir: string;
let usersFile: string;
let emulator: RunningEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-plan-stops-'));
  usersFile = join(dir, 'users.csv');
  const { seed, upns } = generatedTenant(USERS);
  await writeFile(usersFile, usersCsv(upns));
  emulator = await startEmulator({ tenant: seed, throttle: 'off' });
}, 60_000);
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function input(): PlanInput {
  return {
    files: { users: usersFile, devices: null, tokens: null },
    columns: {},
    columnsFile: null,
    only: null,
    options: { encoding: 'auto', delimiter: 'auto', defaultCountryCode: '1', upnSuffix: null, includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: 'off', phoneConflict: 'keep', defaultMethod: 'if-unset', group: null, matchAttribute: null },
    run: { tenantId: null, graphUrl: emulator.url, options: {} },
  };
}

/** A gateway whose transport stops answering after `answered` requests (connection refused). */
function failingGateway(answered: number): GraphGateway {
  const config = resolveGraphConfig({ graphUrl: emulator.url, auth: { mode: 'emulator' }, executor: { maxTransportAttempts: 2, retryBaseDelayMs: 5, retryMaxDelayMs: 10 } });
  let sent = 0;
  return createGraphGateway(config, {
    clock: systemClock,
    log: memoryLog(),
    transport: (tokens): HttpTransport => {
      const real = createGraphHttpClient({ graphRoot: config.graphRoot, tokens, ca: null, maxSockets: 32 });
      return {
        send: (request) => (++sent > answered ? Promise.reject(new TransportError('network', 'connect ECONNREFUSED', { errorCode: 'ECONNREFUSED' })) : real.send(request)),
        close: () => { real.close(); },
      };
    },
  });
}

describe('plan stopping mid-read', () => {
  it('ends with GRAPH_UNREACHABLE and a failed run when Graph stops answering', async () => {
    const journal = openJournal(join(dir, 'unreachable.db'), { clock: systemClock });
    const graph = failingGateway(40);
    try {
      const error: unknown = await runPlan(input(), { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress }).catch((failure: unknown) => failure);
      expect(error).toMatchObject({ code: 'GRAPH_UNREACHABLE', exitCode: 6 });
      expect(journal.latestRun({ command: 'plan' })?.status).toBe('failed');
    } finally {
      graph.close();
      journal.close();
    }
  }, 30_000);

  it('ends with INTERRUPTED and an interrupted run on Ctrl-C', async () => {
    const journal = openJournal(join(dir, 'interrupted.db'), { clock: systemClock });
    const graph = failingGateway(Number.POSITIVE_INFINITY);
    const controller = new AbortController();
    let advanced = 0;
    const progress: Progress = {
      ...silentProgress,
      // Ctrl-C once the first users have been mapped (validate is streaming, reads are under way).
      advance: (by) => {
        advanced += by;
        if (advanced < 2_500 || controller.signal.aborted) return;
        graph.stop();
        controller.abort();
      },
    };
    try {
      const error: unknown = await runPlan(input(), { graph, journal, log: memoryLog(), clock: systemClock, progress, signal: controller.signal }).catch((failure: unknown) => failure);
      expect(error).toMatchObject({ code: 'INTERRUPTED', exitCode: 6 });
      expect(journal.latestRun({ command: 'plan' })?.status).toBe('interrupted');
    } finally {
      graph.close();
      journal.close();
    }
  }, 30_000);
});
