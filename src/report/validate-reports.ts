/**
 * validate's reports: issues.csv, report.html and reconciliation.xlsx (its issues, the codes and
 * the run), written from validate's own stream of desired states as mapping decides them —
 * validate records nothing in the journal, so there is no run to read back. They hold the users
 * the exports say something about (a finding): what an admin or a user must act on, and what
 * changed on the way (backup promoted, extension dropped…); the others are counted by status.
 * No reconciliation.csv or .json: `validate --json` is the document of every user. A validate run
 * has an id of the journal's shape (it names no run of a journal) and its folder says what it is:
 * `<reports>/validate-<id>/`.
 *
 * The reports are written on a worker thread: mapping a million users keeps one core busy for
 * half a minute, and the reports need about as much again (masking, HTML, the workbook), which in
 * one thread broke validate's budget of 45 s for 1,000,000 users (measured: 57–62 s, against 28 s
 * without reports). The main thread hands over users with findings in batches, secret-free
 * (ValidatedUser), and waits when MAX_BATCHES_IN_FLIGHT are unanswered, so a slow disk slows
 * mapping down instead of filling memory. Run from the TypeScript sources (the tests), there is
 * no compiled worker: the same writer then runs on this thread.
 */
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../error-catalogue.js';
import { MigrateError } from '../errors.js';
import type { JsonObject } from '../run-records.js';
import { newRunId } from '../journal/run-id.js';
import type { DesiredState, UserStatus } from '../mapping/desired-state.js';
import type { Clock } from '../clock.js';
import type { ReportRun, ReportSummary } from './report-summary.js';
import { validatedUser, validateReportUser, type ValidatedUser } from './report-user.js';
import { ReportFiles, reportFolder, type ReportPaths } from './write-reports.js';

/** What names a validate report's folder beside the runs' folders. */
export const VALIDATE_FOLDER_PREFIX = 'validate-';

/** Users per message to the worker: enough to make posting cheap, few enough to keep memory flat. */
const USERS_PER_BATCH = 50;
/** Batches the worker may have unanswered before validate waits for it. */
const MAX_BATCHES_IN_FLIGHT = 32;

/**
 * The worker's heap, kept small: it holds a batch, the files' write buffers and exceljs's row
 * state (measured: under 100 MB used over a million users), and V8 sizes an unlimited heap to
 * the machine, collecting late — memory the process's 1 GiB budget must not lend it.
 */
const WORKER_HEAP_LIMITS = { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16 } as const;

/** The worker's file beside this module once compiled (dist/); absent when run from the sources. */
const WORKER_FILE = fileURLToPath(new URL('./validate-report-worker.js', import.meta.url));

export interface ValidateReportOptions {
  /** `--reports`. */
  readonly dir: string;
  /** `--unmask`: phone numbers in full, in `<reports>/validate-<id>-unmasked/`. */
  readonly unmask: boolean;
  readonly clock: Clock;
  /** The options validate ran with (the export files among them), shown in the report. Never secrets. */
  readonly options: JsonObject;
}

/** Where validate's reports are, and their summary. */
export interface ValidateReportsWritten extends Pick<ReportPaths, 'dir' | 'issuesCsv' | 'html' | 'xlsx'> {
  readonly runId: string;
  readonly summary: ReportSummary;
}

export interface ValidateReports {
  /** Adds one user as mapping decided it; await what it returns before the next. */
  add(user: DesiredState): Promise<void> | undefined;
  /** Writes the summary and puts the files in place. */
  finish(outcome: { readonly fileIssues: number }): Promise<ValidateReportsWritten>;
  /** Removes whatever was not finished; safe after finish. */
  discard(): Promise<void>;
}

/** What the worker is started with: everything but the clock, whose times travel in the messages. */
export interface ValidateReportSetup {
  readonly dir: string;
  readonly unmask: boolean;
  readonly id: string;
  readonly startedAt: number;
  readonly options: JsonObject;
}

