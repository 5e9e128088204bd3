/**
 * The four reports of a run written from a real journal file: the CSV and the JSON tell the same
 * facts, the JSON follows its schema, issues.csv holds exactly what needs action with its remedy,
 * no phone number leaves masked, nothing a username holds can run in Excel or the browser, and
 * the files are private.
 */
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../../src/findings.js';
import { ACTION_NEEDED, ISSUE_CATALOGUE, ISSUE_CODES, type ReportIssueCode } from '../../../src/report/issue-catalogue.js';
import { REPORT_STATUSES, type ReportUser } from '../../../src/report/report-user.js';
import { chooseRun, writeRunReports, type WrittenReports } from '../../../src/report/write-reports.js';
import { openMemoryJournal } from '../../../src/journal/journal.js';
import { compileSchema } from '../../../src/json-schema/validator.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';
import { buildReportJournal, FORMULA_USERNAME, SCRIPT_USERNAME, type ReportJournal } from './report-journal.js';

interface ReconciliationDocument {
  schemaVersion: number;
  phoneNumbers: string;
  afterBasis: string;
  run: { id: string; command: string };
  summary: { users: number; byStatus: Record<string, number>; usersNeedingAction: number; issueRows: number; issues: Record<string, number> };
  catalogue: Record<string, { remedy: string }>;
  users: ReportUser[];
}

const schema = JSON.parse(await readFile('schemas/reconciliation.schema.json', 'utf8')) as Record<string, unknown>;
const validateAgainstSchema = compileSchema(schema);

let temp: ReturnType<typeof tempDir>;
let fixture: ReportJournal;
let masked: WrittenReports;
let unmasked: WrittenReports;
let planned: WrittenReports;

beforeAll(async () => {
  temp = tempDir();
  fixture = buildReportJournal(temp.dir);
  const clock = manualClock(Date.parse('2026-11-28T16:00:00.000Z'));
  masked = await writeRunReports(fixture.journal, fixture.applyRunId, { dir: join(temp.dir, 'reports'), unmask: false, clock });
  unmasked = await writeRunReports(fixture.journal, fixture.applyRunId, { dir: join(temp.dir, 'unmasked'), unmask: true, clock });
  planned = await writeRunReports(fixture.journal, fixture.planRunId, { dir: join(temp.dir, 'reports'), unmask: false, clock });
});
afterAll(() => {
  fixture.journal.close();
  temp.remove();
});

async function documentOf(reports: WrittenReports): Promise<ReconciliationDocument> {
  return JSON.parse(await readFile(reports.reconciliationJson, 'utf8')) as ReconciliationDocument;
}

async function csvRecords(path: string): Promise<Record<string, string>[]> {
  return parse(await readFile(path), { bom: true, columns: true });
}

