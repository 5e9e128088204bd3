/**
 * reconciliation.xlsx: the report as Excel opens it in every locale — the file admins actually
 * open. A CSV opens as one column where Windows' list separator is `;`, and its formula guard
 * (`'+1 ••••••0100`) shows in the cell; a workbook has neither problem: each value is a typed cell
 * (lines are numbers, "must act" are booleans, dates are dates, phone numbers and everything else
 * are text cells, which Excel never evaluates), one sheet per table (users, issues, writes, the
 * codes with their cause and what to do, and the run), the header row frozen and filters on it.
 *
 * Written with exceljs's streaming writer, so memory stays flat with the number of users: the
 * users sheet is written as users arrive; the issue and write rows go to spool files meanwhile
 * (a zip holds one entry at a time, and an entry written beside another is held in memory until
 * its turn) and become their sheets at the end. Styles are off: exceljs looks a style up for
 * every cell when they are on, which tripled the time (measured: 100,000 rows of 28 cells in
 * 3.6 s without, 9.3 s with); dates still get Excel's date format.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import ExcelJS from 'exceljs';
import { isRecord } from '../json-value.js';
import { hardwareTokenCell } from './csv-columns.js';
import { ISSUE_CATALOGUE, ISSUE_CODES, WHO_MUST_ACT, WHO_MUST_ACT_WORDS } from './issue-catalogue.js';
import { defaultMethodInWords, OPERATION_STATUS_WORDS, OPERATION_WORDS, targetWords, UNDO_STATUS_WORDS } from './plain-words.js';
import type { PrivateFile } from './private-file.js';
import type { ReportRun, ReportSummary } from './report-summary.js';
import type { ReportIssue, ReportOperation, ReportUser } from './report-user.js';

/** Rows of one worksheet, the header included: Excel's limit ("Excel specifications and limits", 1,048,576 rows). */
export const XLSX_MAX_ROWS = 1_048_576;
/** Characters of one cell: Excel's limit (32,767); a longer text makes Excel repair the file. */
const XLSX_MAX_CELL_CHARACTERS = 32_767;
/** Deflate level of the zip: 1 writes 100,000 users 25 % faster than the default 6 for a file 7 % larger. */
const ZIP_LEVEL = 1;
/** Rows written between two looks at the zip's backlog. */
const ROWS_PER_CHECK = 200;
/** Uncompressed bytes the zip may hold unwritten before the writer waits for it (its deflate buffers them). */
const ZIP_BACKLOG_BYTES = 1024 * 1024;

type Cell = string | number | boolean | Date | null;

interface Column<Row> {
  readonly header: string;
  /** Width in characters. */
  readonly width: number;
  readonly value: (row: Row) => Cell;
}

const text = (value: string | null): Cell => (value === null || value === '' ? null : value);
const list = (values: readonly string[]): Cell => (values.length === 0 ? null : values.join('; '));
const method = (value: string | null): Cell => (value === null ? null : defaultMethodInWords(value));

const USER_COLUMNS: readonly Column<ReportUser>[] = [
  { header: 'Line', width: 7, value: (user) => user.line },
  { header: 'Name', width: 22, value: (user) => text(user.displayName) },
  { header: 'Username', width: 28, value: (user) => text(user.username) },
  { header: 'UPN', width: 28, value: (user) => text(user.upn) },
  { header: 'Status', width: 11, value: (user) => user.status },
  { header: 'Admin must act', width: 9, value: (user) => user.adminMustAct },
  { header: 'User must act', width: 9, value: (user) => user.userMustAct },
  { header: 'Issues', width: 30, value: (user) => list([...new Set(user.issues.map((issue) => issue.code))]) },
  { header: 'Mobile before', width: 17, value: (user) => text(user.phones.mobile.before) },
  { header: 'Mobile after', width: 17, value: (user) => text(user.phones.mobile.after) },
  { header: 'Alternate mobile before', width: 17, value: (user) => text(user.phones.alternateMobile.before) },
  { header: 'Alternate mobile after', width: 17, value: (user) => text(user.phones.alternateMobile.after) },
  { header: 'Office phone before', width: 19, value: (user) => text(user.phones.office.before) },
  { header: 'Office phone after', width: 19, value: (user) => text(user.phones.office.after) },
  { header: 'Default sign-in method before', width: 26, value: (user) => method(user.preferredMethod.before) },
  { header: 'Default sign-in method after', width: 26, value: (user) => method(user.preferredMethod.after) },
  { header: 'Authenticator kept', width: 18, value: (user) => list(user.devices.kept) },
  { header: 'Authenticator to register again', width: 18, value: (user) => list(user.devices.reregistrationRequired) },
  { header: 'Devices over the limit', width: 18, value: (user) => list(user.devices.dropped) },
  { header: 'Devices not compared', width: 18, value: (user) => list(user.devices.notChecked) },
  { header: 'Hardware tokens', width: 24, value: (user) => list(user.hardwareTokens.map(hardwareTokenCell)) },
  { header: 'Failed request-ids', width: 38, value: (user) => list(user.failedRequestIds) },
  { header: 'Entra object id', width: 38, value: (user) => text(user.entraUserId) },
  { header: 'Matched by', width: 14, value: (user) => text(user.matchedBy) },
  { header: 'Status from', width: 9, value: (user) => user.statusSource },
  { header: 'Plan status', width: 11, value: (user) => text(user.planStatus) },
];

