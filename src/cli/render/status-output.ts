/** What `status` shows: the run, its users by status, its operations and, for writes, the rate and time left. */
import { commandLine } from '../../shell-quote.js';
import type { RunStatusView } from '../../migrate/status.js';
import { isWriteRun } from '../../run-records.js';
import type { StatusDocument } from './json-documents.js';
import { formatDuration } from './durations.js';
import { syncSummaryOf } from '../../report/report-summary.js';

const BAR_WIDTH = 30;

/** `status --json` (schemas/status.schema.json). */
export function statusJson(view: RunStatusView, context: { readonly state: string }): StatusDocument {
  const { run, operations } = view;
  return {
    run: {
      id: run.id, command: run.command, status: view.status, recordedStatus: run.status, parentRunId: run.parentRunId,
      startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null,
      graphUrl: run.graphUrl, tenantId: run.tenantId,
      inputs: run.inputs.map((input) => ({ role: input.role, path: input.path, size: input.size, mtime: input.mtime, sha256: input.sha256 })),
      writer: run.writer === undefined ? null : { pid: run.writer.pid, host: run.writer.host },
      writerGone: view.writerGone,
    },
    resumeCommand: resumeCommandOf(view, context),
    users: { total: view.summary.users, byPlanStatus: view.summary.usersByPlanStatus, byFinalStatus: view.summary.usersByFinalStatus },
    operations: {
      total: operations.total, done: operations.done, failed: operations.failed, skipped: operations.skipped, conflict: operations.conflict,
      remaining: operations.remaining, byKind: view.summary.operationsByKind,
    },
    writesPerMinute: view.writesPerMinute === null ? null : Math.round(view.writesPerMinute),
    secondsLeft: view.secondsLeft === null ? null : Math.round(view.secondsLeft),
    issues: view.summary.issues,
    rollbacks: view.rollbacks.map((rollback) => ({ id: rollback.id, status: rollback.status })),
  };
}

export function statusText(view: RunStatusView, context: { readonly state: string }): string {
  const { run, operations } = view;
  const out: string[] = [];
  const gone = view.writerGone && run.writer !== undefined ? ` (its process ${String(run.writer.pid)} on ${run.writer.host} is gone)` : '';
  out.push(`${run.command} run ${run.id}: ${view.status}${gone}${run.parentRunId === null ? '' : ` (of ${run.parentRunId})`}`);
  out.push(`  started ${run.startedAt.toISOString()}${run.finishedAt === null ? '' : `, ended ${run.finishedAt.toISOString()}`}`);
  out.push(`  inputs: ${run.inputs.map((file) => `--${file.role} ${file.path}`).join(' ') || 'none'}`);
  const users = Object.entries(view.summary.usersByFinalStatus).length > 0 ? view.summary.usersByFinalStatus : view.summary.usersByPlanStatus;
  out.push(`  users ${String(view.summary.users)}: ${Object.entries(users).map(([status, count]) => `${status} ${String(count)}`).join('   ')}`);
  const sync = syncSummaryOf(run);
  if (sync !== null) {
    out.push(`  of ${String(sync.inExport)} in the export: ${String(sync.new)} new, ${String(sync.changed)} changed, ${String(sync.retried)} retried, ${String(sync.rechecked)} rechecked; ${String(sync.unchanged)} unchanged (not read), ${String(sync.outOfScope)} out of scope; ${String(sync.left.length)} no longer in the export`);
  }
  if (operations.total > 0) {
    const finished = operations.done + operations.failed + operations.skipped;
    const writable = operations.total - operations.conflict;
    const share = writable === 0 ? 1 : finished / writable;
    const filled = Math.round(share * BAR_WIDTH);
    out.push(`  operations [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(1)} %`);
    out.push(`    done ${String(operations.done)}   failed ${String(operations.failed)}   not sent ${String(operations.skipped)}   remaining ${String(operations.remaining)}   conflicts kept ${String(operations.conflict)}`);
  }
  if (view.writesPerMinute !== null) out.push(`  rate: ${view.writesPerMinute.toFixed(0)} writes/min over the last minutes`);
  if (view.secondsLeft !== null) out.push(`  time left at the write budget and this rate: about ${formatDuration(view.secondsLeft)}`);
  for (const rollback of view.rollbacks) out.push(`  rolled back by ${rollback.id} (${rollback.status})`);
  out.push(...nextStep(view, context));
  return `${out.join('\n')}\n`;
}

/**
 * The command that resumes the run: an apply takes everything else from the journal
 * (`apply --resume RUN`), so the short command works from any folder; others as they were started.
 */
function resumeCommandOf(view: RunStatusView, context: { readonly state: string }): string | null {
  if (view.run.command === 'apply' && (view.run.status === 'running' || view.run.status === 'interrupted')) return commandLine(['apply', '--resume', view.run.id, '--state', context.state]);
  return view.resumeCommand;
}

/** What to do about a run that did not finish: the exact command when the run recorded it. */
function nextStep(view: RunStatusView, context: { readonly state: string }): string[] {
  const { run } = view;
  const resumable = isWriteRun(run) || run.command === 'rollback';
  if (view.status === 'interrupted' && (resumable ? view.operations.remaining > 0 : run.command === 'plan')) {
    const what = resumable ? 'Interrupted. Resume it with:' : 'Stopped before it finished. Run it again with:';
    const command = resumeCommandOf(view, context);
    return command === null
      ? ['', `${what.slice(0, -1)} the same ${run.command} command (--state ${context.state}).`]
      : ['', what, `  ${command}`];
  }
  if (view.status === 'running' && resumable && view.operations.remaining > 0 && run.writer === undefined) {
    return ['', `Unfinished. If no ${run.command} is running now, resume it by running the same ${run.command} command again (--state ${context.state}).`];
  }
  return [];
}