/** A CSV cell as the person typed it: the apostrophe that neutralises a formula removed. */
function cellValue(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** The CSV columns of a JSON user, flattened as reconciliation.csv documents them. */
function flattened(user: ReportUser): Record<string, string> {
  const text = (value: string | number | null): string => (value === null ? '' : String(value));
  const list = (values: readonly string[]): string => values.join('; ');
  return {
    line: String(user.line),
    username: user.username,
    upn: text(user.upn),
    entraUserId: text(user.entraUserId),
    matchedBy: text(user.matchedBy),
    status: user.status,
    statusSource: user.statusSource,
    planStatus: user.planStatus,
    afterBasis: user.afterBasis,
    mobileBefore: text(user.phones.mobile.before),
    mobileAfter: text(user.phones.mobile.after),
    alternateMobileBefore: text(user.phones.alternateMobile.before),
    alternateMobileAfter: text(user.phones.alternateMobile.after),
    officeBefore: text(user.phones.office.before),
    officeAfter: text(user.phones.office.after),
    preferredMethodBefore: text(user.preferredMethod.before),
    preferredMethodAfter: text(user.preferredMethod.after),
    changed: list(user.changed),
    devicesKept: list(user.devices.kept),
    devicesReregistrationRequired: list(user.devices.reregistrationRequired),
    devicesDropped: list(user.devices.dropped),
    devicesNotChecked: list(user.devices.notChecked),
    hardwareTokens: list(user.hardwareTokens.map((token) => `${token.serialNumber}: ${token.before ?? 'none'} → ${token.after ?? 'none'}`)),
    issueCodes: list([...new Set(user.issues.map((issue) => issue.code))]),
    actionNeeded: user.actionNeeded ? 'yes' : 'no',
    failedRequestIds: list(user.failedRequestIds),
  };
}

describe('writeRunReports', () => {
  it('writes the four files into <dir>/<runId>/', async () => {
    expect(masked.dir).toBe(join(temp.dir, 'reports', fixture.applyRunId));
    expect((await readdir(masked.dir)).sort()).toEqual(['issues.csv', 'reconciliation.csv', 'reconciliation.json', 'report.html']);
  });

  it('reconciliation.json follows schemas/reconciliation.schema.json, masked and unmasked, plan and apply', async () => {
    for (const reports of [masked, unmasked, planned]) {
      expect(validateAgainstSchema(await documentOf(reports))).toEqual([]);
    }
  });

  it('the schema test would notice a wrong document', async () => {
    const document = await documentOf(masked);
    // Through JSON, as a reader gets it: the undefined phones disappear.
    const broken: unknown = JSON.parse(JSON.stringify({ ...document, users: [{ ...document.users[0], status: 'done', phones: undefined }] }));
    expect(validateAgainstSchema(broken)).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: '$.users[0].status' }),
      { path: '$.users[0].phones', message: 'is required but missing' },
    ]));
  });

  it('the schema names every status and issue code the reports can write', () => {
    const defs = schema['$defs'] as Record<string, { enum: unknown[] }>;
    expect(defs['issueCode']?.enum).toEqual([...ISSUE_CODES]);
    expect(defs['reportStatus']?.enum).toEqual([...REPORT_STATUSES]);
  });

  it('covers every plan status, every final status and every finding code of the catalogue', async () => {
    const document = await documentOf(masked);
    expect(new Set(document.users.map((user) => user.planStatus))).toEqual(new Set(['planned', 'unchanged', 'conflict', 'skipped', 'unmatched', 'rejected', 'failed']));
    expect(new Set(document.users.flatMap((user) => (user.finalStatus === null ? [] : [user.finalStatus]))))
      .toEqual(new Set(['migrated', 'unchanged', 'partial', 'conflict', 'skipped', 'unmatched', 'rejected', 'failed']));
    const codes = new Set(document.users.flatMap((user) => user.issues.map((issue) => issue.code)));
    for (const code of Object.keys(FINDINGS)) expect(codes.has(code as ReportIssueCode), code).toBe(true);
    expect(Object.keys(document.catalogue).sort()).toEqual([...codes].sort());
  });

  it('reconciliation.csv read back has exactly the JSON users, field for field', async () => {
    const document = await documentOf(masked);
    const rows = await csvRecords(masked.reconciliationCsv);
    expect(rows.map((row) => Object.fromEntries(Object.entries(row).map(([column, cell]) => [column, cellValue(cell)]))))
      .toEqual(document.users.map(flattened));
  });

  it('status: the final status where apply set one, else the plan status, and says which', async () => {
    const users = (await documentOf(masked)).users;
    const interrupted = users.find((user) => user.line === 11);
    expect(interrupted).toMatchObject({ status: 'planned', statusSource: 'plan', finalStatus: null });
    expect(users.find((user) => user.line === 3)).toMatchObject({ status: 'partial', statusSource: 'final', planStatus: 'planned' });
    const summary = (await documentOf(masked)).summary;
    expect(summary.byStatus).toMatchObject({ migrated: 2, partial: 1, failed: 2, planned: 1, unmatched: 2 });
    expect(Object.values(summary.byStatus).reduce((sum, n) => sum + n, 0)).toBe(users.length);
  });

  it('after: an apply shows what was done; a plan what would be written, labelled planned', async () => {
    const applied = (await documentOf(unmasked)).users.find((user) => user.line === 3);
    expect(applied).toMatchObject({
      afterBasis: 'applied',
      // updatePhone done, createPhone office failed, setPreferredMethod skipped.
      phones: { mobile: { before: '+1 2065550103', after: '+1 4255550103' }, office: { before: null, after: null } },
      preferredMethod: { before: null, after: null },
    });
    const plannedUser = (await documentOf(planned)).users.find((user) => user.line === 3);
    expect(plannedUser).toMatchObject({
      afterBasis: 'planned',
      status: 'planned',
      phones: { mobile: { before: '+1 ••••••0103', after: '+1 ••••••0103' }, office: { before: null, after: '+1 ••••••0203x•' } },
      preferredMethod: { before: null, after: 'voiceMobile' },
    });
    const token = (await documentOf(masked)).users.find((user) => user.line === 12)?.hardwareTokens;
    expect(token).toEqual([{ serialNumber: 'TOTP0012', before: null, after: 'activated' }]);
  });

  it('verify: the verified run\'s writes give the before → after; verify\'s status and findings, not the writes\' failures, give the issues', async () => {
    const verified = await writeRunReports(fixture.journal, fixture.verifyRunId, { dir: join(temp.dir, 'reports'), unmask: true });
    const document = await documentOf(verified);
    expect(validateAgainstSchema(document)).toEqual([]);
    const user = document.users.find((candidate) => candidate.line === 3);
    expect(user).toMatchObject({
      status: 'partial',
      statusSource: 'final',
      phones: { mobile: { before: '+1 2065550103', after: '+1 4255550103' }, office: { before: null, after: null } },
      failedRequestIds: [fixture.failedRequestIds[0]],
    });
    expect(user?.operations.map((operation) => operation.status)).toEqual(['done', 'failed', 'skipped']);
    expect(user?.issues.map((issue) => issue.code)).toContain('METHOD_MISSING');
    expect(document.users.flatMap((candidate) => candidate.issues).filter((issue) => issue.source === 'operation')).toEqual([]);
  });

  it('issues.csv has one row per issue needing action, with the catalogue remedy and request-ids of failed writes', async () => {
    const document = await documentOf(masked);
    const rows = await csvRecords(masked.issuesCsv);
    const expected = document.users.flatMap((user) => user.issues.filter((issue) => issue.actionNeeded).map((issue) => [String(user.line), issue.code, issue.message]));
    expect(rows.map((row) => [row['line'], row['code'], row['message']])).toEqual(expected);
    expect(rows).toHaveLength(document.summary.issueRows);
    for (const row of rows) {
      const code = row['code'] as ReportIssueCode;
      expect(ACTION_NEEDED[code], code).toBe(true);
      expect(row['remedy']).toBe(ISSUE_CATALOGUE[code].remedy);
      expect(row['severity']).toBe(ISSUE_CATALOGUE[code].severity);
    }
    // Every error finding needs action; notices never do.
    const codesInCsv = new Set(rows.map((row) => row['code']));
    for (const [code, entry] of Object.entries(FINDINGS)) {
      if (entry.severity === 'error') expect(codesInCsv.has(code), code).toBe(true);
      if (entry.severity === 'notice') expect(codesInCsv.has(code), code).toBe(false);
    }
    const failed = rows.filter((row) => row['code'] === 'OPERATION_FAILED');
    expect(failed.map((row) => row['requestId'])).toEqual(fixture.failedRequestIds);
    expect(failed.every((row) => row['graphCode'] === 'invalidPhoneNumber')).toBe(true);
    expect(codesInCsv.has('OPERATION_UNCONFIRMED') && codesInCsv.has('OPERATION_PENDING') && codesInCsv.has('OPERATION_SKIPPED')).toBe(true);
    // The failed users carry their request-ids in reconciliation.csv too.
    const reconciliation = await csvRecords(masked.reconciliationCsv);
    expect(reconciliation.flatMap((row) => (row['failedRequestIds'] === '' ? [] : (row['failedRequestIds'] ?? '').split('; ')))).toEqual(fixture.failedRequestIds);
  });

  it('CSV files are UTF-8 with a byte-order mark and CRLF line ends', async () => {
    for (const path of [masked.reconciliationCsv, masked.issuesCsv]) {
      const bytes = await readFile(path);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replaceAll('\r\n', '')).not.toMatch(/\n/);
    }
  });

  it('no phone number appears in any file unless --unmask; with it they do', async () => {
    const digitRuns = (text: string): string[] => (text.match(/\d[\d ().-]*\d/g) ?? []).map((run) => run.replace(/\D/g, ''));
    const nationalDigits = fixture.phoneNumbers.map((number) => number.replace(/^\+\d{1,3} /, '').replace(/x\d+$/, '').replace(/\D/g, ''));
    expect(nationalDigits.length).toBeGreaterThan(40);
    for (const reports of [masked, planned]) {
      for (const path of [reports.reconciliationCsv, reports.reconciliationJson, reports.issuesCsv, reports.html]) {
        const runs = digitRuns(await readFile(path, 'utf8'));
        for (const digits of nationalDigits) expect(runs.some((run) => run.includes(digits)), `${digits} in ${path}`).toBe(false);
      }
    }
    const everything = (await Promise.all([unmasked.reconciliationCsv, unmasked.reconciliationJson, unmasked.issuesCsv, unmasked.html].map((path) => readFile(path, 'utf8')))).join('\n');
    for (const number of ['+1 2065550102', '+1 4255550102', '+1 4255550202x2', '(360) 555-1080']) expect(everything).toContain(number);
  });

  it('never writes the seed fingerprint', async () => {
    for (const reports of [masked, unmasked]) {
      for (const path of [reports.reconciliationCsv, reports.reconciliationJson, reports.issuesCsv, reports.html]) {
        expect(await readFile(path, 'utf8')).not.toContain(fixture.seedFingerprint);
      }
    }
  });

  it('neutralises a username Excel would run as a formula, in both CSV files', async () => {
    for (const path of [masked.reconciliationCsv, masked.issuesCsv]) {
      const rows = await csvRecords(path);
      const cells = rows.map((row) => row['username'] ?? '');
      expect(cells).toContain(`'${FORMULA_USERNAME}`);
      expect(cells.every((cell) => !/^[=+\-@\t\r]/.test(cell))).toBe(true);
    }
  });

  it('a username holding markup cannot end the embedded data or run in report.html', async () => {
    const html = await readFile(masked.html, 'utf8');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain(JSON.stringify(SCRIPT_USERNAME).replaceAll('<', '\\u003c'));
    // Exactly the page's own three script elements.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('report.html is self-contained: no URL it could fetch, and a policy that forbids fetching', async () => {
    const html = await readFile(masked.html, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    expect(html).not.toMatch(/<(?:link|img|iframe)\b|\bsrc=|@import|url\(/);
  });

  it('files are 0600 in a 0700 folder, and no temporary file is left behind', async () => {
    expect((await stat(masked.dir)).mode & 0o777).toBe(0o700);
    for (const path of [masked.reconciliationCsv, masked.reconciliationJson, masked.issuesCsv, masked.html]) {
      expect((await stat(path)).mode & 0o777, path).toBe(0o600);
    }
    expect((await readdir(masked.dir)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('a run without users still gives valid reports', async () => {
    const empty = openMemoryJournal({ clock: manualClock() });
    try {
      const run = empty.createRun(aPlanRun());
      const reports = await writeRunReports(empty, run.id, { dir: join(temp.dir, 'empty'), unmask: false });
      const document = await documentOf(reports);
      expect(document.users).toEqual([]);
      expect(validateAgainstSchema(document)).toEqual([]);
      expect(await csvRecords(reports.reconciliationCsv)).toEqual([]);
      expect(await readFile(reports.html, 'utf8')).toContain('<script type="application/json" id="report-users">[]</script>');
    } finally {
      empty.close();
    }
  });

  it('RUN_NOT_FOUND for a run the journal does not hold; the latest run when none is named', async () => {
    await expect(writeRunReports(fixture.journal, '20260101-000000-0000', { dir: temp.dir, unmask: false })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND', exitCode: 2 });
    expect(chooseRun(fixture.journal, null).id).toBe(fixture.verifyRunId);
    expect(() => chooseRun(fixture.journal, 'nope')).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }) as Error);
  });

  it('REPORT_WRITE_FAILED, naming the command that rebuilds the reports, when the folder cannot be written', async () => {
    const blocked = join(temp.dir, 'blocked');
    await writeRunReports(fixture.journal, fixture.planRunId, { dir: blocked, unmask: false });
    // A file where the run's folder must go.
    await rm(join(blocked, fixture.applyRunId), { recursive: true, force: true });
    await writeFile(join(blocked, fixture.applyRunId), 'not a folder');
    await expect(writeRunReports(fixture.journal, fixture.applyRunId, { dir: blocked, unmask: false })).rejects.toMatchObject({
      code: 'REPORT_WRITE_FAILED',
      exitCode: 3,
      remedy: expect.stringContaining(`mfa-migrate report --run ${fixture.applyRunId}`) as string,
    });
  });
});
