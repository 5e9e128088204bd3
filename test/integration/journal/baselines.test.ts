/**
 * Schema version 4: `sync` runs, and per tenant and user the baseline sync compares the next
 * export with — status, fingerprint, when Entra was read, and what runs of ours wrote (R17). A
 * journal of version 2 is migrated in place, its runs, users and operations kept.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, openMemoryJournal, type Journal } from '../../../src/journal/journal.js';
import { APPLICATION_ID, migrate, SCHEMA_VERSION } from '../../../src/journal/schema.js';
import type { BaselineScope, UserRecord } from '../../../src/run-records.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun, aRecordedDesiredState, aUserPlan, aUserRecord } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';

let dir: string;
let remove: () => void;
beforeEach(() => ({ dir, remove } = tempDir()));
afterEach(() => { remove(); });

const clock = manualClock();
/** The Entra user aRecordedEntraState reads (aUserRecord's before). */
const USER2_ENTRA_ID = 'a1b2c3d4-0000-0000-0000-000000000001';
const scope: BaselineScope = { graphUrl: 'http://127.0.0.1:8080', tenantId: '00000000-0000-0000-0000-0000000000AA' };

function synced(line: number, key: string, fingerprint: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return aUserRecord(line, { sync: { key, fingerprint }, ...overrides });
}

/** An apply run of `records`, every operation done, finished with final statuses set. */
function finishedApply(journal: Journal, records: readonly UserRecord[], command: 'apply' | 'sync' = 'apply'): string {
  const run = journal.createRun(aPlanRun({ command }));
  journal.recordUsers(run.id, records);
  for (const operation of journal.nextPlannedOperations(run.id, 1_000)) {
    journal.markSent([operation.id]);
    journal.markDone(operation.id, 'request-1');
  }
  journal.setFinalStatus([...journal.iterateUsers(run.id)].map((user) => ({ userId: user.id, status: 'migrated' as const })));
  journal.finishRun(run.id, 'finished', null);
  return run.id;
}

