/**
 * What `sync` shows: its `--json` document per cycle (schemas/sync.schema.json), the summary of a
 * single cycle, and with `--every` one short line per cycle (changed / written / failed / next run).
 */
import type { PhoneView } from '../../report/phone-mask.js';
import type { RunSummary } from '../../run-records.js';
import type { SyncCycleResult } from '../../migrate/sync.js';
import type { SpooledDocument } from '../json-document.js';
import type { SyncDocument } from './json-documents.js';
import { runCounts } from './apply-output.js';
import { findingJson } from './validate-output.js';

/** Users named in the text summary before "and N more" (the report lists them all). */
const LEFT_NAMED = 10;

export function syncDocument(
  result: SyncCycleResult,
  runSummary: RunSummary,
  nextAt: Date | null,
  view: PhoneView,
): SpooledDocument<SyncDocument, 'users', 'runId' | 'resumedRunId' | 'summary' | 'left'> {
  const executed = result.executed ?? result.resumed?.executed ?? null;
  return {
    head: {
      runId: result.run.id,
      resumedRunId: result.resumed?.run.id ?? null,
      summary: {
        ...runCounts(runSummary),
        sync: { ...result.counts },
        operationsThisCycle: { done: executed?.operations.done ?? 0, failed: executed?.operations.failed ?? 0, skipped: executed?.operations.skipped ?? 0 },
        reconciled: { done: executed?.reconciled.done ?? 0, replanned: executed?.reconciled.replanned ?? 0 },
      },
      left: result.left.map((user) => ({ username: user.username, upn: user.upn, entraUserId: user.entraUserId, lastRunId: user.lastRunId })),
    },
    key: 'users',
    tail: { fileIssues: result.fileIssues.map((issue) => findingJson(issue, view)), nextRunAt: nextAt === null ? null : nextAt.toISOString() },
  };
}

/** Users the cycle chose to read: new, changed, retried or rechecked. */
function chosen(result: SyncCycleResult): number {
  const { counts } = result;
  return counts.new + counts.changed + counts.retried + counts.rechecked;
}

function writes(result: SyncCycleResult): { readonly done: number; readonly failed: number; readonly skipped: number } {
  const own = result.executed?.operations ?? { done: 0, failed: 0, skipped: 0 };
  const resumed = result.resumed?.executed.operations ?? { done: 0, failed: 0, skipped: 0 };
  return { done: own.done + resumed.done, failed: own.failed + resumed.failed, skipped: own.skipped + resumed.skipped };
}

/** With --every: one line per cycle. */
export function syncCycleLine(result: SyncCycleResult, nextAt: Date | null, at: Date): string {
  const { counts } = result;
  const written = writes(result);
  const parts = [
    `${String(chosen(result))} to check (${String(counts.new)} new, ${String(counts.changed)} changed, ${String(counts.retried)} retried, ${String(counts.rechecked)} rechecked)`,
    `${String(written.done)} written`,
    `${String(written.failed)} failed`,
  ];
  if (result.left.length > 0) parts.push(`${String(result.left.length)} no longer in the export`);
  if (result.resumed !== null) parts.push(`finished interrupted run ${result.resumed.run.id}`);
  const next = nextAt === null ? '' : ` — next run at ${isoSeconds(nextAt)}`;
  return `${isoSeconds(at)} sync ${result.run.id}: ${parts.join(', ')}${next}\n`;
}

/** Without --every: what the cycle chose, wrote and found, and what to do next. */
export function syncSummaryText(result: SyncCycleResult, context: { readonly state: string; readonly seconds: number }): string {
  const { counts } = result;
  const written = writes(result);
  const out: string[] = [];
  if (result.resumed !== null) {
    const resumed = result.resumed.executed.operations;
    out.push(`Finished interrupted sync run ${result.resumed.run.id} first: ${String(resumed.done)} writes done, ${String(resumed.failed)} failed.`);
  }
  out.push(
    `Sync run ${result.run.id} in ${context.seconds.toFixed(1)} s: ${counts.inExport.toLocaleString('en-US')} users in the export — ${counts.unchanged.toLocaleString('en-US')} unchanged (not read from Graph), `
      + `${String(counts.new)} new, ${String(counts.changed)} changed, ${String(counts.retried)} retried (not final last time), ${String(counts.rechecked)} rechecked, ${String(counts.outOfScope)} out of scope.`,
  );
  out.push(`  ${String(written.done)} writes done, ${String(written.failed)} failed, ${String(written.skipped)} not sent.`);
  const s = result.executed?.usersByFinalStatus ?? {};
  if (result.executed !== null) {
    const order = ['migrated', 'unchanged', 'partial', 'conflict', 'failed', 'unmatched', 'skipped', 'rejected'] as const;
    out.push(`  ${order.map((status) => `${status} ${String(s[status] ?? 0)}`).join('   ')}`);
  }
  if (result.left.length > 0) {
    const named = result.left.slice(0, LEFT_NAMED).map((user) => user.upn ?? user.username).join(', ');
    const more = result.left.length > LEFT_NAMED ? ` and ${String(result.left.length - LEFT_NAMED)} more (the report lists them)` : '';
    out.push(`  No longer in the export, left as they are in Entra: ${named}${more}.`);
  }
  const failing = (s.failed ?? 0) + (s.partial ?? 0);
  if (failing > 0) {
    out.push('', `${String(failing)} users were not fully migrated; their failed operations keep Graph's code and request-id (sync --json, or the report).`);
    out.push('Fix the cause; the next sync reads them again (their last status is not final) and sends only what is still missing.');
  }
  if (chosen(result) > 0 || result.resumed !== null) {
    out.push('', `Journal: ${context.state}. Undo this cycle with: mfa-migrate rollback --run ${result.run.id} --state ${context.state}`);
  }
  return `${out.join('\n')}\n`;
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
