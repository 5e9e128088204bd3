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

/**
 * A rollback run's undo steps that did not end `done`. A rollback report shows only these: the
 * findings of the migration it undoes are that migration's report's business.
 */
export const UNDO_ISSUES = {
  UNDO_KEPT: {
    severity: 'warning',
    cause: 'rollback left a change of the apply run in place: Entra changed it since the run (no longer ours to undo), or Graph cannot undo it (a default sign-in method cannot be unset, the phone that is the default cannot be deleted, a number read masked cannot be put back). The message gives the reason.',
    remedy: 'Where Entra changed since the run, nothing to do. Otherwise decide with the user whether to change it by hand in Entra (Users > Authentication methods): have them choose another default first, then delete the number.',
  },
  UNDO_FAILED: {
    severity: 'error',
    cause: 'Graph refused an undo step, or kept failing until the retries ran out; the message holds Graph\'s error code and the row its request-id.',
    remedy: 'Look up the Graph code in docs/troubleshooting.md, fix the cause, then run the same rollback with --execute again: it resumes and sends only what is not undone yet. If Graph\'s answer is unclear, give the request-id to Microsoft support.',
  },
  UNDO_PENDING: {
    severity: 'warning',
    cause: 'The rollback stopped before this undo step was sent, or before Graph\'s answer to it was recorded.',
    remedy: 'Run the same rollback with --execute again: it checks in Entra what was sent, then sends only what is missing.',
  },
} as const satisfies Record<string, IssueCatalogueEntry>;

export type OperationIssueCode = keyof typeof OPERATION_ISSUES | keyof typeof UNDO_ISSUES;
export type ReportIssueCode = FindingCode | OperationIssueCode;

/** Every code a report can show, with its catalogue entry: findings first, in catalogue order. */
export const ISSUE_CATALOGUE: Readonly<Record<ReportIssueCode, IssueCatalogueEntry>> = { ...FINDINGS, ...OPERATION_ISSUES, ...UNDO_ISSUES };

/** Who must act on an occurrence of a code: an admin (fix an export, a tenant setting, a failed write) or the user themself. */
export type WhoMustAct = 'admin' | 'user';

/**
 * Who must act on an occurrence of the code — a row of issues.csv — or null when nobody must.
 * Every error needs someone. A warning does when its remedy is a task (fix the export, ask for an
 * opt-in, re-register a device); not when the tool already did the right thing and the remedy is
 * "none needed" or a tenant-wide setting the summary already names (PIN modes). Notices never do.
 *
 * `user`: only the user can do it, at https://aka.ms/mysecurityinfo — register Microsoft
 * Authenticator again (Graph cannot create its registrations: microsoftauthenticatorauthenticationmethod.md
 * lists no create), or register any method at all. Admins hand these users a Temporary Access Pass
 * and a date, not a fix; counting them with the admin's work made "need action" meaningless.
 */
export const WHO_MUST_ACT: Readonly<Record<ReportIssueCode, WhoMustAct | null>> = {
  PHONE_INVALID: 'admin',
  PHONE_EXCEL_DAMAGED: 'admin',
  EXTENSION_UNSUPPORTED: 'admin',
  EXTENSION_DROPPED: null,
  BACKUP_PHONE_SKIPPED: 'admin',
  BACKUP_PROMOTED_TO_MOBILE: null,
  DUPLICATE_PHONE: null,
  PHONE_REGION_OPT_IN: 'admin',
  DEFAULT_METHOD_FALLBACK: null,
  METHOD_DISABLED_BY_POLICY: 'admin',
  PIN_MODE_NOT_MIGRATED: null,
  USER_DISABLED: null,
  DEVICE_LIMIT: 'user',
  DEVICE_REREGISTRATION_REQUIRED: 'user',
  ORPHAN_DEVICE: 'admin',
  TOKEN_SEED_MISSING: 'admin',
  TOKEN_SEED_INVALID: 'admin',
  TOKEN_SERIAL_CONFLICT: 'admin',
  TOKEN_UNCLAIMED: null,
  USERNAME_UNRESOLVABLE: 'admin',
  USER_NOT_FOUND: 'admin',
  USER_AMBIGUOUS: 'admin',
  USER_READ_FAILED: 'admin',
  DUPLICATE_USER: 'admin',
  ROW_INVALID: 'admin',
  NOTHING_TO_MIGRATE: 'user',
  PHONE_CONFLICT: 'admin',
  PHONE_REPLACED: null,
  PHONE_UPDATED: null,
  PHONE_MASKED_UNVERIFIED: null,
  ALTERNATE_MOBILE_NEEDS_MOBILE: 'admin',
  PREFERRED_METHOD_KEPT: null,
  PREFERRED_METHOD_UPDATED: null,
  PREFERRED_METHOD_UNREAD: 'admin',
  POLICY_GROUP_NOT_FOUND: null,
  TOKEN_ASSIGNED_ELSEWHERE: 'admin',
  METHOD_DRIFTED: 'admin',
  METHOD_MISSING: 'admin',
  VALUE_UNKNOWN: 'admin',
  DATE_INVALID: null,
  BYTES_UNDECODABLE: 'admin',
  COLUMN_COUNT: 'admin',
  UNKNOWN_COLUMNS: null,
  LANGUAGE_NOT_MIGRATED: null,
  FILE_FORMAT_DETECTED: null,
  FILE_EMPTY: 'admin',
  OPERATION_FAILED: 'admin',
  OPERATION_SKIPPED: 'admin',
  OPERATION_UNCONFIRMED: 'admin',
  OPERATION_PENDING: 'admin',
  UNDO_KEPT: 'admin',
  UNDO_FAILED: 'admin',
  UNDO_PENDING: 'admin',
};

/** Words for who must act, as the reports show them. */
export const WHO_MUST_ACT_WORDS: Readonly<Record<WhoMustAct, string>> = { admin: 'admin must act', user: 'user must act' };

/** The codes in catalogue order: the reports number them by this list. */
export const ISSUE_CODES = Object.keys(ISSUE_CATALOGUE) as readonly ReportIssueCode[];
