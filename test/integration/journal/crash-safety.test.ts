/**
 * A run can stop at any moment (docs/design.md "Resume and reconcile"). These tests kill a real
 * writer process with SIGKILL at exact points and reopen the journal: what was committed is all
 * there, what was not is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal, USERS_PER_TRANSACTION } from '../../../src/journal/journal.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun, aRecordedDesiredState, aUserRecord } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';
import { runModule, transpileForChild } from './child-process.js';

let dir: string;
let remove: () => void;
let journalModule: string;
beforeAll(() => {
  ({ dir, remove } = tempDir());
  journalModule = transpileForChild('src/journal/journal.ts', join(dir, 'child'));
});
afterAll(() => { remove(); });

/**
 * A user of ~24 KiB (200 devices), so one chunk outgrows SQLite's page cache (16 MiB in
 * better-sqlite3) and uncommitted pages are spilled into the -wal file before the kill: recovery
 * must then ignore frames that are on disk, not merely find nothing there. (SQLite was seen to
 * spill this way with 4 KiB pages, not with the journal's 16 KiB ones, so that test pre-creates
 * its file with 4 KiB pages; a page size is fixed once a file is in WAL mode.)
 */
const template = aUserRecord(2, {
  desired: aRecordedDesiredState({
    devices: Array.from({ length: 200 }, (_, i) => ({ name: `Phone ${i} of a user with many devices`, status: 'dropped' as const, registration: 'unknown' as const, lastUsedAt: null, line: i + 2 })),
  }),
});

/**
 * Frames of the current WAL generation after its last commit frame (WAL format: a 32-byte header
 * with the page size at 8 and the salts at 16; each frame a 24-byte header, non-zero "database size"
 * at 4 on a commit frame, the salts again at 8, then one page).
 */
function uncommittedWalFrames(walPath: string): number {
  const wal = readFileSync(walPath);
  const pageSize = wal.readUInt32BE(8);
  const salts = wal.subarray(16, 24);
  let frames = 0;
  let committed = 0;
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    if (!wal.subarray(offset + 8, offset + 16).equals(salts)) break;
    frames++;
    if (wal.readUInt32BE(offset + 4) !== 0) committed = frames;
  }
  return frames - committed;
}

function childPrelude(path: string): string {
  return `
    import { openJournal } from ${JSON.stringify(journalModule)};
    const journal = openJournal(${JSON.stringify(path)}, { clock: { now: () => Date.now() } });
    const runId = journal.createRun(${JSON.stringify(aPlanRun())}).id;
    const template = ${JSON.stringify(template)};
    const record = (line) => ({ ...template, desired: { ...template.desired, line } });
    const die = () => { process.kill(process.pid, 'SIGKILL'); for (;;) {} };
  `;
}

describe('crash safety', () => {
  it('a writer killed inside a recordUsers transaction leaves whole chunks only', async () => {
    const path = join(dir, 'killed-mid-chunk.db');
    const empty = new Database(path);
    empty.pragma('page_size = 4096');
    empty.pragma('journal_mode = WAL');
    empty.close();
    const killAt = USERS_PER_TRANSACTION * 2 - 10;
    const result = await runModule(`${childPrelude(path)}
      const records = Array.from({ length: ${killAt + 1} }, (_, i) => record(i + 2));
      // Reading the record inside the second chunk's transaction kills the process half-way through it.
      Object.defineProperty(records[${killAt}], 'issues', { get: die });
      journal.recordUsers(runId, records);
      console.log('not killed');
    `);
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGKILL');
    expect(uncommittedWalFrames(`${path}-wal`)).toBeGreaterThan(100);

    const journal = openJournal(path, { clock: manualClock() });
    const run = journal.latestRun();
    if (run === null) throw new Error('the run was committed before the kill');
    expect(run.status).toBe('running');
    const users = [...journal.iterateUsers(run.id)];
    expect(users).toHaveLength(USERS_PER_TRANSACTION);
    expect(users.every((user) => user.operations.length === 2)).toBe(true);
    expect(journal.runSummary(run.id).operations).toBe(USERS_PER_TRANSACTION * 2);
    // The journal takes writes again: the interrupted run can be finished and a new one recorded.
    journal.finishRun(run.id, 'interrupted', null);
    expect(journal.recordUsers(journal.createRun(aPlanRun()).id, [aUserRecord()])).toBe(1);
    journal.close();
  });

  it('markSent is committed when it returns: a kill right after it keeps the operations sent', async () => {
    const path = join(dir, 'killed-after-mark-sent.db');
    const result = await runModule(`${childPrelude(path)}
      journal.recordUsers(runId, [record(2), record(3)]);
      const batch = journal.nextPlannedOperations(runId, 3);
      journal.markSent(batch.map((op) => op.id));
      // The request would leave here; the process dies before anything else is written.
      die();
    `);
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGKILL');

    const journal = openJournal(path, { clock: manualClock() });
    const run = journal.latestRun();
    if (run === null) throw new Error('no run');
    expect(journal.sentOperations(run.id).map((op) => [op.kind, op.attempts])).toEqual([
      ['updatePhone', 1], ['createPhone', 1], ['updatePhone', 1],
    ]);
    expect(journal.nextPlannedOperations(run.id, 10)).toHaveLength(1);
    journal.close();
  });
});