/** The user's columns every issue and write row starts with. */
const WHO: readonly Column<ReportUser>[] = USER_COLUMNS.slice(0, 5);

const ISSUE_COLUMNS: readonly Column<ReportIssue>[] = [
  { header: 'Who must act', width: 14, value: (issue) => (issue.whoMustAct === null ? null : WHO_MUST_ACT_WORDS[issue.whoMustAct]) },
  { header: 'Code', width: 28, value: (issue) => issue.code },
  { header: 'Severity', width: 9, value: (issue) => issue.severity },
  { header: 'What happened', width: 80, value: (issue) => issue.message },
  { header: 'Graph code', width: 18, value: (issue) => text(issue.graphCode) },
  { header: 'Request-id', width: 38, value: (issue) => text(issue.requestId) },
  { header: 'File', width: 16, value: (issue) => text(issue.file) },
  { header: 'File line', width: 8, value: (issue) => issue.line },
];

/** The codes sheet: each code that occurs, with its cause and what to do (docs/troubleshooting.md's words). */
const CODE_COLUMNS: readonly { readonly header: string; readonly width: number }[] = [
  { header: 'Code', width: 28 }, { header: 'Severity', width: 9 }, { header: 'Who must act', width: 14 }, { header: 'Times', width: 8 },
  { header: 'Users', width: 8 }, { header: 'Cause', width: 80 }, { header: 'What to do', width: 80 },
];

/** validate's issues: no write was made, so no Graph code or request-id to show. */
const OFFLINE_ISSUE_COLUMNS = ISSUE_COLUMNS.filter((column) => column.header !== 'Graph code' && column.header !== 'Request-id');

function writeColumns(undo: boolean): readonly Column<ReportOperation>[] {
  const statusWords = undo ? UNDO_STATUS_WORDS : OPERATION_STATUS_WORDS;
  return [
    { header: undo ? 'Undo step' : 'Write', width: 26, value: (operation) => OPERATION_WORDS[operation.kind] },
    { header: 'Of', width: 24, value: (operation) => (operation.kind === 'setPreferredMethod' ? defaultMethodInWords(operation.target) : targetWords(operation.target)) },
    { header: 'Number', width: 17, value: (operation) => text(operation.phoneNumber) },
    { header: 'Outcome', width: 12, value: (operation) => statusWords[operation.status] },
    { header: undo ? 'Reason or error' : 'Error', width: 60, value: (operation) => text(operation.errorMessage) },
    { header: 'Graph code', width: 18, value: (operation) => text(operation.graphCode) },
    { header: 'Request-id', width: 38, value: (operation) => text(operation.requestId) },
    { header: 'Graph operation', width: 22, value: (operation) => operation.kind },
    { header: 'Graph target', width: 20, value: (operation) => operation.target },
    { header: 'Graph status', width: 10, value: (operation) => operation.status },
  ];
}

function cellOf(value: Cell): Cell {
  return typeof value === 'string' && value.length > XLSX_MAX_CELL_CHARACTERS ? `${value.slice(0, XLSX_MAX_CELL_CHARACTERS - 1)}…` : value;
}

/**
 * Back-pressure exceljs's streaming writer lacks: a worksheet writes its XML into the zip entry
 * without looking at what write() answers, and archiver deflates it on libuv's threads one chunk
 * per turn of the event loop — so the XML of a whole sheet piled up in memory (measured: 250 MB
 * at 350,000 rows, in a 400 MB process). Waits for the entry to drain when it holds more than
 * ZIP_BACKLOG_BYTES; just yields a turn when it cannot tell.
 *
 * Reads exceljs 4.4.0's and archiver 5's internals — WorksheetWriter.stream, a StreamBuf whose
 * `pipes[0]` is archiver's PassThrough (readable-stream) for the entry, whose `_writableState.length`
 * is what it holds — which is why package.json pins exceljs to that exact version. A test checks
 * that memory stays flat over 200,000 rows, so an upgrade that moves them fails there.
 */
