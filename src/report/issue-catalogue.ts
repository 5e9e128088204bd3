/**
 * What the reports say about each issue code: the findings catalogue (src/findings.ts) plus the
 * codes the reports give to operations that did not end `done`, and which codes need someone to
 * act (the rows of issues.csv).
 */
import { FINDINGS, type FindingCode, type Severity } from '../findings.js';

export interface IssueCatalogueEntry {
  readonly severity: Severity;
  readonly cause: string;
  readonly remedy: string;
}

/**
 * Operations that did not end as planned, reported beside the findings. Conflicts are not here:
 * the diff already reported them as PHONE_CONFLICT or TOKEN_ASSIGNED_ELSEWHERE.
 */
export const OPERATION_ISSUES = {
  OPERATION_FAILED: {
    severity: 'error',
    cause: 'Graph refused the write, or kept failing until the retries ran out; the message holds Graph\'s error code and the row its request-id.',
    remedy: 'Look up the Graph code in docs/troubleshooting.md, fix the cause, then run apply again (done operations are not sent again). If Graph\'s answer is unclear, give the request-id to Microsoft support.',
  },
  OPERATION_SKIPPED: {
    severity: 'warning',
    cause: 'apply did not send the write: an earlier write for the same user failed, or this version of apply does not send this kind of write (the message says which).',
    remedy: 'Fix the user\'s failed write first (its own row) and run apply again; for a kind apply does not send, make the change by hand in Entra.',
  },
  OPERATION_UNCONFIRMED: {
    severity: 'warning',
    cause: 'The write was sent, but the run stopped before Graph\'s answer was recorded, so whether Entra holds it is not known.',
    remedy: 'Run apply again: it reads the user\'s methods before anything is sent again and sends only what is missing.',
  },
  OPERATION_PENDING: {
    severity: 'warning',
    cause: 'The run stopped (or is still running) before this write was sent.',
    remedy: 'Run apply again to resume the run: nothing that was done is sent twice.',
  },
} as const satisfies Record<string, IssueCatalogueEntry>;

export type OperationIssueCode = keyof typeof OPERATION_ISSUES;
export type ReportIssueCode = FindingCode | OperationIssueCode;

/** Every code a report can show, with its catalogue entry: findings first, in catalogue order. */
export const ISSUE_CATALOGUE: Readonly<Record<ReportIssueCode, IssueCatalogueEntry>> = { ...FINDINGS, ...OPERATION_ISSUES };

/**
 * Whether an occurrence of the code needs someone to act (a row in issues.csv). Every error does.
 * A warning does when its remedy is a task (fix the export, ask for an opt-in, re-register a
 * device); not when the tool already did the right thing and the remedy is "none needed" or a
 * tenant-wide setting the summary already names (PIN modes). Notices never do.
 */
export const ACTION_NEEDED: Readonly<Record<ReportIssueCode, boolean>> = {
  PHONE_INVALID: true,
  PHONE_EXCEL_DAMAGED: true,
  EXTENSION_UNSUPPORTED: true,
  EXTENSION_DROPPED: false,
  BACKUP_PHONE_SKIPPED: true,
  BACKUP_PROMOTED_TO_MOBILE: false,
  DUPLICATE_PHONE: false,
  PHONE_REGION_OPT_IN: true,
  DEFAULT_METHOD_FALLBACK: false,
  METHOD_DISABLED_BY_POLICY: true,
  PIN_MODE_NOT_MIGRATED: false,
  USER_DISABLED: false,
  DEVICE_LIMIT: true,
  DEVICE_REREGISTRATION_REQUIRED: true,
  ORPHAN_DEVICE: true,
  TOKEN_SEED_MISSING: true,
  TOKEN_SEED_INVALID: true,
  TOKEN_SERIAL_CONFLICT: true,
  TOKEN_UNCLAIMED: false,
  USERNAME_UNRESOLVABLE: true,
  USER_NOT_FOUND: true,
  USER_AMBIGUOUS: true,
  USER_READ_FAILED: true,
  DUPLICATE_USER: true,
  ROW_INVALID: true,
  NOTHING_TO_MIGRATE: true,
  PHONE_CONFLICT: true,
  PHONE_REPLACED: false,
  PHONE_UPDATED: false,
  PHONE_MASKED_UNVERIFIED: false,
  ALTERNATE_MOBILE_NEEDS_MOBILE: true,
  PREFERRED_METHOD_KEPT: false,
  PREFERRED_METHOD_UPDATED: false,
  PREFERRED_METHOD_UNREAD: true,
  POLICY_GROUP_NOT_FOUND: false,
  TOKEN_ASSIGNED_ELSEWHERE: true,
  METHOD_DRIFTED: true,
  METHOD_MISSING: true,
  VALUE_UNKNOWN: true,
  DATE_INVALID: false,
  BYTES_UNDECODABLE: true,
  COLUMN_COUNT: true,
  UNKNOWN_COLUMNS: false,
  LANGUAGE_NOT_MIGRATED: false,
  FILE_FORMAT_DETECTED: false,
  FILE_EMPTY: true,
  OPERATION_FAILED: true,
  OPERATION_SKIPPED: true,
  OPERATION_UNCONFIRMED: true,
  OPERATION_PENDING: true,
};

/** The codes in catalogue order: the reports number them by this list. */
export const ISSUE_CODES = Object.keys(ISSUE_CATALOGUE) as readonly ReportIssueCode[];
