/**
 * What `plan` shows: its `--json` document (schemas/plan.schema.json: validate's entries plus
 * `entraUserId`, `before`, `operations` and the plan status) and the human lines and summary.
 */
import { commandLine } from '../../shell-quote.js';
import type { FindingCode } from '../../findings.js';
import { FINDINGS } from '../../findings.js';
import type { StoredUser } from '../../run-records.js';
import type { PlanResult, PlanSummary } from '../../migrate/plan.js';
import type { Operation, PlanStatus } from '../../plan/operations.js';
import type { SpooledDocument } from '../json-document.js';
import type { PlanDocument, PlannedOperationJson, PlanUserJson } from './json-documents.js';
import { findingJson } from './validate-output.js';

/** One entry of `users` in `plan --json`. */
export function planUserJson(user: StoredUser): PlanUserJson {
  const desired = user.desired;
  return {
    username: user.username,
    upn: user.upn,
    line: user.line,
    status: user.planStatus,
    // validate's status for the same row (ready / skipped / rejected), kept so nothing is lost.
    mappingStatus: user.mappingStatus,
    entraUserId: user.entraUserId,
    matchedBy: user.matchedBy,
    phones: { mobile: desired.phones.mobile, alternateMobile: desired.phones.alternateMobile, office: desired.phones.office },
    defaultMethod: user.plan?.defaultMethod ?? desired.defaultMethod,
    devices: (user.plan?.devices ?? desired.devices).map((device) => ({ name: device.name, status: device.status, registration: device.registration })),
    hardwareTokens: desired.hardwareTokens.map((token) => ({ serialNumber: token.serialNumber })),
    before: user.before,
    operations: user.operations.map(operationJson),
    issues: user.issues.map(findingJson),
  };
}

export function operationJson(operation: Operation): PlannedOperationJson {
  switch (operation.kind) {
    case 'createPhone':
    case 'updatePhone':
    case 'phoneConflict':
    case 'deletePhone':
      return { kind: operation.kind, target: operation.target, status: operation.status, phoneNumber: operation.phoneNumber, previousPhoneNumber: operation.previousPhoneNumber };
    case 'setPreferredMethod':
      return { kind: operation.kind, target: operation.target, status: operation.status, previous: operation.previous };
    default:
      return { kind: operation.kind, target: operation.target, status: operation.status, deviceId: operation.deviceId };
  }
}

/** `plan --json` around its users (spooled from the journal). */
export function planDocument(result: PlanResult): SpooledDocument<PlanDocument, 'users', 'runId' | 'summary'> {
  const { summary } = result;
  return {
    head: {
      runId: result.run.id,
      summary: { users: summary.users, byStatus: summary.byStatus, outOfScope: summary.outOfScope, operations: summary.operations, issues: summary.issues },
    },
    key: 'users',
    tail: { fileIssues: result.fileIssues.map(findingJson) },
  };
}

/** One operation in words, for the per-user lines. */
export function describeOperation(operation: Operation): string {
  switch (operation.kind) {
    case 'createPhone':
      return `add ${operation.target} ${operation.phoneNumber}`;
    case 'updatePhone':
      return `replace ${operation.target} ${operation.previousPhoneNumber ?? '?'} with ${operation.phoneNumber}`;
    case 'phoneConflict':
      return `keep ${operation.target} ${operation.previousPhoneNumber ?? '?'} (export has ${operation.phoneNumber})`;
    case 'setPreferredMethod':
      return `set default method ${operation.target}${operation.previous === null ? '' : ` (was ${operation.previous})`}`;
    case 'createHardwareToken':
      return `create hardware token ${operation.target}`;
    case 'assignHardwareToken':
      return `assign hardware token ${operation.target}`;
    case 'activateHardwareToken':
      return `activate hardware token ${operation.target}`;
    case 'hardwareTokenConflict':
      return `hardware token ${operation.target} is assigned to someone else`;
    case 'deletePhone':
      return `remove ${operation.target} ${operation.phoneNumber}`;
    case 'unassignHardwareToken':
      return `unassign hardware token ${operation.target}`;
    case 'deactivateHardwareToken':
      return `deactivate hardware token ${operation.target}`;
    case 'deleteHardwareToken':
      return `delete hardware token ${operation.target} from the inventory`;
  }
}

/** Statuses worth a line of their own: something will change, or someone must act. */
const SHOWN: ReadonlySet<PlanStatus> = new Set<PlanStatus>(['planned', 'conflict', 'unmatched', 'failed']);

/** The per-user line of the human output, or null for users with nothing to say (unchanged, skipped, rejected: see validate). */
export function planUserLine(user: StoredUser): string | null {
  if (!SHOWN.has(user.planStatus)) return null;
  const who = user.upn ?? user.username;
  const what = user.operations.map(describeOperation);
  if (user.planStatus === 'unmatched' || user.planStatus === 'failed') {
    const reason = user.issues.find((issue) => issue.code === 'USER_NOT_FOUND' || issue.code === 'USER_AMBIGUOUS' || issue.code === 'USER_READ_FAILED');
    what.push(reason?.code ?? user.planStatus);
  }
  return `line ${user.line}  ${who}  ${user.planStatus}: ${what.join('; ')}`;
}

export function planSummaryText(summary: PlanSummary, context: { readonly runId: string; readonly state: string; readonly seconds: number }): string {
  const out: string[] = [];
  const s = summary.byStatus;
  out.push(`Planned ${summary.users} users in ${context.seconds.toFixed(1)} s (run ${context.runId}, nothing was written to Entra).`);
  out.push(`  planned ${s.planned}   unchanged ${s.unchanged}   conflict ${s.conflict}   unmatched ${s.unmatched}   failed ${s.failed}   skipped ${s.skipped}   rejected ${s.rejected}`);
  if (summary.outOfScope > 0) out.push(`  ${summary.outOfScope} users of the export are outside --group/--only and were left out.`);
  const kinds = Object.entries(summary.operations).filter(([, count]) => count > 0);
  if (kinds.length > 0) {
    out.push('', 'Operations to send:');
    for (const [kind, count] of kinds) out.push(`  ${kind.padEnd(22)} ${String(count).padStart(7)}`);
  }
  const codes = (Object.entries(summary.issues) as [FindingCode, number][]).sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  if (codes.length > 0) {
    out.push('', 'Issues by code:');
    const width = Math.max(...codes.map(([code]) => code.length));
    for (const [code, count] of codes) out.push(`  ${code.padEnd(width)}  ${FINDINGS[code].severity.padEnd(7)} ${String(count).padStart(7)}  ${FINDINGS[code].cause}`);
  }
  if (s.failed > 0) out.push('', `${s.failed} users could not be read from Graph: run plan again (see USER_READ_FAILED in docs/troubleshooting.md).`);
  out.push('', `The plan is stored in ${context.state}. To execute exactly this plan (its exports, options and tenant are in the journal): ${commandLine(['apply', '--plan', context.runId, '--state', context.state])}`);
  return `${out.join('\n')}\n`;
}
