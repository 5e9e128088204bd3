/**
 * The reports of one run (DESIGN §8), from the journal alone — never Graph — into
 * `<dir>/<runId>/`: reconciliation.csv, reconciliation.json, issues.csv and report.html.
 *
 * The users are read once, as one stream (`iterateUsers`), so the four files describe the same
 * moment of the journal even while another process writes to it, and memory does not grow with
 * the run: the CSVs are written row by row, the users of the JSON and the HTML go to spool files
 * (the summary they start with is known only after the last user) and are copied into place at
 * the end. Each file appears whole or not at all (PrivateFile).
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
import { catalogueOf, runApps, runJson, SummaryCounter, type ReportApp, type ReportSummary } from './report-summary.js';
import { reportUser } from './report-user.js';
import { afterBasisOf } from './user-changes.js';

/** Version of reconciliation.json's shape (schemas/reconciliation.schema.json); raised on a breaking change. */
export const RECONCILIATION_SCHEMA_VERSION = 1;

export const REPORT_FILE_NAMES = {
  reconciliationCsv: 'reconciliation.csv',
  reconciliationJson: 'reconciliation.json',
  issuesCsv: 'issues.csv',
  html: 'report.html',
} as const;

/** What the reports read: a Journal, or a small fake in tests. */
export type ReportJournal = Pick<Journal, 'getRun' | 'iterateUsers' | 'operationsWithLine' | 'path'>;

export interface ReportOptions {
  /** `--reports`: the folder that holds one folder per run (created 0700 when missing). */
  readonly dir: string;
  /** `--unmask`: phone numbers in full, for support. Default: masked (`+1 ••••••0100`). */
  readonly unmask: boolean;
  /** The time written into the reports; default the system clock. */
  readonly clock?: Clock;
}

/** Absolute paths of what was written. */
export interface ReportPaths {
  /** `<dir>/<runId>`. */
  readonly dir: string;
  readonly reconciliationCsv: string;
  readonly reconciliationJson: string;
  readonly issuesCsv: string;
  readonly html: string;
}

export interface WrittenReports extends ReportPaths {
  readonly runId: string;
  readonly summary: ReportSummary;
}

/**
 * Writes (or rewrites) the four reports of `runId` and returns where they are. Call it after a
 * plan, apply, verify or rollback run has finished, with the same journal. Throws RUN_NOT_FOUND
 * for an unknown run, REPORT_WRITE_FAILED when the folder cannot be written (the journal is never
 * changed), and the journal's own errors when it cannot be read.
 */
export async function writeRunReports(journal: ReportJournal, runId: string, options: ReportOptions): Promise<WrittenReports> {
  const run = journal.getRun(runId);
  if (run === null) throw runNotFound(runId, journal.path);
  // The id names a folder: one a journal could hold that is not ours (`../x`) must not.
  if (!RUN_ID_PATTERN.test(run.id)) throw journalDamaged(journal.path, `run id ${JSON.stringify(run.id)} is not an mfa-migrate run id`);
  const clock = options.clock ?? systemClock;
  const dir = resolve(options.dir, run.id);
  const paths: ReportPaths = {
    dir,
    reconciliationCsv: join(dir, REPORT_FILE_NAMES.reconciliationCsv),
    reconciliationJson: join(dir, REPORT_FILE_NAMES.reconciliationJson),
    issuesCsv: join(dir, REPORT_FILE_NAMES.issuesCsv),
    html: join(dir, REPORT_FILE_NAMES.html),
  };
  let failingPath = dir;
  const files: PrivateFile[] = [];
  const create = async (path: string): Promise<PrivateFile> => {
    failingPath = path;
    const file = await PrivateFile.create(path);
    files.push(file);
    return file;
  };
  try {
    await ensurePrivateFolder(dir);
    const reconciliationCsv = await create(paths.reconciliationCsv);
    const issuesCsv = await create(paths.issuesCsv);
    const jsonUsers = await create(join(dir, 'users.json.spool'));
    const htmlUsers = await create(join(dir, 'users.html.spool'));
    failingPath = dir;

    await reconciliationCsv.write(`${UTF8_BOM}${csvLine(headerOf(RECONCILIATION_COLUMNS))}`);
    await issuesCsv.write(`${UTF8_BOM}${csvLine(headerOf(ISSUE_COLUMNS))}`);
    const counter = new SummaryCounter();
    const context = { afterBasis: afterBasisOf(run.command), unmask: options.unmask, operationIssues: run.command !== 'verify' };
    const writes = verifiedWrites(journal, run);
    let separator = '';
    try {
      for (const stored of journal.iterateUsers(run.id)) {
        const user = reportUser(writes.attach(stored), context);
        counter.add(user);
        const pending = [
          reconciliationCsv.write(csvLine(valuesOf(RECONCILIATION_COLUMNS, user))),
          ...user.issues.filter((issue) => issue.actionNeeded).map((issue) => issuesCsv.write(csvLine(valuesOf(ISSUE_COLUMNS, { user, issue })))),
          jsonUsers.write(`${separator}  ${JSON.stringify(user)}`),
          htmlUsers.write(`${separator}${htmlUserEntry(user)}`),
        ].filter((write) => write !== undefined);
        if (pending.length > 0) await Promise.all(pending);
        separator = ',\n';
      }
    } finally {
      writes.close();
    }
    await jsonUsers.close();
    await htmlUsers.close();
    const summary = counter.summary(run);
    const apps = runApps(run, counter);
    const generatedAt = new Date(clock.now());

    const json = await create(paths.reconciliationJson);
    const head = JSON.stringify(reconciliationHead(run, journal.path, summary, apps, generatedAt, options.unmask), null, 2);
    // The head object's closing brace is replaced by the users array, which the spool holds.
    await json.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "users": [\n`);
    await json.append(jsonUsers.temporaryPath);
    await json.write(summary.users === 0 ? ']\n}\n' : '\n  ]\n}\n');

    const html = await create(paths.html);
    const page = htmlPage({ run, summary, apps, afterBasis: context.afterBasis, unmask: options.unmask, generatedAt, journalPath: journal.path });
    await html.write(`${page.head}[`);
    await html.append(htmlUsers.temporaryPath);
    await html.write(`]${page.tail}`);

    for (const file of [reconciliationCsv, issuesCsv, json, html]) {
      failingPath = file.path;
      await file.commit();
    }
    return { ...paths, runId: run.id, summary };
  } catch (error) {
    if (error instanceof MigrateError) throw error;
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') throw reportWriteFailed(failingPath, run.id, journal.path, error);
    throw error;
  } finally {
    // Spools always; the reports only when they were not committed (discard after commit does nothing).
    await Promise.all(files.map((file) => file.discard()));
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

function reconciliationHead(run: RunRecord, journalPath: string, summary: ReportSummary, apps: readonly ReportApp[], generatedAt: Date, unmask: boolean): Record<string, unknown> {
  return {
    schemaVersion: RECONCILIATION_SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    phoneNumbers: unmask ? 'unmasked' : 'masked',
    afterBasis: afterBasisOf(run.command),
    run: runJson(run, journalPath, apps),
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
