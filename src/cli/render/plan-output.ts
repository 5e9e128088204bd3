/**
 * What `plan` shows: its `--json` document (schemas/plan.schema.json: validate's entries plus
 * `entraUserId`, `before`, `operations` and the plan status) and the human lines and summary.
 * Phone numbers are masked in all of them unless `--unmask` (the PhoneView given), as in the
 * reports; writes are named in plain words beside Graph's.
 */
import { commandLine } from '../../shell-quote.js';
import type { FindingCode } from '../../findings.js';
import { FINDINGS } from '../../findings.js';
import type { StoredUser } from '../../run-records.js';
import type { PlanResult, PlanSummary } from '../../migrate/plan.js';
import type { EntraState } from '../../plan/entra-state.js';
import type { Operation, OperationKind, PlanStatus } from '../../plan/operations.js';
import type { PhoneView } from '../../report/phone-mask.js';
import { defaultMethodInWords, OPERATION_WORDS, targetWords } from '../../report/plain-words.js';
import type { SpooledDocument } from '../json-document.js';
import type { PlanDocument, PlannedOperationJson, PlanUserJson } from './json-documents.js';
import { findingJson } from './validate-output.js';

/** What Entra held, its numbers masked unless the view is unmasked. */
export function entraStateJson(before: EntraState | null, view: PhoneView): EntraState | null {
  if (before === null || view.unmasked) return before;
  return { ...before, phones: before.phones.map((phone) => ({ ...phone, phoneNumber: view.phone(phone.phoneNumber) })) };
}

/** One entry of `users` in `plan --json`. */
export function planUserJson(user: StoredUser, view: PhoneView): PlanUserJson {
  const desired = user.desired;
  const phone = (value: string | null): string | null => (value === null ? null : view.phone(value));
  return {
    username: user.username,
    upn: user.upn,
    line: user.line,
    status: user.planStatus,
    // validate's status for the same row (ready / skipped / rejected), kept so nothing is lost.
    mappingStatus: user.mappingStatus,
    entraUserId: user.entraUserId,
    matchedBy: user.matchedBy,
    phones: { mobile: phone(desired.phones.mobile), alternateMobile: phone(desired.phones.alternateMobile), office: phone(desired.phones.office) },
    defaultMethod: user.plan?.defaultMethod ?? desired.defaultMethod,
    devices: (user.plan?.devices ?? desired.devices).map((device) => ({ name: device.name, status: device.status, registration: device.registration })),
    hardwareTokens: desired.hardwareTokens.map((token) => ({ serialNumber: token.serialNumber })),
    before: entraStateJson(user.before, view),
    operations: user.operations.map((operation) => operationJson(operation, view)),
    issues: user.issues.map((issue) => findingJson(issue, view)),
  };
}

export function operationJson(operation: Operation, view: PhoneView): PlannedOperationJson {
  switch (operation.kind) {
    case 'createPhone':
    case 'updatePhone':
    case 'phoneConflict':
    case 'deletePhone':
      return {
        kind: operation.kind, target: operation.target, status: operation.status, phoneNumber: view.phone(operation.phoneNumber),
        previousPhoneNumber: operation.previousPhoneNumber === null ? null : view.phone(operation.previousPhoneNumber),
      };
    case 'setPreferredMethod':
      return { kind: operation.kind, target: operation.target, status: operation.status, previous: operation.previous };
    default:
      return { kind: operation.kind, target: operation.target, status: operation.status, deviceId: operation.deviceId };
  }
}

/** `plan --json` around its users (spooled from the journal). */
export function planDocument(result: PlanResult, view: PhoneView): SpooledDocument<PlanDocument, 'users', 'runId' | 'summary'> {
  const { summary } = result;
  return {
    head: {
      runId: result.run.id,
      summary: { users: summary.users, byStatus: summary.byStatus, outOfScope: summary.outOfScope, operations: summary.operations, issues: summary.issues },
    },
    key: 'users',
    tail: { fileIssues: result.fileIssues.map((issue) => findingJson(issue, view)) },
  };
}

/** One operation in plain words, Graph's name in brackets, numbers as the view shows them: for the per-user lines. */
export function describeOperation(operation: Operation, view: PhoneView): string {
  const api = ` (${operation.kind})`;
  switch (operation.kind) {
    case 'createPhone':
      return `add ${targetWords(operation.target)} ${view.phone(operation.phoneNumber)}${api}`;
    case 'updatePhone':
      return `change ${targetWords(operation.target)} ${operation.previousPhoneNumber === null ? '?' : view.phone(operation.previousPhoneNumber)} → ${view.phone(operation.phoneNumber)}${api}`;
    case 'phoneConflict':
      return `keep Entra's ${targetWords(operation.target)} ${operation.previousPhoneNumber === null ? '?' : view.phone(operation.previousPhoneNumber)}, not the export's ${view.phone(operation.phoneNumber)}${api}`;
    case 'setPreferredMethod':
      return `set default sign-in method to ${defaultMethodInWords(operation.target)}${operation.previous === null ? '' : `, was ${defaultMethodInWords(operation.previous)}`}${api}`;
    case 'hardwareTokenConflict':
      return `hardware token ${operation.target} is assigned to someone else${api}`;
    case 'deletePhone':
      return `delete ${targetWords(operation.target)} ${view.phone(operation.phoneNumber)}${api}`;
    case 'createHardwareToken':
    case 'assignHardwareToken':
    case 'activateHardwareToken':
    case 'unassignHardwareToken':
    case 'deactivateHardwareToken':
    case 'deleteHardwareToken':
      return `${OPERATION_WORDS[operation.kind]} ${operation.target}${api}`;
  }
}

/** A kind of write in plain words, Graph's name beside it, padded for the summary's table. */
function kindInWords(kind: OperationKind): string {
  return `${OPERATION_WORDS[kind]} (${kind})`;
}

/** Statuses worth a line of their own: something will change, or someone must act. */
const SHOWN: ReadonlySet<PlanStatus> = new Set<PlanStatus>(['planned', 'conflict', 'unmatched', 'failed']);

/** The per-user line of the human output, or null for users with nothing to say (unchanged, skipped, rejected: see validate). */
export function planUserLine(user: StoredUser, view: PhoneView): string | null {
  if (!SHOWN.has(user.planStatus)) return null;
  const who = user.upn ?? user.username;
  const what = user.operations.map((operation) => describeOperation(operation, view));
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
  const kinds = (Object.entries(summary.operations) as [OperationKind, number][]).filter(([, count]) => count > 0);
  if (kinds.length > 0) {
    out.push('', 'Operations to send:');
    const width = Math.max(...kinds.map(([kind]) => kindInWords(kind).length));
    for (const [kind, count] of kinds) out.push(`  ${kindInWords(kind).padEnd(width)} ${String(count).padStart(7)}`);
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
