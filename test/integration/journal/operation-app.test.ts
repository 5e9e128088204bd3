/**
 * Each operation records which app registration sent it (its client id), for audit: with an app
 * pool one run's writes go out as several apps, and a write sent again may go out as another. A
 * journal of the schema before the column is migrated in place, its rows kept.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/journal/journal.js';
import { APPLICATION_ID, migrate, SCHEMA_VERSION } from '../../../src/journal/schema.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun, aRecordedDesiredState, aUserRecord } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';

const APP_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const APP_B = 'bbbbbbbb-0000-4000-8000-00000000000b';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => { folder = tempDir(); });
afterEach(() => { folder.remove(); });

describe('the app of an operation', () => {
  it('is the app marked sent, replaced by the app whose answer settled it, and kept when the settling answer names none', () => {
    const journal = openJournal(`${folder.dir}/journal.db`, { clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      journal.recordUsers(runId, [aUserRecord(2)]);
      const [first, second] = journal.nextPlannedOperations(runId, 2);
      if (first === undefined || second === undefined) throw new Error('two operations expected');
      expect(first.appId).toBeNull();

      journal.markSent([first.id, second.id], APP_A);
      expect(journal.operationsOfUser(first.userId).map((operation) => operation.appId)).toEqual([APP_A, APP_A]);
      // The first was throttled as A and answered when sent again as B; the second was read back (no answer of its own).
      journal.markDone(first.id, 'request-1', { resourceId: null }, APP_B);
      journal.markDone(second.id, null);
      expect(journal.operationsOfUser(first.userId).map((operation) => [operation.status, operation.appId])).toEqual([['done', APP_B], ['done', APP_A]]);
    } finally {
      journal.close();
    }
  });

  it('is recorded for a failed write too', () => {
    const journal = openJournal(`${folder.dir}/journal.db`, { clock: manualClock() });
    try {
      const runId = journal.createRun(aPlanRun({ command: 'apply' })).id;
      journal.recordUsers(runId, [aUserRecord(2)]);
      const [first] = journal.nextPlannedOperations(runId, 1);
      if (first === undefined) throw new Error('an operation expected');
      journal.markSent([first.id], APP_A);
      journal.markFailed(first.id, 'badRequest', 'refused', 'request-2', APP_B);
      expect(journal.operationsOfUser(first.userId)[0]).toMatchObject({ status: 'failed', appId: APP_B, graphCode: 'badRequest' });
    } finally {
      journal.close();
    }
  });

  it('comes to a journal of schema 2 as a new column, the operations it holds kept with no app', () => {
    const path = `${folder.dir}/journal.db`;
    // The file as the version before this column wrote it: the migrations up to 2, then its rows.
    const db = new Database(path);
    db.pragma('foreign_keys = OFF');
    db.transaction(() => { migrate(db, 0, 2); })();
    db.pragma(`application_id = ${String(APPLICATION_ID)}`);
    db.pragma('foreign_keys = ON');
    const runId = '20261128-153012-ab12';
    db.prepare(`INSERT INTO runs (id, command, parent_run_id, status, started_at, tenant_id, graph_url, options, inputs, writer)
      VALUES (?, 'apply', NULL, 'running', '2026-11-28T15:30:12.000Z', NULL, 'http://127.0.0.1:8080', '{}', '[]', NULL)`).run(runId);
    const userId = db.prepare(`INSERT INTO users (run_id, line, username, upn, mapping_status, plan_status, desired, issues, updated_at)
      VALUES (?, 2, 'user2@contoso.com', 'user2@contoso.com', 'ready', 'planned', ?, '[]', '2026-11-28T15:30:12.000Z')`).run(runId, JSON.stringify({ ...aRecordedDesiredState(), issues: undefined })).lastInsertRowid;
    db.prepare(`INSERT INTO operations (run_id, user_id, seq, kind, target, payload, status)
      VALUES (?, ?, 1, 'createPhone', 'mobile', '{"phoneNumber":"+1 4255550100","previousPhoneNumber":null}', 'planned')`).run(runId, userId);
    db.close();

    const reopened = openJournal(path, { clock: manualClock() });
    try {
      const operations = reopened.nextPlannedOperations(runId, 10);
      expect(operations.length).toBeGreaterThan(0);
      expect(operations.every((operation) => operation.appId === null)).toBe(true);
      reopened.markSent([operations[0]?.id ?? 0], APP_A);
      expect(reopened.operationsOfUser(operations[0]?.userId ?? 0)[0]?.appId).toBe(APP_A);
    } finally {
      reopened.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    check.close();
  });
});
