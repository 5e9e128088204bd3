/** What `rollback` shows: the undo per user (dry run) or what became of it (--execute). */
import type { RollbackResult } from '../../migrate/rollback.js';
import type { PhoneView } from '../../report/phone-mask.js';
import { commandLine } from '../../shell-quote.js';
import type { RollbackDocument } from './json-documents.js';
import { describeOperation, operationJson } from './plan-output.js';

/** `rollback --json` (schemas/rollback.schema.json). */
export function rollbackJson(result: RollbackResult, view: PhoneView): RollbackDocument {
  return {
    applyRunId: result.applyRun.id,
    runId: result.run?.id ?? null,
    executed: result.run !== null,
    resumed: result.resumed,
    operations: { done: result.operations.done, failed: result.operations.failed, skipped: result.operations.skipped },
    usersByFinalStatus: result.usersByFinalStatus,
    users: result.users.map((user) => ({
      line: user.line,
      username: user.username,
      upn: user.upn,
      steps: user.steps.map((step) => operationJson(step, view)),
      kept: user.kept.map((kept) => ({ ...operationJson(kept.operation, view), reason: kept.reason })),
    })),
  };
}

export function rollbackText(result: RollbackResult, context: { readonly args: readonly string[]; readonly view: PhoneView }): string {
  const out: string[] = [];
  for (const user of result.users) {
    const parts = [
      ...user.steps.map((step) => describeOperation(step, context.view)),
      ...user.kept.map((kept) => `keep ${kept.operation.target} (${kept.reason})`),
    ];
    out.push(`line ${String(user.line)}  ${user.upn ?? user.username}: ${parts.join('; ')}`);
  }
  const steps = result.users.reduce((sum, user) => sum + user.steps.length, 0);
  const kept = result.users.reduce((sum, user) => sum + user.kept.length, 0);
  if (result.run === null) {
    out.push('', `Rollback of ${result.applyRun.command} run ${result.applyRun.id}: ${String(steps)} writes to undo for ${String(result.users.length)} users, ${String(kept)} changes kept (reasons above). Nothing was written.`);
    out.push(`To send it: ${commandLine([...context.args, '--execute'])}`);
  } else {
    const ops = result.operations;
    out.push('', `Rollback run ${result.run.id} of ${result.applyRun.command} run ${result.applyRun.id}${result.resumed ? ' (resumed)' : ''}: ${String(ops.done)} undone, ${String(ops.failed)} failed, ${String(ops.skipped)} kept or not sent.`);
    out.push(`  ${Object.entries(result.usersByFinalStatus).map(([status, count]) => `${status === 'migrated' ? 'restored' : status} ${String(count)}`).join('   ')}`);
  }
  return `${out.join('\n')}\n`;
}
