/**
 * What plan, apply, verify and rollback share around their step, owned once here: the journal's
 * writer lock, the journal, the Graph gateway, Ctrl-C, the reports and the resume command. A
 * command file parses its options, runs its step inside `runCommandSession`, and renders.
 *
 * Ctrl-C (or SIGTERM) once: nothing that has not left is sent any more (the gateway stops), the
 * requests on the wire are awaited and recorded, and the step ends as interrupted with exit 6 and
 * the command that resumes. Twice: the process ends at once; resuming is still safe, because every
 * request that left was marked `sent` before it did and is read back from Entra first.
 */
import { hostname } from 'node:os';
import { ExitCode, MigrateError, type ErrorCodeWithExit } from '../errors.js';
import type { GraphConfig } from '../graph/config.js';
import { createGraphGateway, type GraphGateway } from '../graph/gateway.js';
import { openJournal, type Journal } from '../journal/journal.js';
import { acquireJournalLock } from '../journal/lock.js';
import type { ProgressWait, StepDeps } from '../migrate/deps.js';
import type { WaitReason } from '../graph/batch-executor.js';
import { writeRunReports } from '../report/write-reports.js';
import { commandLine } from '../shell-quote.js';
import type { CommandContext } from './commands/context.js';
import type { CommonOptions } from './options.js';

export interface CommandSession {
  /** The step's deps; `signal` is aborted on the first Ctrl-C. */
  readonly deps: StepDeps & { readonly signal: AbortSignal };
  readonly journal: Journal;
  readonly graph: GraphGateway;
  /** `mfa-migrate` and the arguments this command was given: what resumes it. */
  readonly resumeCommand: string;
  /** Writes the run's reports (phone numbers masked) from the journal; returns report.html's path and the line naming it. */
  readonly writeReports: (runId: string) => Promise<{ readonly html: string; readonly line: string }>;
  /** The error an interrupted step ends the command with: exit 6, and the command that resumes it. */
  readonly interrupted: (code: ErrorCodeWithExit<typeof ExitCode.interrupted>, message: string) => MigrateError;
}

export interface SessionSettings {
  readonly options: CommonOptions;
  readonly graph: GraphConfig;
  /** The writer lock's command name (`apply`, `rollback`), or null for a command that does not take it. */
  readonly lock: string | null;
  /** Commands that only read an existing journal refuse a --state that does not exist. */
  readonly journalMustExist: boolean;
}

export async function runCommandSession<T>(context: CommandContext, settings: SessionSettings, work: (session: CommandSession) => Promise<T>): Promise<T> {
  const { options } = settings;
  const { io } = context;
  const controller = new AbortController();
  const deps = { ...context.stepDeps(options), signal: controller.signal };
  const resumeCommand = commandLine(context.args);
  const lock = settings.lock === null ? null : acquireJournalLock(options.state, settings.lock, new Date(deps.clock.now()));
  try {
    // Runs this process creates or resumes name it, so `status` can tell one whose process is gone.
    const writer = { pid: process.pid, host: hostname(), commandLine: resumeCommand };
    const journal = openJournal(options.state, { clock: deps.clock, mustExist: settings.journalMustExist, writer });
    try {
      const graph = createGraphGateway(settings.graph, { clock: deps.clock, log: deps.log, observer: { waiting: (event) => { deps.progress.waiting(event === null ? null : describeWait(event.reason, event.until)); } } });
      let interrupts = 0;
      const stopListening = io.onInterrupt(() => {
        interrupts += 1;
        if (interrupts === 1) {
          const awaited = graph.stop();
          controller.abort();
          io.stderr.write(`\n${stoppingMessage(awaited)}\n`);
          return;
        }
        io.stderr.write(`\nEnded at once. Every request that left was recorded as sent before it did; the next run reads those back from Entra before sending anything again. Resume with:\n  ${resumeCommand}\n`);
        lock?.release();
        io.exit(ExitCode.interrupted);
      });
      try {
        return await work({
          deps,
          journal,
          graph,
          resumeCommand,
          writeReports: async (runId) => {
            const reports = await writeRunReports(journal, runId, { dir: options.reports, unmask: false, clock: deps.clock });
            return { html: reports.html, line: `Reports (phone numbers masked): ${reports.html}\n` };
          },
          interrupted: (code, message) => new MigrateError({ code, message, remedy: `Resume it with: ${resumeCommand}` }),
        });
      } finally {
        stopListening();
        graph.close();
      }
    } finally {
      journal.close();
    }
  } catch (error) {
    throw withResumeCommand(error, resumeCommand);
  } finally {
    lock?.release();
  }
}

/** What the progress line says while the gateway waits. */
function describeWait(reason: WaitReason, until: number): ProgressWait {
  switch (reason) {
    case 'writes':
      return { what: "waiting for Graph's write budget", next: 'next room in', until };
    case 'tenantWrites':
      return { what: "waiting for the tenant's write budget (--tenant-write-budget, all apps of the pool)", next: 'next room in', until };
    case 'activations':
      return { what: "waiting for Graph's budget of hardware token activations", next: 'next room in', until };
    case 'resourceUnits':
      return { what: "waiting for Graph's read budget", next: 'next room in', until };
    case 'throttled':
      return { what: 'Graph asked to wait (throttled)', next: 'going on in', until };
    case 'retry':
      return { what: 'waiting to send again', next: 'next try in', until };
  }
}

function stoppingMessage(awaited: number): string {
  const waiting = awaited === 0
    ? 'no request is waiting for an answer'
    : `waiting for the ${String(awaited)} request${awaited === 1 ? '' : 's'} already sent to be answered and recorded`;
  return `Stopping: nothing more is sent to Graph; ${waiting}. Ctrl-C again ends at once (resuming stays safe).`;
}

/**
 * A stop the step could not end cleanly (Graph unreachable, a stop before a read could leave) is
 * resumable too: its remedy gets the command that resumes. Errors that name a command already are kept.
 */
function withResumeCommand(error: unknown, resumeCommand: string): unknown {
  // A remedy that names a command already (apply's `--resume RUN`) is kept as it is.
  if (!(error instanceof MigrateError) || error.exitCode !== ExitCode.interrupted || error.remedy.includes('mfa-migrate ')) return error;
  const remedy = error.code === 'INTERRUPTED' ? `Run it again to continue: ${resumeCommand}` : `${error.remedy} Then resume with: ${resumeCommand}`;
  return new MigrateError({ code: error.code, message: error.message, remedy, cause: error });
}
