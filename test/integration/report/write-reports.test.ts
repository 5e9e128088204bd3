/**
 * The five reports of a run written from a real journal file: the CSV and the JSON tell the same
 * facts, the JSON follows its schema, issues.csv holds exactly what needs action with its remedy,
 * no phone number leaves masked, nothing a username holds can run in Excel or the browser, and
 * the files are private.
 */
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../../src/findings.js';
import { OPERATION_KINDS } from '../../../src/plan/operations.js';
import { ISSUE_CATALOGUE, ISSUE_CODES, WHO_MUST_ACT, type ReportIssueCode } from '../../../src/report/issue-catalogue.js';
import { REPORT_STATUSES, type ReportUser } from '../../../src/report/report-user.js';
import { chooseRun, writeRunReports, type WrittenReports } from '../../../src/report/write-reports.js';
import { openMemoryJournal } from '../../../src/journal/journal.js';
import { compileSchema } from '../../../src/json-schema/validator.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';
import { readWorkbook, recordsOf, unzipText } from '../../support/xlsx.js';
import { buildReportJournal, ENTRA_DISPLAY_NAME, EXPORT_DISPLAY_NAME, FORMULA_USERNAME, SCRIPT_USERNAME, type ReportJournal } from './report-journal.js';

interface ReconciliationDocument {
  schemaVersion: number;
  phoneNumbers: string;
  afterBasis: string;
  run: { id: string; command: string };
  summary: { users: number; byStatus: Record<string, number>; usersNeedingAction: number; usersAdminMustAct: number; usersUserMustAct: number; issueRows: number; issues: Record<string, number>; operations: Record<string, Record<string, number>> };
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
    displayName: text(user.displayName),
    upn: text(user.upn),
    entraUserId: text(user.entraUserId),
    matchedBy: text(user.matchedBy),
    status: user.status,
    statusSource: user.statusSource,
    planStatus: text(user.planStatus),
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
    adminMustAct: user.adminMustAct ? 'yes' : 'no',
    userMustAct: user.userMustAct ? 'yes' : 'no',
    failedRequestIds: list(user.failedRequestIds),
  };
}

