/**
 * Opening a journal: the file it creates, the schema it migrates, and the files it refuses with an
 * error a person can act on.
 */
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { openJournal, openMemoryJournal } from '../../../src/journal/journal.js';
import { SCHEMA_VERSION } from '../../../src/journal/schema.js';
import { Secret } from '../../../src/secret.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun, aUserRecord } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';

let dir: string;
let remove: () => void;
beforeEach(() => ({ dir, remove } = tempDir()));
afterEach(() => { remove(); });

const clock = manualClock();

function openError(path: string): MigrateError {
  try {
    openJournal(path, { clock }).close();
  } catch (error) {
    if (error instanceof MigrateError) return error;
    throw error;
  }
  throw new Error(`opening ${path} succeeded`);
}

describe('openJournal', () => {
  it('creates the journal, its -wal and -shm files readable by the owner only (they hold phone numbers)', () => {
    const path = join(dir, 'mfa-migrate.db');
    const journal = openJournal(path, { clock });
    journal.recordUsers(journal.createRun(aPlanRun()).id, [aUserRecord()]);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
    journal.close();
  });

  it('sets WAL, FULL synchronous and foreign keys, and records the schema version in meta', () => {
    const path = join(dir, 'j.db');
    openJournal(path, { clock }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('page_size', { simple: true })).toBe(16_384);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    db.close();
  });

  it('keeps runs and the seed key when reopened; another journal has another key', () => {
    const path = join(dir, 'j.db');
    const seed = new Secret('JBSWY3DPEHPK3PXP');
    const first = openJournal(path, { clock });
    const runId = first.createRun(aPlanRun()).id;
    const fingerprint = first.seedFingerprint(seed);
    first.close();

    const again = openJournal(path, { clock });
    expect(again.getRun(runId)?.id).toBe(runId);
    expect(again.seedFingerprint(seed)).toBe(fingerprint);
    again.close();

    const other = openJournal(join(dir, 'other.db'), { clock });
    expect(other.seedFingerprint(seed)).not.toBe(fingerprint);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    other.close();
  });

  it('refuses a journal from a newer version with JOURNAL_TOO_NEW and leaves it unchanged', () => {
    const path = join(dir, 'j.db');
    openJournal(path, { clock }).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION + 1));
    db.close();
    const before = readFileSync(path);

    const error = openError(path);
    expect(error.code).toBe('JOURNAL_TOO_NEW');
    expect(error.exitCode).toBe(3);
    expect(error.file).toBe(path);
    expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(error.remedy).toMatch(/version that wrote/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite with JOURNAL_UNREADABLE naming the file', () => {
    const path = join(dir, 'users.csv');
    writeFileSync(path, 'Username,Phone\nalice@contoso.com,4255550100\n'.repeat(50));
    const error = openError(path);
    expect(error.code).toBe('JOURNAL_UNREADABLE');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(path);
    expect(error.message).toContain('not an SQLite database');
    expect(error.remedy).toContain('--state');
  });

  it("refuses another application's SQLite database instead of adding tables to it", () => {
    const path = join(dir, 'app.db');
    const db = new Database(path);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const before = readFileSync(path);
    const error = openError(path);
    expect(error.code).toBe('JOURNAL_UNREADABLE');
    expect(error.message).toContain('another application');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses a truncated journal with JOURNAL_UNREADABLE', () => {
    const path = join(dir, 'j.db');
    const journal = openJournal(path, { clock });
    const runId = journal.createRun(aPlanRun()).id;
    journal.recordUsers(runId, Array.from({ length: 2_000 }, (_, i) => aUserRecord(i + 2)));
    journal.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const error = openError(path);
    expect(error.code).toBe('JOURNAL_UNREADABLE');
    expect(error.message).toContain(path);
  });

  it('reports pages damaged in the middle of the file as JOURNAL_UNREADABLE when they are read', () => {
    const path = join(dir, 'j.db');
    const journal = openJournal(path, { clock });
    const runId = journal.createRun(aPlanRun()).id;
    journal.recordUsers(runId, Array.from({ length: 2_000 }, (_, i) => aUserRecord(i + 2)));
    journal.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    const middle = Math.floor(bytes.length / 2 / pageSize) * pageSize;
    bytes.fill(0, middle, middle + 8 * pageSize);
    writeFileSync(path, bytes);

    const reading = (): unknown => {
      const damaged = openJournal(path, { clock });
      try {
        return [...damaged.iterateUsers(runId)];
      } finally {
        damaged.close();
      }
    };
    expect(reading).toThrow(expect.objectContaining({ code: 'JOURNAL_UNREADABLE', file: path }));
  });

  it('refuses a folder, and a path whose folder does not exist, with JOURNAL_UNREADABLE', () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    expect(openError(folder).code).toBe('JOURNAL_UNREADABLE');
    const missing = join(dir, 'no-such-folder', 'j.db');
    expect(openError(missing).code).toBe('JOURNAL_UNREADABLE');
    expect(existsSync(missing)).toBe(false);
  });

  it('reports JOURNAL_BUSY when another process holds the write lock', () => {
    const path = join(dir, 'j.db');
    const journal = openJournal(path, { clock, busyTimeoutMs: 50 });
    const runId = journal.createRun(aPlanRun()).id;
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(() => journal.recordUsers(runId, [aUserRecord()])).toThrow(expect.objectContaining({ code: 'JOURNAL_BUSY', exitCode: 3 }));
    } finally {
      other.exec('ROLLBACK');
      other.close();
      journal.close();
    }
  });

  it('names the row and field when stored data was damaged, instead of returning it', () => {
    const path = join(dir, 'j.db');
    const journal = openJournal(path, { clock });
    const runId = journal.createRun(aPlanRun()).id;
    journal.recordUsers(runId, [aUserRecord(2), aUserRecord(3)]);
    const db = new Database(path);
    db.prepare("UPDATE users SET desired = json_set(desired, '$.phones.mobile', 42) WHERE line = 3").run();
    const userId = db.prepare('SELECT id FROM users WHERE line = 3').pluck().get();
    db.close();

    const reading = (): unknown => [...journal.iterateUsers(runId)];
    expect(reading).toThrow(expect.objectContaining({ code: 'JOURNAL_UNREADABLE' }));
    expect(reading).toThrow(`users row ${String(userId)}, desired.phones.mobile: expected a string or null`);
    journal.close();
  });

  it('works in memory for tests of other steps', () => {
    const journal = openMemoryJournal({ clock });
    const runId = journal.createRun(aPlanRun()).id;
    expect(journal.recordUsers(runId, [aUserRecord()])).toBe(1);
    journal.close();
  });
});
