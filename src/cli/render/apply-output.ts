/**
 * What `apply` shows: its `--json` document (schemas/apply.schema.json: plan's entries with the
 * final status and each operation's outcome, Graph code and request-id kept for support), human
 * lines for users that need a look, and the summary with the next step.
 */
import { commandLine } from '../../shell-quote.js';
import type { RunSummary, StoredUser } from '../../run-records.js';
import type { ApplyResult } from '../../migrate/apply.js';
import type { PhoneView } from '../../report/phone-mask.js';
import type { SpooledDocument } from '../json-document.js';
import type { ApplyDocument, ApplyUserJson } from './json-documents.js';
import { describeOperation, operationJson, planUserJson } from './plan-output.js';
import { findingJson } from './validate-output.js';

export function applyUserJson(user: StoredUser, view: PhoneView): ApplyUserJson {
  return {
    ...planUserJson(user, view),
    status: user.finalStatus ?? user.planStatus,
    planStatus: user.planStatus,
    operations: user.operations.map((operation) => ({
      ...operationJson(operation, view),
      attempts: operation.attempts,
      requestId: operation.requestId,
      graphCode: operation.graphCode,
      error: operation.errorMessage === null ? null : view.text(operation.errorMessage),
    })),
  };
}

/** `apply --json` around its users: the run's summary from the journal and what this call did. */
export function applyDocument(result: ApplyResult, runSummary: RunSummary, view: PhoneView): SpooledDocument<ApplyDocument, 'users', 'runId' | 'planRunId' | 'start' | 'summary'> {
  return {
    head: {
      runId: result.run.id,
      planRunId: result.planRunId,
      start: result.start,
      summary: {
        ...runCounts(runSummary),
        operationsThisCall: { done: result.operations.done, failed: result.operations.failed, skipped: result.operations.skipped },
        reconciled: { done: result.reconciled.done, replanned: result.reconciled.replanned },
      },
    },
    key: 'users',
    tail: { fileIssues: result.fileIssues.map((issue) => findingJson(issue, view)) },
  };
}

/** A line for users whose migration needs attention: failed, partial, conflict, unmatched. */
export function applyUserLine(user: StoredUser, view: PhoneView): string | null {
  const status = user.finalStatus ?? user.planStatus;
  if (status !== 'failed' && status !== 'partial' && status !== 'conflict' && status !== 'unmatched') return null;
  const who = user.upn ?? user.username;
  const what = user.operations
    .filter((operation) => operation.status === 'failed' || operation.status === 'skipped' || operation.status === 'conflict')
    .map((operation) => {
      const why = operation.graphCode ?? (operation.errorMessage === null ? operation.status : view.text(operation.errorMessage));
      return `${describeOperation(operation, view)} → ${operation.status} (${why}${operation.requestId === null ? '' : `, request-id ${operation.requestId}`})`;
    });
  if (what.length === 0) what.push(...user.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.code));
  return `line ${String(user.line)}  ${who}  ${status}: ${what.join('; ')}`;
}

export function applySummaryText(result: ApplyResult, context: { readonly state: string; readonly seconds: number; readonly resumeCommand: string }): string {
  const out: string[] = [];
  const how = result.start === 'resumed' ? 'resumed' : result.start === 'planned' ? `planned as ${result.planRunId}, then applied` : `executed plan ${result.planRunId}`;
  const ops = result.operations;
  out.push(`Apply run ${result.run.id} (${how}) in ${context.seconds.toFixed(1)} s: ${String(ops.done)} writes done, ${String(ops.failed)} failed, ${String(ops.skipped)} not sent.`);
  if (result.reconciled.done + result.reconciled.replanned > 0) {
    out.push(`  after the interruption: ${String(result.reconciled.done)} writes found applied in Entra, ${String(result.reconciled.replanned)} sent again.`);
  }
  if (result.interrupted) {
    out.push('', `Stopped on request. Nothing is lost: resume with`, `  ${context.resumeCommand}`);
    return `${out.join('\n')}\n`;
  }
  const s = result.usersByFinalStatus;
  const order = ['migrated', 'unchanged', 'partial', 'conflict', 'failed', 'unmatched', 'skipped', 'rejected'] as const;
  out.push(`  ${order.map((status) => `${status} ${String(s[status] ?? 0)}`).join('   ')}`);
  const failing = (s.failed ?? 0) + (s.partial ?? 0);
  if (failing > 0) {
    out.push('', `${String(failing)} users were not fully migrated. Their failed operations keep Graph's code and request-id (apply --json, or the report);`);
    out.push(`fix the cause, then run the same apply again: it plans anew and sends only what is still missing.`);
  }
  out.push('', `Journal: ${context.state}. Undo this run with: ${commandLine(['rollback', '--run', result.run.id, '--state', context.state])}`);
  return `${out.join('\n')}\n`;
}

/** The counts of a run's summary every write document (apply, sync) starts its summary with. */
export function runCounts(runSummary: RunSummary): RunSummary {
  return {
    users: runSummary.users,
    usersByPlanStatus: runSummary.usersByPlanStatus,
    usersByFinalStatus: runSummary.usersByFinalStatus,
    operations: runSummary.operations,
    operationsByKind: runSummary.operationsByKind,
    issues: runSummary.issues,
  };
}
