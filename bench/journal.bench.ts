/**
 * Benchmark: the SQLite journal at plan scale. Records 100,000 users with 2 operations each (the
 * way plan records them: 1,000 users per transaction), streams them back, runs the apply pattern
 * (markSent of a 20-request $batch, then its 20 outcomes in one transaction), reopens the file and
 * reports its size. Every commit is fsynced (synchronous = FULL), so the disk under --dir matters.
 *
 *   npm run build && node dist/bench/journal.bench.js
 *   node dist/bench/journal.bench.js --users 1000000 --dir /var/tmp
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openJournal } from '../src/journal/journal.js';
import type { UserRecord } from '../src/run-records.js';
import { systemClock } from '../src/clock.js';
import { Secret } from '../src/secret.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    batches: { type: 'string', default: '500' },
    dir: { type: 'string' },
  },
});
const userCount = Number.parseInt(values.users, 10);
/** Apply sends at most 20 requests per $batch (Graph JSON batching limit). */
const BATCH_SIZE = 20;
const batchCount = Number.parseInt(values.batches, 10);

const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'mfa-journal-bench-'));
const path = join(dir, 'mfa-migrate.db');

/** A planned user as plan records it: 2 phone operations, a before-state, one warning; 1 in 20 with a hardware token. */
function aUser(index: number): UserRecord {
  const line = index + 2;
  const upn = `user${index}@contoso.com`;
  const mobile = `+1 425${String(5_000_000 + index).padStart(7, '0')}`;
  return {
    desired: {
      username: upn, upn, displayName: `User ${index}`, file: 'users.csv', line, status: 'ready',
      phones: { mobile, alternateMobile: null, office: `+1 4255550100x${index % 1000}` },
      requestedDefaultMethod: 'voiceMobile', defaultMethod: 'voiceMobile',
      devices: [{ name: 'iPhone', status: 'kept', registration: 'unknown', lastUsedAt: new Date(1_760_000_000_000 + index), line }],
      hardwareTokens: index % 20 === 0
        ? [{ serialNumber: `TOTP${index}`, secretKey: new Secret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), timeIntervalInSeconds: 30, hashFunction: 'hmacsha1', manufacturer: 'Contoso', model: 'Key', file: 'tokens.csv', line }]
        : [],
      matchKeys: { samAccountName: `user${index}`, email: upn, sid: null, objectGuid: null },
      issues: [],
    },
    before: {
      user: { id: `00000000-0000-0000-0000-${String(index).padStart(12, '0')}`, userPrincipalName: upn, displayName: `User ${index}`, accountEnabled: true, matchedBy: 'userPrincipalName' },
      phones: [{ id: 'b6332ec1-7057-4abe-9331-3d72feddfe41', phoneType: 'mobile', phoneNumber: '+1 4255550111', smsSignInState: 'notSupported' }],
      authenticators: [], softwareOath: [], hardwareOath: [],
      signInPreferences: { userPreferredMethodForSecondaryAuthentication: null, isSystemPreferredAuthenticationMethodEnabled: false },
    },
    plan: {
      status: 'planned',
      operations: [
        { kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: mobile, previousPhoneNumber: '+1 4255550111' },
        { kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: `+1 4255550100x${index % 1000}`, previousPhoneNumber: null },
      ],
      defaultMethod: null,
      devices: [],
      issues: [],
    },
    issues: [{ code: 'PIN_MODE_NOT_MIGRATED', severity: 'warning', file: 'users.csv', line, message: `users.csv line ${line}: phone call PIN mode is not migrated` }],
  };
}

function* users(count: number): Generator<UserRecord> {
  for (let index = 0; index < count; index++) yield aUser(index);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const rows: { step: string; seconds: number; rate: string }[] = [];
function measure(step: string, count: number, unit: string, work: () => void): void {
  const start = process.hrtime.bigint();
  work();
  const took = seconds(start);
  rows.push({ step, seconds: took, rate: `${Math.round(count / took).toLocaleString('en-US')} ${unit}/s` });
}

let journal = openJournal(path, { clock: systemClock });
const runId = journal.createRun({ command: 'plan', parentRunId: null, tenantId: null, graphUrl: null, options: {}, inputs: [] }).id;

measure(`record ${userCount.toLocaleString('en-US')} users × 2 operations`, userCount, 'users', () => {
  journal.recordUsers(runId, users(userCount));
});
measure('iterate users (with their operations)', userCount, 'users', () => {
  let operations = 0;
  for (const user of journal.iterateUsers(runId)) operations += user.operations.length;
  if (operations !== userCount * 2) throw new Error(`read ${operations} operations`);
});
measure('iterate operations', userCount * 2, 'operations', () => {
  let count = 0;
  for (const operation of journal.iterateOperations(runId)) if (operation.seq >= 1) count++;
  if (count !== userCount * 2) throw new Error(`read ${count} operations`);
});
measure('runSummary', userCount, 'users', () => {
  journal.runSummary(runId);
});
measure(`apply pattern: ${batchCount} × (next 20, markSent, 20 × markDone in 1 transaction)`, batchCount * BATCH_SIZE, 'operations', () => {
  for (let batch = 0; batch < batchCount; batch++) {
    const operations = journal.nextPlannedOperations(runId, BATCH_SIZE);
    journal.markSent(operations.map((operation) => operation.id));
    journal.transaction(() => {
      for (const operation of operations) journal.markDone(operation.id, `request-${operation.id}`);
    });
  }
});
measure('close (checkpoint) and reopen', 1, 'opens', () => {
  journal.close();
  journal = openJournal(path, { clock: systemClock });
});
journal.close();

const sizeMiB = statSync(path).size / 2 ** 20;
process.stdout.write(`\njournal benchmark — ${path} (node ${process.version})\n\n`);
const width = Math.max(...rows.map((row) => row.step.length));
process.stdout.write(`${'step'.padEnd(width)}  ${'seconds'.padStart(8)}  rate\n`);
for (const row of rows) process.stdout.write(`${row.step.padEnd(width)}  ${row.seconds.toFixed(2).padStart(8)}  ${row.rate}\n`);
process.stdout.write(`\nfile size after close: ${sizeMiB.toFixed(1)} MiB (${Math.round((sizeMiB * 2 ** 20) / userCount)} bytes per user)\n`);
rmSync(dir, { recursive: true, force: true });