/** Messages to the worker. */
export type ToWriter =
  | { readonly type: 'users'; readonly users: readonly ValidatedUser[] }
  | { readonly type: 'finish'; readonly unlisted: Readonly<Partial<Record<UserStatus, number>>>; readonly fileIssues: number; readonly finishedAt: number }
  | { readonly type: 'discard' };

/** A MigrateError as it crosses threads. */
interface ErrorMessage {
  readonly code: ErrorCode;
  readonly message: string;
  readonly remedy: string;
  readonly file?: string;
}

/** Messages from the worker. */
export type FromWriter =
  | { readonly type: 'ready' }
  | { readonly type: 'ack' }
  | { readonly type: 'written'; readonly written: ValidateReportsWritten }
  | { readonly type: 'discarded' }
  | { readonly type: 'failed'; readonly error: ErrorMessage | null; readonly text: string };

/** The report files of one validate run, written on this thread (in the worker, or from the sources). */
export class ValidateReportWriter {
  readonly #files: ReportFiles;
  readonly #setup: ValidateReportSetup;

  private constructor(files: ReportFiles, setup: ValidateReportSetup) {
    this.#files = files;
    this.#setup = setup;
  }

  static async open(setup: ValidateReportSetup): Promise<ValidateReportWriter> {
    const dir = reportFolder(setup.dir, `${VALIDATE_FOLDER_PREFIX}${setup.id}`, setup.unmask);
    return new ValidateReportWriter(await ReportFiles.open(dir, setup.id, { perUser: false, journalPath: null, undo: false }), setup);
  }

  add(user: ValidatedUser): Promise<void> | undefined {
    return this.#files.add(validateReportUser(user, { unmask: this.#setup.unmask }));
  }

  count(status: UserStatus, users: number): void {
    this.#files.count(status, users);
  }

