/**
 * What `validate` shows: its `--json` document (schemas/validate.schema.json) and the human
 * summary on stderr. Phone numbers are masked in both unless `--unmask` (the PhoneView given).
 */
import type { Finding, FindingCode } from '../../findings.js';
import { FINDINGS } from '../../findings.js';
import type { JsonObject } from '../../run-records.js';
import type { DesiredState } from '../../mapping/desired-state.js';
import type { ValidateResult, ValidateSummary } from '../../migrate/validate.js';
import type { PhoneView } from '../../report/phone-mask.js';
import type { WrittenReports } from '../../report/write-reports.js';
import type { SpooledDocument } from '../json-document.js';
import type { SourceOptions } from '../options.js';
import type { FindingJson, ValidateDocument, ValidateUserJson } from './json-documents.js';

/** One entry of `users` in `validate --json`. */
export function validateUserJson(user: DesiredState, view: PhoneView): ValidateUserJson {
  const phone = (value: string | null): string | null => (value === null ? null : view.phone(value));
  return {
    username: user.username,
    upn: user.upn,
    line: user.line,
    status: user.status,
    phones: {
      mobile: phone(user.phones.mobile),
      alternateMobile: phone(user.phones.alternateMobile),
      office: phone(user.phones.office),
    },
    defaultMethod: user.defaultMethod,
    devices: user.devices.map((device) => ({ name: device.name, status: device.status })),
    hardwareTokens: user.hardwareTokens.map((token) => ({ serialNumber: token.serialNumber })),
    issues: user.issues.map((issue) => findingJson(issue, view)),
  };
}

/** A finding as every `--json` document shows it, its message masked unless `view` is unmasked. */
export function findingJson(issue: Finding, view: PhoneView): FindingJson {
  return { code: issue.code, severity: issue.severity, file: issue.file, line: issue.line, message: view.text(issue.message) };
}

/** `validate --json` around its users (spooled as they are decided). */
export function validateDocument(result: ValidateResult, view: PhoneView): SpooledDocument<ValidateDocument, 'users', 'summary'> {
  const { summary } = result;
  return {
    head: { summary: { users: summary.users, ready: summary.ready, skipped: summary.skipped, rejected: summary.rejected, issues: summary.issues } },
    key: 'users',
    tail: { fileIssues: result.fileIssues.map((issue) => findingJson(issue, view)) },
  };
}

/** The options validate ran with, shown in its report. Never secrets (validate has none). */
export function validateRunOptions(options: SourceOptions): JsonObject {
  return {
    users: options.users,
    devices: options.devices ?? null,
    tokens: options.tokens ?? null,
    encoding: options.encoding,
    delimiter: options.delimiter,
    columns: options.columns ?? null,
    defaultCountryCode: options.defaultCountryCode,
    upnSuffix: options.upnSuffix ?? null,
    includeDisabled: options.includeDisabled,
    tokenSecretEncoding: options.tokenSecretEncoding,
    hardwareTokens: options.hardwareTokens,
  };
}

/** Where a command's reports went, one line on stderr. */
export function reportsLine(reports: Pick<WrittenReports, 'html' | 'xlsx'>, unmask: boolean): string {
  return `Reports (phone numbers ${unmask ? 'in full: handle them as confidential' : 'masked'}): ${reports.html} (for Excel: ${reports.xlsx})\n`;
}

/**
 * Both writes of one user (the --json spool and the reports) as one promise to await, or
 * undefined when neither waits. Called for every user: it allocates nothing unless one waits.
 */
export function whenWritten(first: Promise<void> | undefined, second: Promise<void> | undefined): Promise<void> | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return Promise.all([first, second]).then(() => undefined);
}

/** How many individual issues the human summary lists before pointing to --json. */
export const FIRST_ISSUES_SHOWN = 10;

/**
 * Keeps the first few issues for the human summary while the users stream past, so the summary
 * never needs all users in memory.
 */
export class FirstIssues {
  readonly #kept: Finding[] = [];

  add(issues: readonly Finding[]): void {
    for (const issue of issues) {
      if (this.#kept.length >= FIRST_ISSUES_SHOWN) return;
      if (issue.severity !== 'notice') this.#kept.push(issue);
    }
  }

  get issues(): readonly Finding[] {
    return this.#kept;
  }
}

export function validateSummaryText(
  summary: ValidateSummary,
  firstIssues: readonly Finding[],
  fileIssues: readonly Finding[],
  context: { readonly usersFile: string; readonly seconds: number; readonly view: PhoneView },
): string {
  const out: string[] = [];
  out.push(`Validated ${summary.users} users from ${context.usersFile} in ${context.seconds.toFixed(1)} s.`);
  out.push(`  ready ${summary.ready}   skipped ${summary.skipped}   rejected ${summary.rejected}`);
  const codes = (Object.entries(summary.issues) as [FindingCode, number][]).sort(
    ([a, countA], [b, countB]) => severityRank(a) - severityRank(b) || countB - countA || a.localeCompare(b),
  );
  if (codes.length > 0) {
    out.push('', 'Issues by code:');
    const width = Math.max(...codes.map(([code]) => code.length));
    for (const [code, count] of codes) {
      out.push(`  ${code.padEnd(width)}  ${FINDINGS[code].severity.padEnd(7)} ${String(count).padStart(7)}  ${FINDINGS[code].cause}`);
    }
  }
  const shown = [...fileIssues.filter((issue) => issue.severity !== 'notice'), ...firstIssues].slice(0, FIRST_ISSUES_SHOWN);
  if (shown.length > 0) {
    out.push('', 'First issues:');
    for (const issue of shown) out.push(`  ${issue.file}:${issue.line} ${issue.code} ${context.view.text(issue.message)}`);
    const total = codes.reduce((sum, [code, count]) => sum + (FINDINGS[code].severity === 'notice' ? 0 : count), 0);
    if (total > shown.length) out.push(`  … ${total - shown.length} more: run with --json for every issue.`);
  }
  const notices = fileIssues.filter((issue) => issue.severity === 'notice');
  if (notices.length > 0) {
    out.push('', 'Notices:');
    for (const notice of notices.slice(0, FIRST_ISSUES_SHOWN)) out.push(`  ${notice.file}:${notice.line} ${context.view.text(notice.message)}`);
  }
  if ((summary.issues.PIN_MODE_NOT_MIGRATED ?? 0) > 0) {
    out.push(
      '',
      `${summary.issues.PIN_MODE_NOT_MIGRATED ?? 0} users used a PIN mode. Entra has no per-user PIN: turn on number matching and additional context in Entra admin center > Protection > Authentication methods > Policies > Microsoft Authenticator instead.`,
    );
  }
  return `${out.join('\n')}\n`;
}

function severityRank(code: FindingCode): number {
  const severity = FINDINGS[code].severity;
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}
