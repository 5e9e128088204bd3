/**
 * plan over 5,000 users against an emulator whose read budget is low and time-scaled (1,500
 * resource units per 1.5 s window): every user is planned, Graph had to throttle and no request
 * leaves before the Retry-After it was given. The share of the read budget plan turns into reads
 * is printed, not asserted: it is a wall-clock rate, `bench/plan.bench.ts` measures it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedTenant } from '../../support/generated-tenant.js';
import { startEmulator } from '../../../src/emulator/server.js';
import { resolveGraphConfig } from '../../../src/graph/config.js';
import { createGraphGateway } from '../../../src/graph/gateway.js';
import { openJournal } from '../../../src/journal/journal.js';
import { memoryLog } from '../../../src/log.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { systemClock } from '../../../src/clock.js';
import { runPlan } from '../../../src/migrate/plan.js';

const USERS = 5_000;
const BUDGET = 1_500;
const TIME_SCALE = 0.15;
const WINDOW_MS = 10_000 * TIME_SCALE;

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-throttled-plan-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('plan under Graph throttling', () => {
  it('plans 5,000 users under a low read budget, never retrying early', async () => {
    const { seed, upns } = generatedTenant(USERS);
    const usersFile = join(dir, 'users.csv');
    await writeFile(usersFile, `Username,Primary Country Code,Primary Phone,Method,Enabled\n${upns.map((upn, index) => `${upn},1,425 555 ${(1000 + (index % 9000)).toString()},Phone call,Yes`).join('\n')}\n`);
    const emulator = await startEmulator({ tenant: seed, throttle: { timeScale: TIME_SCALE, resourceUnitsPerWindow: BUDGET } });
    let sentBeforeRetryAfter = 0;
    let resourceUnits = 0;
    let first = Number.POSITIVE_INFINITY;
    let firstBatch = Number.POSITIVE_INFINITY;
    let last = 0;
    const graph = createGraphGateway(resolveGraphConfig({ graphUrl: emulator.url, auth: { mode: 'emulator' }, limits: { resourceUnitsPerWindow: null } }), {
      clock: systemClock,
      log: memoryLog(),
      observer: {
        sent: (event) => {
          first = Math.min(first, event.at);
          if (event.kind === 'batch') firstBatch = Math.min(firstBatch, event.at);
          sentBeforeRetryAfter += event.calls.filter((call) => call.notBefore > event.at).length;
        },
        answered: (event) => {
          last = Math.max(last, event.at);
          resourceUnits += event.resourceUnits;
        },
      },
    });
    const journal = openJournal(join(dir, 'plan.db'), { clock: systemClock });
    try {
      const result = await runPlan(
        {
          files: { users: usersFile, devices: null, tokens: null },
          columns: {},
          columnsFile: null,
          only: null,
          options: {
            encoding: 'auto', delimiter: 'auto', defaultCountryCode: '1', upnSuffix: null, includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: 'import',
            phoneConflict: 'keep', defaultMethod: 'if-unset', group: null, matchAttribute: null,
          },
          run: { tenantId: null, graphUrl: emulator.url, options: {} },
        },
        { graph, journal, log: memoryLog(), clock: systemClock, progress: silentProgress },
      );
      const stats = emulator.stats();
      const elapsed = last - first;
      // The fastest any client obeying a sliding window could be: the first budget at once, then
      // one budget per window. Efficiency = that time ÷ the time plan took. Read-budget use is the
      // same figure seen from the budget: resource units charged per window of the run ÷ budget.
      const fastestMs = (Math.ceil(resourceUnits / BUDGET) - 1) * WINDOW_MS;
      const efficiency = fastestMs / elapsed;
      process.stdout.write(
        `plan under throttling: ${USERS} users, ${resourceUnits} resource units in ${(elapsed / 1000).toFixed(1)} s (setup ${(firstBatch - first).toFixed(0)} ms); ` +
          `fastest possible ${(fastestMs / 1000).toFixed(1)} s → ${(efficiency * 100).toFixed(1)} % of the read budget used; ${stats.throttled} throttled, ${stats.earlyRetries} early retries\n`,
      );
      expect(result.summary.users).toBe(USERS);
      expect(result.summary.byStatus.failed).toBe(0);
      expect(result.summary.byStatus.unmatched).toBe(0);
      expect(result.summary.byStatus.planned + result.summary.byStatus.unchanged + result.summary.byStatus.conflict).toBe(USERS);
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.earlyRetries).toBe(0);
      expect(stats.writes).toBe(0);
      expect(sentBeforeRetryAfter).toBe(0);
    } finally {
      graph.close();
      journal.close();
      await emulator.close();
    }
  }, 60_000);
});
