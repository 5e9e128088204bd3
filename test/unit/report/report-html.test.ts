/**
 * The user tuples of report.html: each field at the position USER_ENTRY gives it, and every
 * operation kind — rollback's too — named in the page's metadata.
 */
import { describe, expect, it } from 'vitest';
import { OPERATION_KINDS } from '../../../src/plan/operations.js';
import { CHANGED_BITS, USER_ENTRY } from '../../../src/report/html-entry.js';
import { htmlPage, htmlUserEntry } from '../../../src/report/report-html.js';
import { SummaryCounter } from '../../../src/report/report-summary.js';
import { reportUser } from '../../../src/report/report-user.js';
import { aPlanRun } from '../../support/journal-builders.js';
import { aStoredUser, stored } from '../../support/report-builders.js';

describe('report.html user entries', () => {
  it('put each field where USER_ENTRY says', () => {
    const user = reportUser(aStoredUser({ finalStatus: 'partial' }), { command: 'apply', unmask: false });
    const entry = JSON.parse(htmlUserEntry(user)) as unknown[];
    expect(entry).toHaveLength(Object.keys(USER_ENTRY).length);
    expect(entry[USER_ENTRY.line]).toBe(user.line);
    expect(entry[USER_ENTRY.username]).toBe(user.username);
    expect(entry[USER_ENTRY.statusIsFinal]).toBe(1);
    expect(entry[USER_ENTRY.phones]).toEqual([user.phones.mobile.before, user.phones.mobile.after, '', '', user.phones.office.before ?? '', user.phones.office.after ?? '']);
  });

  it("index rollback's operations too (deletePhone, unassign and delete a hardware token)", () => {
    const undo = stored({ kind: 'deletePhone', target: 'mobile', status: 'planned', phoneNumber: '+1 4255550100', previousPhoneNumber: null }, { seq: 1 });
    const user = reportUser(aStoredUser({ operations: [undo] }), { command: 'apply', unmask: false });
    const operations = (JSON.parse(htmlUserEntry(user)) as unknown[])[USER_ENTRY.operations] as unknown[][];
    expect(operations[0]?.[0]).toBe(OPERATION_KINDS.indexOf('deletePhone'));
    expect(OPERATION_KINDS.indexOf('deletePhone')).toBeGreaterThanOrEqual(0);
  });

  it("give the script the writer's tables in the page's metadata", () => {
    const run = { ...aPlanRun(), id: '20261128-153012-ab12', status: 'finished' as const, startedAt: new Date(0), finishedAt: new Date(0), summary: null };
    const summary = new SummaryCounter().summary(run);
    const { head } = htmlPage({ run, summary, apps: [], afterBasis: 'applied', unmask: false, generatedAt: new Date(0), journalPath: 'j.db' });
    const meta = JSON.parse(/<script type="application\/json" id="report-meta">(.*?)<\/script>/s.exec(head)?.[1] ?? 'null') as { entry: unknown; changed: unknown; kinds: unknown };
    expect(meta).toMatchObject({ entry: USER_ENTRY, changed: CHANGED_BITS, kinds: OPERATION_KINDS });
    expect(head).not.toContain('App');
  });

  it('name the apps a run went out as under the run line, with the operations each sent', () => {
    const run = { ...aPlanRun({ command: 'apply' }), id: '20261128-153012-ab12', status: 'finished' as const, startedAt: new Date(0), finishedAt: new Date(0), summary: null };
    const summary = new SummaryCounter().summary(run);
    const apps = [
      { name: 'migration-1', clientId: 'aaaaaaaa-0000-4000-8000-00000000000a', operations: 1_200 },
      { name: 'migration-2', clientId: 'bbbbbbbb-0000-4000-8000-00000000000b', operations: 1 },
    ];
    const { head } = htmlPage({ run, summary, apps, afterBasis: 'applied', unmask: false, generatedAt: new Date(0), journalPath: 'j.db' });
    expect(head).toContain('App pool (2 apps): migration-1 aaaaaaaa-0000-4000-8000-00000000000a: 1,200 operations · migration-2 bbbbbbbb-0000-4000-8000-00000000000b: 1 operation');
  });
});
