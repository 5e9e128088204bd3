/**
 * status: a run's progress from the journal alone — safe to run beside a running apply (the
 * journal is in WAL mode: readers never block its writes). A run the journal still calls
 * `running` whose process is gone from this host (killed, crashed, the machine restarted) is
 * shown `interrupted`, with the command that resumes it.
 */
import { hostname } from 'node:os';
import { usageError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { processIsRunning } from '../journal/lock.js';
import { isWriteRun, type RunRecord, type RunStatus, type RunSummary } from '../run-records.js';
import type { Clock } from '../clock.js';
import { GRAPH_WRITE_BUDGET, RATE_WINDOW_MS, secondsToWrite, type WriteBudget } from './time-left.js';

export interface OperationProgressCounts {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  readonly conflict: number;
  /** Planned, or sent with no answer recorded yet. */
  readonly remaining: number;
}

export interface RunStatusView {
  readonly run: RunRecord;
  /** The run's status as a person should read it: `interrupted` for a `running` run whose process is gone. */
  readonly status: RunStatus;
  /** True when the journal says `running` but the process that ran it no longer runs on this host. */
  readonly writerGone: boolean;
  /** The command line that started or last resumed the run, to run again; null when not recorded. */
  readonly resumeCommand: string | null;
  readonly summary: RunSummary;
  readonly operations: OperationProgressCounts;
  /** Writes answered per minute over the last RATE_WINDOW_MS; null when none were. */
  readonly writesPerMinute: number | null;
  /** At the run's write budget, or the rate above when slower (time-left.ts: the figure apply's progress shows); null when nothing is left or the run is not running. */
  readonly secondsLeft: number | null;
  /** Rollback runs of this run, newest first. */
  readonly rollbacks: readonly RunRecord[];
}

/** How status tells whether a run's process still runs: this host's name and a pid check (injected by tests). */
export interface ProcessLiveness {
  readonly host: string;
  readonly isRunning: (pid: number) => boolean;
}

export const localProcesses: ProcessLiveness = { host: hostname(), isRunning: processIsRunning };

export function readRunStatus(journal: Journal, runId: string | null, clock: Clock, processes: ProcessLiveness = localProcesses): RunStatusView {
  const run = runId === null ? journal.latestRun() : journal.getRun(runId);
  if (run === null) {
    throw usageError(
      runId === null ? 'JOURNAL_EMPTY' : 'RUN_NOT_FOUND',
      runId === null ? `${journal.path} holds no runs yet` : `${journal.path} holds no run ${runId}`,
      runId === null ? 'Run `mfa-migrate plan` or `apply` first.' : 'Give --run an id that plan or apply printed (and the same --state).',
    );
  }
  const summary = journal.runSummary(run.id);
  let done = 0, failed = 0, skipped = 0, conflict = 0, remaining = 0;
  for (const byStatus of Object.values(summary.operationsByKind)) {
    done += byStatus.done ?? 0;
    failed += byStatus.failed ?? 0;
    skipped += byStatus.skipped ?? 0;
    conflict += byStatus.conflict ?? 0;
    remaining += (byStatus.planned ?? 0) + (byStatus.sent ?? 0);
  }
  const now = clock.now();
  let writesPerMinute: number | null = null;
  if (isWriteRun(run) || run.command === 'rollback') {
    const { answered, firstSentAt } = journal.answeredSince(run.id, new Date(now - RATE_WINDOW_MS));
    const end = run.finishedAt?.getTime() ?? now;
    // A run younger than the window is measured over its own life, not diluted by the empty minutes before it.
    const span = firstSentAt === null ? 0 : Math.min(RATE_WINDOW_MS, end - firstSentAt.getTime());
    if (answered > 0 && span > 0) writesPerMinute = (answered / span) * 60_000;
  }
  // A process on another host cannot be checked from here: its run is taken as running.
  const writerGone = run.status === 'running' && run.writer !== undefined && run.writer.host === processes.host && !processes.isRunning(run.writer.pid);
  const status: RunStatus = writerGone ? 'interrupted' : run.status;
  let secondsLeft: number | null = null;
  if (remaining > 0 && status === 'running' && (isWriteRun(run) || run.command === 'rollback')) {
    const budget = recordedBudget(run);
    const usedInWindow = journal.answeredSince(run.id, new Date(now - budget.windowMs)).answered;
    secondsLeft = secondsToWrite(remaining, budget, usedInWindow, writesPerMinute);
  }
  const rollbacks: RunRecord[] = [];
  const rollback = journal.latestRun({ command: 'rollback', parentRunId: run.id });
  if (rollback !== null) rollbacks.push(rollback);
  return {
    run,
    status,
    writerGone,
    resumeCommand: run.writer?.commandLine ?? null,
    summary,
    operations: { total: summary.operations, done, failed, skipped, conflict, remaining },
    writesPerMinute,
    secondsLeft,
    rollbacks,
  };
}

/** The write budget the run recorded (apply and rollback record the gateway's), else Graph's own. */
function recordedBudget(run: RunRecord): WriteBudget {
  const budget = run.options['writeBudget'];
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) return GRAPH_WRITE_BUDGET;
  const { writesPerWindow, windowMs } = budget as { readonly writesPerWindow?: unknown; readonly windowMs?: unknown };
  return typeof writesPerWindow === 'number' && typeof windowMs === 'number' && writesPerWindow > 0 && windowMs > 0 ? { writesPerWindow, windowMs } : GRAPH_WRITE_BUDGET;
}
