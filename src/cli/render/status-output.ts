/** What `status` shows: the run, its users by status, its operations and, for writes, the rate and time left. */
import type { RunStatusView } from '../../migrate/status.js';
import { formatDuration } from './durations.js';

const BAR_WIDTH = 30;

export function statusJson(view: RunStatusView): Record<string, unknown> {
  const { run } = view;
  return {
    run: {
      id: run.id, command: run.command, status: run.status, parentRunId: run.parentRunId,
      startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null,
      graphUrl: run.graphUrl, tenantId: run.tenantId, inputs: run.inputs,
    },
    users: { total: view.summary.users, byPlanStatus: view.summary.usersByPlanStatus, byFinalStatus: view.summary.usersByFinalStatus },
    operations: { ...view.operations, byKind: view.summary.operationsByKind },
    writesPerMinute: view.writesPerMinute === null ? null : Math.round(view.writesPerMinute),
    secondsLeft: view.secondsLeft === null ? null : Math.round(view.secondsLeft),
    issues: view.summary.issues,
    rollbacks: view.rollbacks.map((rollback) => ({ id: rollback.id, status: rollback.status })),
  };
}

export function statusText(view: RunStatusView, context: { readonly state: string }): string {
  const { run, operations } = view;
  const out: string[] = [];
  out.push(`${run.command} run ${run.id}: ${run.status}${run.parentRunId === null ? '' : ` (of ${run.parentRunId})`}`);
  out.push(`  started ${run.startedAt.toISOString()}${run.finishedAt === null ? '' : `, ended ${run.finishedAt.toISOString()}`}`);
  out.push(`  inputs: ${run.inputs.map((file) => `--${file.role} ${file.path}`).join(' ') || 'none'}`);
  const users = Object.entries(view.summary.usersByFinalStatus).length > 0 ? view.summary.usersByFinalStatus : view.summary.usersByPlanStatus;
  out.push(`  users ${String(view.summary.users)}: ${Object.entries(users).map(([status, count]) => `${status} ${String(count)}`).join('   ')}`);
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
  if (run.command === 'apply' && (run.status === 'interrupted' || run.status === 'running') && operations.remaining > 0) {
    out.push('', `Unfinished. If no apply is running now, resume it by running the same apply command again (--state ${context.state}).`);
  }
  return `${out.join('\n')}\n`;
}