function zipCaughtUp(sheet: ExcelJS.Worksheet): Promise<void> | undefined {
  const entry = zipEntryOf(sheet);
  if (entry === null) return new Promise((resolve) => setImmediate(resolve));
  if (entry.held() <= ZIP_BACKLOG_BYTES) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      entry.off('drain', done);
      entry.off('close', done);
      entry.off('error', done);
      resolve();
    };
    // An error ends the wait; the workbook's commit reports it.
    entry.on('drain', done);
    entry.on('close', done);
    entry.on('error', done);
  });
}

interface ZipEntry {
  /** Bytes written to the entry and not yet taken by the zip. */
  readonly held: () => number;
  readonly on: (event: string, listener: () => void) => unknown;
  readonly off: (event: string, listener: () => void) => unknown;
}

function zipEntryOf(sheet: ExcelJS.Worksheet): ZipEntry | null {
  const stream: unknown = (sheet as unknown as { readonly stream: unknown }).stream;
  const pipes: unknown = isRecord(stream) ? stream['pipes'] : null;
  const entry: unknown = Array.isArray(pipes) ? pipes[0] : null;
  if (!isRecord(entry) || typeof entry['on'] !== 'function' || typeof entry['off'] !== 'function') return null;
  const state: unknown = entry['_writableState'];
  if (!isRecord(state) || typeof state['length'] !== 'number') return null;
  const on = entry['on'] as (event: string, listener: () => void) => unknown;
  const off = entry['off'] as (event: string, listener: () => void) => unknown;
  return {
    held: () => (typeof state['length'] === 'number' ? state['length'] : 0),
    on: (event, listener) => on.call(entry, event, listener),
    off: (event, listener) => off.call(entry, event, listener),
  };
}

/**
 * One table over as many worksheets as Excel's row limit needs ("users", "users 2", …), each with
 * its header frozen and filters on it.
 */
class SheetSeries {
  readonly #workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  readonly #name: string;
  readonly #columns: readonly { readonly header: string; readonly width: number }[];
  #sheet: ExcelJS.Worksheet | null = null;
  #rows = 0;
  #sheets = 0;
  #sinceCheck = 0;

  constructor(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: readonly { readonly header: string; readonly width: number }[]) {
    this.#workbook = workbook;
    this.#name = name;
    this.#columns = columns;
  }

