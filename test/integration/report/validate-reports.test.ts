/**
 * validate's reports from the sample exports, written by the writer the CLI's worker thread runs
 * (here on this thread: the tests run from the sources, where no compiled worker exists — the
 * e2e tests spawn the built CLI, which uses the worker). issues.csv holds every issue someone must
 * act on; report.html and the workbook list the users the exports say something about; the
 * others are counted.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../../src/log.js';
import type { DesiredState } from '../../../src/mapping/desired-state.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { runValidate, type ValidateResult } from '../../../src/migrate/validate.js';
import { WHO_MUST_ACT } from '../../../src/report/issue-catalogue.js';
import { openValidateReports, type ValidateReportsWritten } from '../../../src/report/validate-reports.js';
import { manualClock } from '../../support/clock.js';
import { tempDir } from '../../support/temp-dir.js';
import { readWorkbook, recordsOf } from '../../support/xlsx.js';

let temp: ReturnType<typeof tempDir>;
let users: DesiredState[];
let result: ValidateResult;
let written: ValidateReportsWritten;

const input = {
  files: { users: 'fixtures/users.csv', devices: 'fixtures/devices.csv', tokens: 'fixtures/tokens.csv' },
  read: { encoding: 'auto', delimiter: 'auto', columns: {} },
  mapping: { defaultCountryCode: '1', upnSuffix: 'contoso.com', includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: 'import-and-activate' },
} as const;

beforeAll(async () => {
  temp = tempDir();
  const clock = manualClock();
  const reports = await openValidateReports({ dir: join(temp.dir, 'reports'), unmask: false, clock, options: { users: input.files.users } });
  users = [];
  result = await runValidate(input, { clock, log: memoryLog(), progress: silentProgress }, (user) => {
    users.push(user);
    return reports.add(user);
  });
  written = await reports.finish({ fileIssues: result.fileIssues.length });
});
afterAll(() => { temp.remove(); });

describe('validate\'s reports', () => {
  it('go to <reports>/validate-<id>/: issues.csv, report.html and reconciliation.xlsx, nothing else left behind', async () => {
    expect(written.dir).toBe(join(temp.dir, 'reports', `validate-${written.runId}`));
    expect((await readdir(written.dir)).sort()).toEqual(['issues.csv', 'reconciliation.xlsx', 'report.html']);
  });

  it('count every user by validate\'s status, and list those with a finding', () => {
    const withFindings = users.filter((user) => user.issues.length > 0);
    expect(written.summary).toMatchObject({ users: result.summary.users, listed: withFindings.length, fileIssues: result.fileIssues.length });
    expect(written.summary.byStatus).toMatchObject({ ready: result.summary.ready, skipped: result.summary.skipped, rejected: result.summary.rejected, planned: 0, migrated: 0 });
    expect(withFindings.length).toBeLessThan(users.length);
  });

  it('issues.csv: every issue someone must act on, with who', async () => {
    const rows: Record<string, string>[] = parse(await readFile(written.issuesCsv), { bom: true, columns: true });
    const expected = users.flatMap((user) => user.issues.filter((issue) => WHO_MUST_ACT[issue.code] !== null).map((issue) => [String(user.line), issue.code, WHO_MUST_ACT[issue.code]]));
    expect(rows.map((row) => [row['line'], row['code'], row['whoMustAct']])).toEqual(expected);
    expect(written.summary.issueRows).toBe(rows.length);
  });

  it('report.html: the users with a finding, searchable by name, "after" being what the exports ask for', async () => {
    const html = await readFile(written.html, 'utf8');
    const listed = JSON.parse(/<script type="application\/json" id="report-users">(.*?)<\/script>/s.exec(html)?.[1] ?? '[]') as unknown[][];
    expect(listed).toHaveLength(written.summary.listed);
    expect(html).toContain('"Carol Clarke"');
    expect(html).toContain('"afterBasis":"exports"');
    expect(html).toContain('the other');
    expect(html).not.toContain('4255550100');
  });

  it('reconciliation.xlsx: the issues, the codes with what to do, and the run', async () => {
    const sheets = await readWorkbook(written.xlsx);
    expect(sheets.map((sheet) => sheet.name)).toEqual(['issues', 'codes', 'run']);
    const [issues] = sheets.map(recordsOf);
    expect(issues).toHaveLength(written.summary.issueRows);
    expect(issues?.[0]).not.toHaveProperty('Request-id');
    expect(issues?.find((row) => row['Code'] === 'PHONE_INVALID')).toMatchObject({ Line: 6, 'Who must act': 'admin must act', Status: 'ready' });
  });
});