describe('journal schema version 4', () => {
  it('migrates a version 2 journal in place: runs, users and operations kept, sync runs accepted, references intact', () => {
    const path = join(dir, 'old.db');
    const db = new Database(path);
    db.pragma('foreign_keys = OFF');
    db.transaction(() => { migrate(db, 0, 2); })();
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('foreign_keys = ON');
    // What version 2 wrote, as it wrote it.
    db.prepare(`INSERT INTO runs (id, command, parent_run_id, status, started_at, tenant_id, graph_url, options, inputs, writer)
      VALUES ('20261128-153012-ab12', 'plan', NULL, 'finished', '2026-11-28T15:30:12.000Z', NULL, 'http://127.0.0.1:8080', '{}', '[]', NULL)`).run();
    const desired = JSON.stringify({ ...aRecordedDesiredState(), issues: undefined });
    const userId = db.prepare(`INSERT INTO users (run_id, line, username, upn, mapping_status, plan_status, desired, issues, updated_at)
      VALUES ('20261128-153012-ab12', 2, 'user2@contoso.com', 'user2@contoso.com', 'ready', 'planned', ?, '[]', '2026-11-28T15:30:12.000Z')`).run(desired).lastInsertRowid;
    db.prepare(`INSERT INTO operations (run_id, user_id, seq, kind, target, payload, status)
      VALUES ('20261128-153012-ab12', ?, 1, 'createPhone', 'mobile', '{"phoneNumber":"+1 4255550100","previousPhoneNumber":null}', 'planned')`).run(userId);
    db.close();

    const journal = openJournal(path, { clock });
    expect(journal.getRun('20261128-153012-ab12')?.command).toBe('plan');
    expect([...journal.iterateUsers('20261128-153012-ab12')].map((user) => [user.line, user.operations.map((operation) => operation.kind)])).toEqual([[2, ['createPhone']]]);
    expect(journal.createRun(aPlanRun({ command: 'sync', parentRunId: '20261128-153012-ab12' })).command).toBe('sync');
    journal.close();

    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    expect(check.pragma('foreign_key_check')).toEqual([]);
    expect(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'runs' AND sql IS NOT NULL ORDER BY name").pluck().all()).toEqual(['runs_by_parent', 'runs_by_start']);
    check.close();
  });

  it('refuses a run command it does not know, as before', () => {
    const journal = openMemoryJournal({ clock });
    expect(() => journal.createRun(aPlanRun({ command: 'deploy' as 'plan' }))).toThrow();
    journal.close();
  });
});

describe('user baselines', () => {
  it('a finished apply becomes the baseline of its users: status, fingerprint, read time and the numbers and default it wrote', () => {
    const journal = openMemoryJournal({ clock });
    const runId = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f2'), synced(3, 'user3@contoso.com', 'f3', { before: null, plan: { status: 'rejected' } })]);
    expect(journal.recordBaselines(runId, scope, new Date('2026-11-28T15:30:00.000Z'))).toBe(2);
    const baselines = new Map([...journal.baselines(scope)].map((baseline) => [baseline.syncKey, baseline]));
    expect(baselines.get('user2@contoso.com')).toMatchObject({ runId, status: 'migrated', fingerprint: 'f2', entraUserId: 'a1b2c3d4-0000-0000-0000-000000000001', leftAt: null });
    expect(baselines.get('user2@contoso.com')?.readAt?.toISOString()).toBe('2026-11-28T15:30:00.000Z');
    // Not read from Entra (rejected offline): no read time, so never due for a re-read.
    expect(baselines.get('user3@contoso.com')?.readAt).toBeNull();
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)).toEqual({
      phones: { mobile: { value: '+1 4255550100', runId }, office: { value: '+1 4255550199x123', runId } },
      defaultMethod: null,
    });
    // The tenant is compared without case; another tenant or Graph has no baseline.
    expect(journal.hasBaselines({ graphUrl: scope.graphUrl, tenantId: '00000000-0000-0000-0000-0000000000aa' })).toBe(true);
    expect(journal.hasBaselines({ graphUrl: scope.graphUrl, tenantId: null })).toBe(false);
    expect(journal.priorWrites({ graphUrl: 'https://graph.microsoft.com', tenantId: scope.tenantId }, USER2_ENTRA_ID)).toBeNull();
    journal.close();
  });

  it('a later run replaces the user\'s baseline and adds to what is ours; writes it did not make stay ours', () => {
    const journal = openMemoryJournal({ clock });
    const first = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f1')]);
    journal.recordBaselines(first, scope, new Date(clock.now()));
    const setSms = { kind: 'setPreferredMethod' as const, target: 'sms' as const, status: 'planned' as const, previous: 'voiceMobile' };
    const second = finishedApply(journal, [synced(5, 'user2@contoso.com', 'f2', { plan: aUserPlan({ operations: [setSms] }) })], 'sync');
    journal.recordBaselines(second, scope, new Date(clock.now()));
    expect([...journal.baselines(scope)].map((baseline) => [baseline.runId, baseline.fingerprint])).toEqual([[second, 'f2']]);
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)).toEqual({
      phones: { mobile: { value: '+1 4255550100', runId: first }, office: { value: '+1 4255550199x123', runId: first } },
      defaultMethod: { value: 'sms', runId: second },
    });
    // A rollback of the first run: what it wrote is no longer ours; its users' baselines now belong to the second.
    expect(journal.forgetBaselinesOf(first)).toBe(0);
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)).toEqual({ phones: {}, defaultMethod: { value: 'sms', runId: second } });
    // Of the second: its user counts as changed (the next sync plans them), its default is no longer ours.
    expect(journal.forgetBaselinesOf(second)).toBe(1);
    expect([...journal.baselines(scope)].map((baseline) => baseline.fingerprint)).toEqual([null]);
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)).toEqual({ phones: {}, defaultMethod: null });
    journal.close();
  });

  it('a rollback of a run that replaced a number of an earlier run makes the earlier number ours again (it is what the undo puts back)', () => {
    const journal = openMemoryJournal({ clock });
    const first = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f1')]);
    journal.recordBaselines(first, scope, new Date(clock.now()));
    const update = { kind: 'updatePhone' as const, target: 'mobile' as const, status: 'planned' as const, phoneNumber: '+1 4255550177', previousPhoneNumber: '+1 4255550100' };
    const second = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f2', { plan: aUserPlan({ operations: [update] }) })], 'sync');
    journal.recordBaselines(second, scope, new Date(clock.now()));
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)?.phones.mobile).toEqual({ value: '+1 4255550177', runId: second });
    journal.forgetBaselinesOf(second);
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)?.phones).toEqual({
      mobile: { value: '+1 4255550100', runId: first },
      office: { value: '+1 4255550199x123', runId: first },
    });
    journal.close();
  });

  it('what we wrote is found by Entra user: a user recorded under another username (another key) still holds it', () => {
    const journal = openMemoryJournal({ clock });
    const first = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f1')]);
    journal.recordBaselines(first, scope, new Date(clock.now()));
    const setSms = { kind: 'setPreferredMethod' as const, target: 'sms' as const, status: 'planned' as const, previous: 'voiceMobile' };
    const second = finishedApply(journal, [synced(4, 'contoso\\user2', 'f2', { plan: aUserPlan({ operations: [setSms] }) })], 'sync');
    journal.recordBaselines(second, scope, new Date(clock.now()));
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)).toEqual({
      phones: { mobile: { value: '+1 4255550100', runId: first }, office: { value: '+1 4255550199x123', runId: first } },
      defaultMethod: { value: 'sms', runId: second },
    });
    // The first key's baseline no longer says how the user is (the second run may have changed
    // them): a sync that meets that username again plans the user anew.
    expect([...journal.baselines(scope)].map((baseline) => [baseline.syncKey, baseline.fingerprint])).toEqual([['contoso\\user2', 'f2'], ['user2@contoso.com', null]]);
    journal.close();
  });

  it('the later of two runs that started within one second holds the number, whatever their ids', () => {
    const journal = openMemoryJournal({ clock });
    const update = { kind: 'updatePhone' as const, target: 'mobile' as const, status: 'planned' as const, phoneNumber: '+1 4255550177', previousPhoneNumber: '+1 4255550100' };
    // Run ids sort by their start only to the second (the clock stands still here); the random
    // rest decides within it. Pairs of runs until the later one has the smaller id.
    let first = '';
    let second = '';
    for (let pair = 0; pair < 64 && !(second !== '' && second < first); pair += 1) {
      first = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f1')]);
      journal.recordBaselines(first, scope, new Date(clock.now()));
      second = finishedApply(journal, [synced(2, 'contoso\\user2', 'f2', { plan: aUserPlan({ operations: [update] }) })], 'sync');
      journal.recordBaselines(second, scope, new Date(clock.now()));
    }
    expect(second < first, 'no pair of runs had the later one sort first').toBe(true);
    expect(journal.priorWrites(scope, USER2_ENTRA_ID)?.phones.mobile).toEqual({ value: '+1 4255550177', runId: second });
    journal.close();
  });

  it('a user without a sync key (a repeated username) or without a final status is not recorded', () => {
    const journal = openMemoryJournal({ clock });
    const run = journal.createRun(aPlanRun({ command: 'apply' }));
    journal.recordUsers(run.id, [synced(2, 'a@contoso.com', 'f'), aUserRecord(3, { sync: null })]);
    expect(journal.recordBaselines(run.id, scope, new Date(clock.now()))).toBe(0);
    journal.close();
  });

  it('left and back: a sync marks a user gone from the export and clears it when they return', () => {
    const journal = openMemoryJournal({ clock });
    const runId = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f2')]);
    journal.recordBaselines(runId, scope, new Date(clock.now()));
    journal.markBaselinesLeft(scope, ['user2@contoso.com'], new Date('2026-12-01T00:00:00.000Z'));
    expect([...journal.baselines(scope)][0]?.leftAt?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    journal.markBaselinesLeft(scope, ['user2@contoso.com'], null);
    expect([...journal.baselines(scope)][0]?.leftAt).toBeNull();
    journal.close();
  });

  it('out of scope: recorded for a user sync has no baseline of, never over one migrated before', () => {
    const journal = openMemoryJournal({ clock });
    const runId = finishedApply(journal, [synced(2, 'user2@contoso.com', 'f2')]);
    journal.recordBaselines(runId, scope, new Date(clock.now()));
    const sync = journal.createRun(aPlanRun({ command: 'sync' })).id;
    journal.recordOutOfScope(sync, scope, [
      { syncKey: 'user2@contoso.com', username: 'user2@contoso.com', upn: 'user2@contoso.com', entraUserId: 'id-2', fingerprint: 'g2' },
      { syncKey: 'user9@contoso.com', username: 'user9', upn: 'user9@contoso.com', entraUserId: 'id-9', fingerprint: 'g9' },
    ], new Date(clock.now()));
    const baselines = new Map([...journal.baselines(scope)].map((baseline) => [baseline.syncKey, baseline]));
    expect(baselines.get('user2@contoso.com')).toMatchObject({ status: 'migrated', fingerprint: 'f2', runId });
    expect(baselines.get('user9@contoso.com')).toMatchObject({ status: 'outOfScope', fingerprint: 'g9', entraUserId: 'id-9', runId: sync });
    journal.close();
  });
});
