/**
 * Benchmark: bulk reads of users' Entra state through the Graph gateway against the emulator with
 * a deliberately low, time-scaled read budget (test/support/graph-reads.ts measures). It reports
 * how much of the budget the gateway turns into reads (target ≥ 90 %), users per second, and
 * checks that no request left before the Retry-After it was given.
 *
 *   npm run build && node dist/bench/graph-reads.bench.js                 # 5,000 users, 1,500 RU per 1.5 s
 *   node dist/bench/graph-reads.bench.js --users 20000 --budget 2000
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measureGraphReads, type GraphReadsMeasurement } from '../test/support/graph-reads.js';
import { formatTable } from './table.js';

function printTable(rows: readonly GraphReadsMeasurement[]): void {
  const header = ['mode', 'users', 'read', 'seconds', 'users/s', 'RU charged', 'budget/window', 'window ms', 'budget used', 'rate/budget', '429s', 'early retries', 'sent early', 'batches', 'max in flight'];
  const lines = rows.map((row) => [
    row.mode,
    String(row.users),
    String(row.usersRead),
    row.seconds.toFixed(2),
    String(row.usersPerSecond),
    String(row.resourceUnits),
    String(row.budgetPerWindow),
    String(row.windowMs),
    `${(row.budgetFraction * 100).toFixed(1)} %`,
    `${(row.budgetRate * 100).toFixed(1)} %`,
    String(row.throttled),
    String(row.earlyRetries),
    String(row.sentBeforeRetryAfter),
    String(row.batches),
    String(row.maxBatchesInFlight),
  ]);
  process.stdout.write(formatTable(header, lines));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '5000' },
      budget: { type: 'string', default: '1500' },
      'time-scale': { type: 'string', default: '0.15' },
    },
  });
  const base = { users: Number(values.users), resourceUnitsPerWindow: Number(values.budget), timeScale: Number(values['time-scale']) };
  const rows = [await measureGraphReads({ ...base, budgetKnown: false }), await measureGraphReads({ ...base, budgetKnown: true })];
  printTable(rows);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/graph-reads.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results: rows }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