  /** Adds a row; returns a promise when the zip is behind, to await before the next. */
  add(values: readonly Cell[]): Promise<void> | undefined {
    if (this.#sheet === null || this.#rows >= XLSX_MAX_ROWS) this.#open();
    this.#sheet?.addRow(values.map(cellOf)).commit();
    this.#rows += 1;
    this.#sinceCheck += 1;
    if (this.#sinceCheck < ROWS_PER_CHECK) return undefined;
    this.#sinceCheck = 0;
    return this.#sheet === null ? undefined : zipCaughtUp(this.#sheet);
  }

  /** Ends the last sheet (and writes an empty one, header only, when there were no rows). */
  commit(): void {
    if (this.#sheet === null) this.#open();
    this.#close();
  }

  #open(): void {
    this.#close();
    this.#sheets += 1;
    const sheet = this.#workbook.addWorksheet(this.#sheets === 1 ? this.#name : `${this.#name} ${String(this.#sheets)}`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = this.#columns.map((column) => ({ header: column.header, width: column.width }));
    this.#sheet = sheet;
    this.#rows = 1;
  }

  #close(): void {
    if (this.#sheet === null) return;
    // The filter covers every row: exceljs writes it after the rows, so the count is known by now.
    this.#sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: this.#rows, column: this.#columns.length } };
    this.#sheet.commit();
    this.#sheet = null;
  }
}

export interface XlsxSpools {
  readonly issues: PrivateFile;
  readonly writes: PrivateFile;
}

/**
 * What the workbook holds. A run's report: every user (users sheet), their issues and writes,
 * the run. validate's: the issues and the run only — the exports' to-do list, whose rows go
 * straight to their sheet (nothing is written beside it, so nothing is spooled).
 */
export type XlsxContent =
  | { readonly kind: 'run'; readonly spools: XlsxSpools; readonly undo: boolean }
  | { readonly kind: 'issues' };

export class XlsxReport {
  readonly #workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  readonly #finished: Promise<unknown>;
  /** A write error before the workbook is committed: a stream error without a listener would end the process. */
  #failed: Error | null = null;
  readonly #content: XlsxContent;
  /** The users sheet of a run's report; the issues sheet of validate's. */
  readonly #streamed: SheetSeries;
  readonly #writeColumns: readonly Column<ReportOperation>[];

  /** @param file where the workbook goes (its stream is ended by finish) */
  constructor(file: PrivateFile, content: XlsxContent) {
    const stream = file.writableStream();
    stream.on('error', (error) => { this.#failed ??= error; });
    this.#finished = once(stream, 'finish');
    // Awaited by finish; a workbook discarded before then must not leave its failure unhandled.
    this.#finished.catch(() => undefined);
    this.#workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: false, useSharedStrings: false, zip: { zlib: { level: ZIP_LEVEL } } });
    this.#content = content;
    this.#streamed = content.kind === 'run' ? new SheetSeries(this.#workbook, 'users', USER_COLUMNS) : new SheetSeries(this.#workbook, 'issues', [...WHO, ...OFFLINE_ISSUE_COLUMNS]);
    this.#writeColumns = writeColumns(content.kind === 'run' && content.undo);
  }

  /** Adds one user; returns a promise now and then, to await before the next (see SheetSeries.add). */
  add(user: ReportUser): Promise<void> | undefined {
    const who = WHO.map((column) => column.value(user));
    const content = this.#content;
    const pending: Promise<void>[] = [];
    const issueColumns = content.kind === 'run' ? ISSUE_COLUMNS : OFFLINE_ISSUE_COLUMNS;
    for (const issue of user.issues) {
      if (!issue.actionNeeded) continue;
      const row = [...who, ...issueColumns.map((column) => column.value(issue))];
      const written = content.kind === 'run' ? content.spools.issues.write(`${JSON.stringify(row)}\n`) : this.#streamed.add(row);
      if (written !== undefined) pending.push(written);
    }
    if (content.kind === 'run') {
      for (const operation of user.operations) {
        const written = content.spools.writes.write(`${JSON.stringify([...who, ...this.#writeColumns.map((column) => column.value(operation))])}\n`);
        if (written !== undefined) pending.push(written);
      }
      const turn = this.#streamed.add(USER_COLUMNS.map((column) => column.value(user)));
      if (turn !== undefined) pending.push(turn);
    }
    return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
  }

  /** Writes the issue and write sheets from their spools (a run's report), then the run's sheet, and ends the file. */
  async finish(run: ReportRun, summary: ReportSummary, facts: { readonly generatedAt: Date; readonly unmask: boolean }): Promise<void> {
    this.#streamed.commit();
    const content = this.#content;
    if (content.kind === 'run') {
      await content.spools.issues.close();
      await content.spools.writes.close();
      await this.#sheetFromSpool('issues', [...WHO, ...ISSUE_COLUMNS], content.spools.issues.temporaryPath);
      await this.#sheetFromSpool(content.undo ? 'undo steps' : 'writes', [...WHO, ...this.#writeColumns], content.spools.writes.temporaryPath);
    }
    // What to do once per code rather than on each of its rows: a million rows repeat a dozen remedies.
    const codes = new SheetSeries(this.#workbook, 'codes', CODE_COLUMNS);
    for (const code of ISSUE_CODES) {
      if (summary.issues[code] === undefined) continue;
      const entry = ISSUE_CATALOGUE[code];
      const who = WHO_MUST_ACT[code];
      const turn = codes.add([code, entry.severity, who === null ? 'no one' : WHO_MUST_ACT_WORDS[who], summary.issues[code] ?? 0, summary.usersByIssue[code] ?? 0, entry.cause, entry.remedy]);
      if (turn !== undefined) await turn;
    }
    codes.commit();
    const about = new SheetSeries(this.#workbook, 'run', [{ header: 'Fact', width: 34 }, { header: 'Value', width: 60 }]);
    for (const row of runFacts(run, summary, facts)) {
      const turn = about.add(row);
      if (turn !== undefined) await turn;
    }
    about.commit();
    await this.#workbook.commit();
    await this.#finished;
    if (this.#failed !== null) throw this.#failed;
  }

  async #sheetFromSpool(name: string, columns: readonly { readonly header: string; readonly width: number }[], path: string): Promise<void> {
    const sheet = new SheetSeries(this.#workbook, name, columns);
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const turn = sheet.add(JSON.parse(line) as Cell[]);
      if (turn !== undefined) await turn;
    }
    sheet.commit();
  }
}

function runFacts(run: ReportRun, summary: ReportSummary, facts: { readonly generatedAt: Date; readonly unmask: boolean }): Cell[][] {
  const rows: Cell[][] = [
    ['Run', run.id],
    ['Command', run.command],
    ['Run status', run.status],
    ['Started', run.startedAt],
    ['Finished', run.finishedAt],
    [run.command === 'rollback' ? 'Undoes run' : 'From run', run.parentRunId],
    ['Tenant', run.tenantId],
    ['Graph', run.graphUrl],
    ['Report written', facts.generatedAt],
    ['Phone numbers', facts.unmask ? 'in full (--unmask): handle this file as confidential' : 'masked: country code and last four digits'],
    ['Users', summary.users],
    ['Users an admin must act on', summary.usersAdminMustAct],
    ['Users who must act themselves', summary.usersUserMustAct],
    ['Rows of the issues sheet', summary.issueRows],
  ];
  for (const input of run.inputs) rows.push([`Input: ${input.role}`, input.path]);
  return rows;
}
