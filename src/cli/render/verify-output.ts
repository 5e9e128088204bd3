/** What `verify` shows: users whose methods are not as the migration left them, and the verdict. */
import type { StoredUser } from '../../run-records.js';
import type { VerifyResult } from '../../migrate/verify.js';
import type { VerifyDocument } from './json-documents.js';
import { findingJson } from './validate-output.js';

const VERIFY_CODES: ReadonlySet<string> = new Set(['METHOD_DRIFTED', 'METHOD_MISSING']);

/** `verify --json` (schemas/verify.schema.json). */
export function verifyJson(result: VerifyResult, users: readonly StoredUser[]): VerifyDocument {
  return {
    runId: result.run.id,
    verifiedRunId: result.verifiedRun.id,
    summary: { usersByStatus: result.usersByStatus, drifted: result.drifted, checked: result.checked },
    users: users.map(verifyUserJson),
  };
}

function verifyUserJson(user: StoredUser): VerifyDocument['users'][number] {
  return {
    username: user.username,
    upn: user.upn,
    line: user.line,
    entraUserId: user.entraUserId,
    status: user.finalStatus,
    issues: user.issues.filter((issue) => VERIFY_CODES.has(issue.code)).map(findingJson),
  };
}

export function verifyText(result: VerifyResult, users: readonly StoredUser[]): string {
  const out: string[] = [];
  for (const user of users) {
    const found = user.issues.filter((issue) => VERIFY_CODES.has(issue.code));
    for (const issue of found) out.push(`${issue.code}  ${issue.message}`);
  }
  const order = ['migrated', 'unchanged', 'partial', 'conflict', 'failed', 'unmatched', 'skipped', 'rejected'] as const;
  const what = result.verifiedRun.command === 'plan' ? `every user of the exports (plan run ${result.verifiedRun.id}, made now)` : `${result.verifiedRun.command} run ${result.verifiedRun.id}`;
  out.push('', `Verified ${what} against Entra (verify run ${result.run.id}): ${String(result.checked)} users read, ${String(result.drifted)} drifted.`);
  out.push(`  ${order.map((status) => `${status} ${String(result.usersByStatus[status] ?? 0)}`).join('   ')}`);
  const failing = (result.usersByStatus.failed ?? 0) + (result.usersByStatus.partial ?? 0);
  out.push(failing + result.drifted === 0 ? 'The migration is complete: Entra holds what the exports ask for (conflicts kept by choice aside).' : 'The migration is NOT complete: see the users above and the report.');
  return `${out.join('\n')}\n`;
}
