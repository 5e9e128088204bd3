/**
 * The reports of one run, from the journal alone — never Graph — into `<dir>/<runId>/`:
 * reconciliation.csv, reconciliation.json, issues.csv, report.html and reconciliation.xlsx.
 * Phone numbers are masked; `--unmask` writes them in full into `<dir>/<runId>-unmasked/`, never
 * over the masked files (a path already shared must keep holding what was shared).
 *
 * The users are read once, as one stream (`iterateUsers`), so the files describe the same moment
 * of the journal even while another process writes to it, and memory does not grow with the run
 * (ReportFiles). Each file appears whole or not at all (PrivateFile).
 */
import { join, resolve } from 'node:path';
import { MigrateError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { journalDamaged } from '../journal/journal-errors.js';
import type { RunRecord, StoredOperation, StoredUser } from '../run-records.js';
import { RUN_ID_PATTERN } from '../journal/run-id.js';
import { systemClock, type Clock } from '../clock.js';
import { csvLine, UTF8_BOM } from './csv-cells.js';
import { headerOf, ISSUE_COLUMNS, RECONCILIATION_COLUMNS, valuesOf } from './csv-columns.js';
import { ensurePrivateFolder, PrivateFile } from './private-file.js';
import { journalEmpty, reportWriteFailed, runNotFound } from './report-errors.js';
import { htmlPage, htmlUserEntry } from './report-html.js';
import { catalogueOf, runApps, runJson, SummaryCounter, type ReportApp, type ReportRun, type ReportSummary } from './report-summary.js';
import { reportUser, type ReportStatus, type ReportUser } from './report-user.js';
import type { AfterBasis } from './user-changes.js';
import { afterBasisOf } from './user-changes.js';
import { XlsxReport } from './xlsx-report.js';

/** Version of reconciliation.json's shape (schemas/reconciliation.schema.json); raised on a breaking change. */
export const RECONCILIATION_SCHEMA_VERSION = 2;

export const REPORT_FILE_NAMES = {
  reconciliationCsv: 'reconciliation.csv',
  reconciliationJson: 'reconciliation.json',
  issuesCsv: 'issues.csv',
  html: 'report.html',
  xlsx: 'reconciliation.xlsx',
} as const;

/** What `--unmask` adds to a run's folder name: the unmasked copy never lands where the masked one is. */
export const UNMASKED_FOLDER_SUFFIX = '-unmasked';

/** What the reports read: a Journal, or a small fake in tests. */
export type ReportJournal = Pick<Journal, 'getRun' | 'iterateUsers' | 'operationsWithLine' | 'path'>;

export interface ReportOptions {
  /** `--reports`: the folder that holds one folder per run (created 0700 when missing). */
  readonly dir: string;
  /** `--unmask`: phone numbers in full, for support, in a folder of their own. Default: masked (`+1 ••••••0100`). */
  readonly unmask: boolean;
  /** The time written into the reports; default the system clock. */
  readonly clock?: Clock;
}

/** Absolute paths of what was written. */
export interface ReportPaths {
  /** `<dir>/<runId>`, or `<dir>/<runId>-unmasked`. */
  readonly dir: string;
  readonly reconciliationCsv: string;
  readonly reconciliationJson: string;
  readonly issuesCsv: string;
  readonly html: string;
  readonly xlsx: string;
}

export interface WrittenReports extends ReportPaths {
  readonly runId: string;
  readonly summary: ReportSummary;
}

/** The folder of a run's reports: masked ones in `<dir>/<folder>`, unmasked ones in `<dir>/<folder>-unmasked`. */
export function reportFolder(dir: string, folder: string, unmask: boolean): string {
  return resolve(dir, unmask ? `${folder}${UNMASKED_FOLDER_SUFFIX}` : folder);
}

export function reportPaths(dir: string): ReportPaths {
  return {
    dir,
    reconciliationCsv: join(dir, REPORT_FILE_NAMES.reconciliationCsv),
    reconciliationJson: join(dir, REPORT_FILE_NAMES.reconciliationJson),
    issuesCsv: join(dir, REPORT_FILE_NAMES.issuesCsv),
    html: join(dir, REPORT_FILE_NAMES.html),
    xlsx: join(dir, REPORT_FILE_NAMES.xlsx),
  };
}

export interface ReportFacts {
  readonly run: ReportRun;
  /** The journal the users came from; null for validate. */
  readonly journalPath: string | null;
  readonly afterBasis: AfterBasis;
  readonly unmask: boolean;
  readonly generatedAt: Date;
}

/**
 * Which files a report has. A run's report (`perUser`): all five, one entry per user in
 * reconciliation.csv, .json, report.html and the xlsx users sheet. validate's: issues.csv,
 * report.html and the xlsx issues sheet only, each holding the users the exports say something
 * about — a million users read offline cost no million report rows (see validate-reports.ts).
 */
export interface ReportFileSet {
  readonly perUser: boolean;
  /** A rollback's report: its writes are undo steps. */
  readonly undo: boolean;
  /** Named in REPORT_WRITE_FAILED's remedy (`report --run` rebuilds the files); null for validate. */
  readonly journalPath: string | null;
}

/**
 * The report files of one run, written as users stream past: the CSVs row by row, the xlsx
 * users sheet as they come (its issue and write sheets spooled), the JSON's and the HTML's users
 * to spool files — the summary they start with is known only after the last user — copied into
 * place at the end. `open`, then `add` each user (await what it returns), then `finish`; on any
 * failure `discard`. File-system errors come back as REPORT_WRITE_FAILED.
 */
export class ReportFiles {
  readonly paths: ReportPaths;
  readonly #runId: string;
  readonly #set: ReportFileSet;
  readonly #files: PrivateFile[] = [];
  readonly #counter = new SummaryCounter();
  #failingPath: string;
  #reconciliationCsv: PrivateFile | null = null;
  #issuesCsv: PrivateFile | null = null;
  #jsonUsers: PrivateFile | null = null;
  #htmlUsers: PrivateFile | null = null;
  #xlsx: XlsxReport | null = null;
  #xlsxFile: PrivateFile | null = null;
  #separator = '';

  private constructor(dir: string, runId: string, set: ReportFileSet) {
    this.paths = reportPaths(dir);
    this.#runId = runId;
    this.#set = set;
    this.#failingPath = dir;
  }

  /** Creates the run's folder and the files' temporary copies. */
  static async open(dir: string, runId: string, set: ReportFileSet): Promise<ReportFiles> {
    const files = new ReportFiles(dir, runId, set);
    await files.#guard(async () => {
      await ensurePrivateFolder(dir);
      files.#issuesCsv = await files.#create(files.paths.issuesCsv);
      files.#htmlUsers = await files.#create(join(dir, 'users.html.spool'));
      files.#xlsxFile = await files.#create(files.paths.xlsx);
      if (set.perUser) {
        files.#reconciliationCsv = await files.#create(files.paths.reconciliationCsv);
        files.#jsonUsers = await files.#create(join(dir, 'users.json.spool'));
        const spools = { issues: await files.#create(join(dir, 'issues.xlsx.spool')), writes: await files.#create(join(dir, 'writes.xlsx.spool')) };
        files.#xlsx = new XlsxReport(files.#xlsxFile, { kind: 'run', spools, undo: set.undo });
        await files.#reconciliationCsv.write(`${UTF8_BOM}${csvLine(headerOf(RECONCILIATION_COLUMNS))}`);
      } else {
        files.#xlsx = new XlsxReport(files.#xlsxFile, { kind: 'issues' });
      }
      files.#failingPath = dir;
      await files.#issuesCsv.write(`${UTF8_BOM}${csvLine(headerOf(ISSUE_COLUMNS))}`);
    });
    return files;
  }

  /** Adds one user to every file. Returns a promise only when a buffer went to disk: await it before the next user. */
  add(user: ReportUser): Promise<void> | undefined {
    const issuesCsv = this.#issuesCsv;
    const htmlUsers = this.#htmlUsers;
    const xlsx = this.#xlsx;
    if (issuesCsv === null || htmlUsers === null || xlsx === null) throw new Error('ReportFiles.add before open');
    this.#counter.add(user);
    const pending = [
      ...user.issues.filter((issue) => issue.actionNeeded).map((issue) => issuesCsv.write(csvLine(valuesOf(ISSUE_COLUMNS, { user, issue })))),
      this.#reconciliationCsv?.write(csvLine(valuesOf(RECONCILIATION_COLUMNS, user))),
      this.#jsonUsers?.write(`${this.#separator}  ${JSON.stringify(user)}`),
      htmlUsers.write(`${this.#separator}${htmlUserEntry(user)}`),
      xlsx.add(user),
    ].filter((write) => write !== undefined);
    this.#separator = ',\n';
    return pending.length === 0 ? undefined : this.#guard(async () => { await Promise.all(pending); });
  }

  /** Counts users the files do not list (validate: those the exports say nothing about). */
  count(status: ReportStatus, users = 1): void {
    this.#counter.addUnlisted(status, users);
  }

  /** Writes the summary and the pages around the users, and puts every file in place. */
  async finish(facts: Omit<ReportFacts, 'journalPath'>): Promise<ReportSummary> {
    return this.#guard(async () => {
      const htmlUsers = this.#htmlUsers;
      const xlsx = this.#xlsx;
      const xlsxFile = this.#xlsxFile;
      const issuesCsv = this.#issuesCsv;
      if (htmlUsers === null || xlsx === null || xlsxFile === null || issuesCsv === null) throw new Error('ReportFiles.finish before open');
      await htmlUsers.close();
      const summary = this.#counter.summary(facts.run);
      const apps = runApps(facts.run, this.#counter);
      const all: ReportFacts = { ...facts, journalPath: this.#set.journalPath };
      const committed: PrivateFile[] = [issuesCsv];

      if (this.#jsonUsers !== null && this.#reconciliationCsv !== null) {
        await this.#jsonUsers.close();
        const json = await this.#create(this.paths.reconciliationJson);
        const head = JSON.stringify(reconciliationHead(all, summary, apps), null, 2);
        // The head object's closing brace is replaced by the users array, which the spool holds.
        await json.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "users": [\n`);
        await json.append(this.#jsonUsers.temporaryPath);
        await json.write(summary.listed === 0 ? ']\n}\n' : '\n  ]\n}\n');
        committed.push(this.#reconciliationCsv, json);
      }

      const html = await this.#create(this.paths.html);
      const page = htmlPage({ run: facts.run, summary, apps, afterBasis: facts.afterBasis, unmask: facts.unmask, generatedAt: facts.generatedAt, journalPath: this.#set.journalPath });
      await html.write(`${page.head}[`);
      await html.append(htmlUsers.temporaryPath);
      await html.write(`]${page.tail}`);
      committed.push(html);

      this.#failingPath = this.paths.xlsx;
      await xlsx.finish(facts.run, summary, facts);
      committed.push(xlsxFile);

      for (const file of committed) {
        this.#failingPath = file.path;
        await file.commit();
      }
      await this.discard();
      return summary;
    });
  }

  /** Removes the spools, and the reports that were not committed (discard after commit does nothing). */
  async discard(): Promise<void> {
    await Promise.all(this.#files.map((file) => file.discard()));
  }

  async #create(path: string): Promise<PrivateFile> {
    this.#failingPath = path;
    const file = await PrivateFile.create(path);
    this.#files.push(file);
    return file;
  }

  /** Runs a step, turning a file-system error into REPORT_WRITE_FAILED naming the file. */
  async #guard<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof MigrateError) throw error;
      if (error instanceof Error && 'code' in error && typeof error.code === 'string') throw reportWriteFailed(this.#failingPath, this.#runId, this.#set.journalPath, error);
      throw error;
    }
  }
}

/**
 * Writes (or rewrites) the reports of `runId` and returns where they are. Call it after a plan,
 * apply, verify or rollback run has finished, with the same journal. A rollback's report holds
 * only the users it has undo steps for. Throws RUN_NOT_FOUND for an unknown run,
 * REPORT_WRITE_FAILED when the folder cannot be written (the journal is never changed), and the
 * journal's own errors when it cannot be read.
 */
export async function writeRunReports(journal: ReportJournal, runId: string, options: ReportOptions): Promise<WrittenReports> {
  const run = journal.getRun(runId);
  if (run === null) throw runNotFound(runId, journal.path);
  // The id names a folder: one a journal could hold that is not ours (`../x`) must not.
  if (!RUN_ID_PATTERN.test(run.id)) throw journalDamaged(journal.path, `run id ${JSON.stringify(run.id)} is not an mfa-migrate run id`);
  const clock = options.clock ?? systemClock;
  const undo = run.command === 'rollback';
  const files = await ReportFiles.open(reportFolder(options.dir, run.id, options.unmask), run.id, { perUser: true, journalPath: journal.path, undo });
  try {
    const writes = verifiedWrites(journal, run);
    try {
      for (const stored of journal.iterateUsers(run.id)) {
        // A rollback copies every user of the apply run; only those with an undo step are its users.
        if (undo && stored.operations.length === 0) continue;
        const pending = files.add(reportUser(writes.attach(stored), { command: run.command, unmask: options.unmask }));
        if (pending !== undefined) await pending;
      }
    } finally {
      writes.close();
    }
    const summary = await files.finish({ run, afterBasis: afterBasisOf(run.command), unmask: options.unmask, generatedAt: new Date(clock.now()) });
    return { ...files.paths, runId: run.id, summary };
  } finally {
    await files.discard();
  }
}

/**
 * A verify run records its users (with verify's status and findings) but no operations: its
 * before → after is the verified run's, so the report lays that run's writes over each user.
 * Their failures are not reported again: verify's own METHOD_MISSING says what is missing now.
 */
function verifiedWrites(journal: ReportJournal, run: RunRecord): { readonly attach: (user: StoredUser) => StoredUser; readonly close: () => void } {
  if (run.command !== 'verify' || run.parentRunId === null) return { attach: (user) => user, close: () => undefined };
  const operations = journal.operationsWithLine(run.parentRunId);
  let next: IteratorResult<{ readonly line: number; readonly operation: StoredOperation }> | null = null;
  return {
    attach: (user) => {
      next ??= operations.next();
      const own: StoredOperation[] = [];
      // Both streams are in users-file order: a merge, never a lookup per user.
      while (next.done !== true && next.value.line <= user.line) {
        if (next.value.line === user.line) own.push(next.value.operation);
        next = operations.next();
      }
      return { ...user, operations: own };
    },
    // Frees the statement when the users end first (or the writing failed).
    close: () => { operations.return(); },
  };
}

function reconciliationHead(facts: ReportFacts, summary: ReportSummary, apps: readonly ReportApp[]): Record<string, unknown> {
  return {
    schemaVersion: RECONCILIATION_SCHEMA_VERSION,
    generatedAt: facts.generatedAt.toISOString(),
    phoneNumbers: facts.unmask ? 'unmasked' : 'masked',
    afterBasis: facts.afterBasis,
    run: runJson(facts.run, facts.journalPath, apps),
    summary,
    catalogue: catalogueOf(summary),
  };
}

/**
 * The run `report` is about: `runId`, or the latest run when null. Throws RUN_NOT_FOUND or
 * JOURNAL_EMPTY.
 */
export function chooseRun(journal: Pick<Journal, 'getRun' | 'latestRun' | 'path'>, runId: string | null): RunRecord {
  if (runId === null) {
    const latest = journal.latestRun();
    if (latest === null) throw journalEmpty(journal.path);
    return latest;
  }
  const run = journal.getRun(runId);
  if (run === null) throw runNotFound(runId, journal.path);
  return run;
}