  async finish(fileIssues: number, finishedAt: number): Promise<ValidateReportsWritten> {
    const run: ReportRun = {
      id: this.#setup.id, command: 'validate', status: 'finished', parentRunId: null, startedAt: new Date(this.#setup.startedAt), finishedAt: new Date(finishedAt),
      tenantId: null, graphUrl: null, options: this.#setup.options, inputs: [], summary: { fileIssues },
    };
    const summary = await this.#files.finish({ run, afterBasis: 'exports', unmask: this.#setup.unmask, generatedAt: new Date(finishedAt) });
    const { dir, issuesCsv, html, xlsx } = this.#files.paths;
    return { dir, issuesCsv, html, xlsx, runId: this.#setup.id, summary };
  }

  /** Removes what was not finished, and the run's folder when that leaves it empty (validate stopped on an input error). */
  async discard(): Promise<void> {
    await this.#files.discard();
    await rmdir(this.#files.paths.dir).catch(() => undefined);
  }
}

/** Opens validate's reports: on a worker thread when the compiled worker is there, else on this one. */
export async function openValidateReports(options: ValidateReportOptions): Promise<ValidateReports> {
  const startedAt = options.clock.now();
  const setup: ValidateReportSetup = { dir: options.dir, unmask: options.unmask, id: newRunId(startedAt), startedAt, options: options.options };
  return existsSync(WORKER_FILE) ? WorkerReports.start(setup, options.clock) : hereReports(await ValidateReportWriter.open(setup), options.clock);
}

/** Users a report does not list, by status: counted on the main thread, sent once. */
class UnlistedCounts {
  readonly counts: Partial<Record<UserStatus, number>> = {};

  add(status: UserStatus): void {
    this.counts[status] = (this.counts[status] ?? 0) + 1;
  }
}

function hereReports(writer: ValidateReportWriter, clock: Clock): ValidateReports {
  const unlisted = new UnlistedCounts();
  return {
    add: (user) => {
      if (user.issues.length > 0) return writer.add(validatedUser(user));
      unlisted.add(user.status);
      return undefined;
    },
    finish: ({ fileIssues }) => {
      for (const [status, users] of Object.entries(unlisted.counts) as [UserStatus, number][]) writer.count(status, users);
      return writer.finish(fileIssues, clock.now());
    },
    discard: () => writer.discard(),
  };
}

/** validate's side of the worker: batches out, acknowledgements and the result back. */
class WorkerReports implements ValidateReports {
  readonly #worker: Worker;
  readonly #clock: Clock;
  readonly #unlisted = new UnlistedCounts();
  #batch: ValidatedUser[] = [];
  #inFlight = 0;
  #failure: Error | null = null;
  #exited = false;
  /** Who waits for the next message: a batch slot, the result, the discard. */
  #waiting: ((message: FromWriter | null) => void)[] = [];
  readonly #exit: Promise<void>;

  private constructor(worker: Worker, clock: Clock) {
    this.#worker = worker;
    this.#clock = clock;
    worker.on('message', (message: FromWriter) => { this.#receive(message); });
    worker.on('error', (error) => { this.#fail(error); });
    this.#exit = new Promise((resolve) => {
      worker.on('exit', () => {
        this.#exited = true;
        if (this.#failure === null) this.#failure = new Error('the report writer stopped before it finished');
        for (const waiter of this.#waiting.splice(0)) waiter(null);
        resolve();
      });
    });
  }

  static async start(setup: ValidateReportSetup, clock: Clock): Promise<WorkerReports> {
    const reports = new WorkerReports(new Worker(WORKER_FILE, { workerData: setup, resourceLimits: WORKER_HEAP_LIMITS }), clock);
    await reports.#next();
    return reports;
  }

  add(user: DesiredState): Promise<void> | undefined {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (user.issues.length === 0) {
      this.#unlisted.add(user.status);
      return undefined;
    }
    this.#batch.push(validatedUser(user));
    if (this.#batch.length < USERS_PER_BATCH) return undefined;
    this.#send();
    return this.#inFlight >= MAX_BATCHES_IN_FLIGHT ? this.#slot() : undefined;
  }

  async finish({ fileIssues }: { readonly fileIssues: number }): Promise<ValidateReportsWritten> {
    if (this.#batch.length > 0) this.#send();
    this.#post({ type: 'finish', unlisted: this.#unlisted.counts, fileIssues, finishedAt: this.#clock.now() });
    for (;;) {
      const message = await this.#next();
      if (message.type === 'written') {
        await this.#exit;
        return message.written;
      }
    }
  }

  async discard(): Promise<void> {
    if (this.#exited) return;
    this.#post({ type: 'discard' });
    await this.#exit;
  }

  #send(): void {
    this.#post({ type: 'users', users: this.#batch });
    this.#batch = [];
    this.#inFlight += 1;
  }

  #post(message: ToWriter): void {
    if (!this.#exited) this.#worker.postMessage(message);
  }

  /** Resolves when a batch is acknowledged and fewer than MAX_BATCHES_IN_FLIGHT are out. */
  async #slot(): Promise<void> {
    while (this.#inFlight >= MAX_BATCHES_IN_FLIGHT) await this.#next();
  }

  /** The next message that is not an acknowledgement's count alone; throws the writer's failure. */
  #next(): Promise<FromWriter> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((message) => {
        if (message === null || this.#failure !== null) reject(this.#failure ?? new Error('the report writer stopped'));
        else resolve(message);
      });
    });
  }

  #receive(message: FromWriter): void {
    if (message.type === 'ack') this.#inFlight -= 1;
    if (message.type === 'failed') {
      this.#fail(message.error === null ? new Error(`the report writer failed: ${message.text}`) : new MigrateError({ code: message.error.code, message: message.error.message, remedy: message.error.remedy, ...(message.error.file === undefined ? {} : { file: message.error.file }) }));
      return;
    }
    const waiter = this.#waiting.shift();
    waiter?.(message);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter(null);
  }
}