describe('writeRunReports', () => {
  it('writes the five files into <dir>/<runId>/, and unmasked ones into <dir>/<runId>-unmasked/', async () => {
    expect(masked.dir).toBe(join(temp.dir, 'reports', fixture.applyRunId));
    expect((await readdir(masked.dir)).sort()).toEqual(['issues.csv', 'reconciliation.csv', 'reconciliation.json', 'reconciliation.xlsx', 'report.html']);
    expect(unmasked.dir).toBe(join(temp.dir, 'unmasked', `${fixture.applyRunId}-unmasked`));
    expect((await readdir(unmasked.dir)).sort()).toEqual(['issues.csv', 'reconciliation.csv', 'reconciliation.json', 'reconciliation.xlsx', 'report.html']);
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
    expect(defs['operationKind']?.enum).toEqual([...OPERATION_KINDS]);
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
      expect(WHO_MUST_ACT[code], code).not.toBeNull();
      expect(row['whoMustAct']).toBe(WHO_MUST_ACT[code]);
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

  it('shows each user by name: Entra\'s display name when the run read one, else the export\'s first and last name', async () => {
    const users = (await documentOf(masked)).users;
    expect(users.find((user) => user.line === 2)?.displayName).toBe(ENTRA_DISPLAY_NAME);
    expect(users.find((user) => user.line === 8)?.displayName).toBe(EXPORT_DISPLAY_NAME);
    expect(users.find((user) => user.line === 3)?.displayName).toBe('Export Name 3');
    const rows = await csvRecords(masked.reconciliationCsv);
    expect(rows.find((row) => row['line'] === '2')?.['displayName']).toBe(ENTRA_DISPLAY_NAME);
  });

  it('keeps what an admin must do apart from what the user must do, in the summary, both CSVs and the JSON', async () => {
    const document = await documentOf(masked);
    const admin = document.users.filter((user) => user.adminMustAct).length;
    const user = document.users.filter((candidate) => candidate.userMustAct).length;
    expect(document.summary).toMatchObject({ usersAdminMustAct: admin, usersUserMustAct: user });
    expect(user).toBeGreaterThan(0);
    // Line 3 must register Authenticator again on top of its failed write: both.
    expect(document.users.find((candidate) => candidate.line === 3)).toMatchObject({ adminMustAct: true, userMustAct: true, actionNeeded: true });
    const rows = await csvRecords(masked.issuesCsv);
    expect(rows.find((row) => row['code'] === 'DEVICE_REREGISTRATION_REQUIRED')?.['whoMustAct']).toBe('user');
    expect(rows.find((row) => row['code'] === 'PHONE_INVALID')?.['whoMustAct']).toBe('admin');
    expect(document.catalogue['DEVICE_REREGISTRATION_REQUIRED']).toMatchObject({ whoMustAct: 'user' });
  });

  it('reconciliation.xlsx: a sheet per table with typed cells, phone numbers as text, the header frozen and filters over every row', async () => {
    const document = await documentOf(masked);
    const sheets = await readWorkbook(masked.xlsx);
    expect(sheets.map((sheet) => sheet.name)).toEqual(['users', 'issues', 'writes', 'codes', 'run']);
    for (const sheet of sheets) {
      expect(sheet.frozenRows, sheet.name).toBe(1);
      const lastColumn = String.fromCharCode(64 + (sheet.rows[0]?.length ?? 0));
      expect(sheet.autoFilter, sheet.name).toBe(`A1:${lastColumn}${String(sheet.rows.length)}`);
    }
    const [users, issues, writes, codes, run] = sheets.map(recordsOf);
    expect(users?.map((row) => row['Line'])).toEqual(document.users.map((user) => user.line));
    const line2 = users?.find((row) => row['Line'] === 2);
    expect(line2).toMatchObject({ Name: ENTRA_DISPLAY_NAME, 'Mobile after': '+1 ••••••0102', 'Admin must act': expect.any(Boolean) as boolean, 'Default sign-in method after': 'phone call to mobile (voiceMobile)' });
    // A username Excel would run is a text cell, shown as typed: no guard, no formula anywhere.
    expect(users?.map((row) => row['Username'])).toContain(FORMULA_USERNAME);
    for (const [name, xml] of await unzipText(masked.xlsx)) if (name.startsWith('xl/worksheets/')) expect(xml, name).not.toMatch(/<f[ >]/);
    expect(issues).toHaveLength(document.summary.issueRows);
    expect(issues?.find((row) => row['Code'] === 'OPERATION_FAILED')).toMatchObject({ 'Who must act': 'admin must act', 'Request-id': fixture.failedRequestIds[0] });
    const operations = document.users.reduce((sum, user) => sum + user.operations.length, 0);
    expect(writes).toHaveLength(operations);
    expect(writes?.find((row) => row['Graph operation'] === 'setPreferredMethod')).toMatchObject({ Write: 'set default sign-in method', Of: 'phone call to mobile (voiceMobile)' });
    expect(codes?.map((row) => row['Code'])).toEqual(Object.keys(document.catalogue));
    expect(codes?.find((row) => row['Code'] === 'OPERATION_FAILED')?.['What to do']).toBe(ISSUE_CATALOGUE.OPERATION_FAILED.remedy);
    expect(run?.find((row) => row['Fact'] === 'Started')?.['Value']).toBeInstanceOf(Date);
  });

  it('reconciliation.xlsx holds no phone number unless --unmask', async () => {
    const nationalDigits = fixture.phoneNumbers.map((number) => number.replace(/^\+\d{1,3} /, '').replace(/x\d+$/, '').replace(/\D/g, ''));
    const xml = [...(await unzipText(masked.xlsx)).values()].join('\n');
    const runs = (xml.match(/\d[\d ().-]*\d/g) ?? []).map((run) => run.replace(/\D/g, ''));
    for (const digits of nationalDigits) expect(runs.some((run) => run.includes(digits)), digits).toBe(false);
    expect([...(await unzipText(unmasked.xlsx)).values()].join('\n')).toContain('+1 4255550102');
  });

  it('a rollback\'s report: only the users it undid, its own statuses, every undo step, no findings of the migration', async () => {
    const reports = await writeRunReports(fixture.journal, fixture.rollbackRunId, { dir: join(temp.dir, 'reports'), unmask: false });
    const document = await documentOf(reports);
    expect(validateAgainstSchema(document)).toEqual([]);
    expect(document.run.command).toBe('rollback');
    expect(document.users.map((user) => [user.line, user.status, user.statusSource])).toEqual([[2, 'kept', 'undo'], [3, 'failed', 'undo'], [12, 'restored', 'undo']]);
    expect(document.summary.byStatus).toMatchObject({ restored: 1, kept: 1, failed: 1, migrated: 0, conflict: 0 });
    expect(document.summary.operations).toEqual({
      updatePhone: { done: 1, failed: 1 }, setPreferredMethod: { skipped: 1 }, deletePhone: { done: 1 }, unassignHardwareToken: { done: 1 }, deleteHardwareToken: { done: 1 },
    });
    const codes = document.users.flatMap((user) => user.issues.map((issue) => issue.code));
    expect(codes.sort()).toEqual(['UNDO_FAILED', 'UNDO_KEPT']);
    const failed = document.users.find((user) => user.line === 3)?.issues[0];
    expect(failed).toMatchObject({ requestId: fixture.failedUndoRequestId, graphCode: 'invalidPhoneNumber', whoMustAct: 'admin' });
    expect(failed?.message).toContain('change phone number mobile (updatePhone mobile)');
    const kept = document.users.find((user) => user.line === 2)?.issues[0];
    expect(kept?.message).toContain('Entra cannot unset one');
    // Before is what the rollback found, after what it left: line 2's mobile is back, its office gone.
    expect(document.users.find((user) => user.line === 2)?.phones).toMatchObject({ mobile: { before: '+1 ••••••0102', after: '+1 ••••••0102' }, office: { after: null } });
    const html = await readFile(reports.html, 'utf8');
    expect(html).toContain('Rollback report');
    expect(html).toMatch(/<th class="num" title="done">undone<\/th>/);
    const issuesSection = /<section id="issues">.*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(issuesSection).toContain('UNDO_KEPT');
    expect(issuesSection).not.toContain('PHONE_REPLACED');
    const writes = recordsOf((await readWorkbook(reports.xlsx))[2] ?? { name: '', rows: [], frozenRows: 0, autoFilter: null });
    expect(writes.map((row) => [row['Line'], row['Undo step'], row['Outcome']])).toEqual([
      [2, 'set default sign-in method', 'kept'], [2, 'change phone number', 'undone'], [2, 'delete phone', 'undone'],
      [3, 'change phone number', 'failed'], [12, 'unassign hardware token', 'undone'], [12, 'delete hardware token from the inventory', 'undone'],
    ]);
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
    expect(chooseRun(fixture.journal, null).id).toBe(fixture.rollbackRunId);
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
