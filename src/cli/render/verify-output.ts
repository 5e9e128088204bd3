/** What `verify` shows: users whose methods are not as the migration left them, and the verdict. */
import type { Finding } from '../../findings.js';
import type { StoredUser } from '../../run-records.js';
import type { VerifyResult } from '../../migrate/verify.js';
import type { PhoneView } from '../../report/phone-mask.js';
import type { VerifyDocument } from './json-documents.js';
import { findingJson } from './validate-output.js';

const VERIFY_CODES: ReadonlySet<string> = new Set(['METHOD_DRIFTED', 'METHOD_MISSING']);

/** Users listed on the terminal; the rest are in the report, which the text names. */
export const VERIFY_USERS_SHOWN = 20;

/** `verify --json` (schemas/verify.schema.json). */
export function verifyJson(result: VerifyResult, users: readonly StoredUser[], view: PhoneView): VerifyDocument {
  return {
    runId: result.run.id,
    verifiedRunId: result.verifiedRun.id,
    summary: { usersByStatus: result.usersByStatus, drifted: result.drifted, checked: result.checked },
    users: users.map((user) => verifyUserJson(user, view)),
  };
}

function verifyUserJson(user: StoredUser, view: PhoneView): VerifyDocument['users'][number] {
  return {
    username: user.username,
    upn: user.upn,
    line: user.line,
    entraUserId: user.entraUserId,
    status: user.finalStatus,
    issues: verifyFindings(user).map((issue) => findingJson(issue, view)),
  };
}

function verifyFindings(user: StoredUser): Finding[] {
  return user.issues.filter((issue) => VERIFY_CODES.has(issue.code));
}

/** A user the verdict is about: Entra does not hold what the migration left or the exports ask for. */
function needsALook(user: StoredUser): boolean {
  return user.finalStatus === 'failed' || user.finalStatus === 'partial' || verifyFindings(user).length > 0;
}

/**
 * One user of the list: line, who and status, then on lines of their own what is missing or
 * drifted — verify's findings from after the "who:" they name the user with, which the first line
 * already says.
 */
function userLines(user: StoredUser, view: PhoneView): string[] {
  const who = user.upn ?? user.username;
  const name = user.before?.user.displayName ?? user.desired.displayName;
  const findings = verifyFindings(user).map((issue) => {
    const at = issue.message.indexOf(`${who}: `);
    return `      ${issue.code} ${view.text(at < 0 ? issue.message : issue.message.slice(at + who.length + 2))}`;
  });
  return [
    `  line ${String(user.line)}  ${who}${name === null ? '' : ` (${name})`}  ${user.finalStatus ?? 'not verified'}`,
    ...(findings.length > 0 ? findings : ['      a write of the apply run failed: its Graph code and request-id are in the report']),
  ];
}

/**
 * The human output: the first VERIFY_USERS_SHOWN users that are not complete, each with what is
 * missing or drifted, then the verdict, which points at the report for the rest.
 */
export function verifyText(result: VerifyResult, users: readonly StoredUser[], context: { readonly view: PhoneView; readonly reportPath: string }): string {
  const out: string[] = [];
  const incomplete = users.filter(needsALook);
  if (incomplete.length > 0) {
    out.push(`Users Entra does not hold as expected (${incomplete.length > VERIFY_USERS_SHOWN ? `the first ${String(VERIFY_USERS_SHOWN)} of ${String(incomplete.length)}` : String(incomplete.length)}):`);
    for (const user of incomplete.slice(0, VERIFY_USERS_SHOWN)) out.push(...userLines(user, context.view));
    if (incomplete.length > VERIFY_USERS_SHOWN) out.push(`  … ${String(incomplete.length - VERIFY_USERS_SHOWN)} more in the report.`);
  }
  const order = ['migrated', 'unchanged', 'partial', 'conflict', 'failed', 'unmatched', 'skipped', 'rejected'] as const;
  const what = result.verifiedRun.command === 'plan' ? `every user of the exports (plan run ${result.verifiedRun.id}, made now)` : `${result.verifiedRun.command} run ${result.verifiedRun.id}`;
  out.push('', `Verified ${what} against Entra (verify run ${result.run.id}): ${String(result.checked)} users read, ${String(result.drifted)} drifted.`);
  out.push(`  ${order.map((status) => `${status} ${String(result.usersByStatus[status] ?? 0)}`).join('   ')}`);
  out.push(incomplete.length === 0
    ? 'The migration is complete: Entra holds what the exports ask for (conflicts kept by choice aside).'
    : `The migration is NOT complete: see the ${incomplete.length === 1 ? 'user' : 'users'} above, and every user in the report: ${context.reportPath}`);
  return `${out.join('\n')}\n`;
}
