/**
 * The `--json` documents, described once: the render modules build values of the types inferred
 * here, and `schemas/<command>.schema.json` is written from the same descriptions (a test fails
 * when a committed schema differs; `npm run generate` rewrites them). Renaming or retyping a field
 * is therefore a compile error in the builder and a visible diff in `schemas/`.
 *
 * Every object is closed and every field is present: what may be unknown is `null`, never left
 * out. Counts keyed by a status or code leave out the keys nobody has.
 */
import { ERRORS, type ErrorCode } from '../../error-catalogue.js';
import { FINDING_CODES, SEVERITIES } from '../../findings.js';
import { INPUT_ROLES, RUN_COMMANDS, RUN_STATUSES } from '../../run-records.js';
import { FINAL_USER_STATUSES } from '../../user-status.js';
import {
  array,
  boolean,
  constant,
  described,
  documentSchema,
  enumOf,
  integer,
  mapOf,
  nullable,
  object,
  optional,
  recordOf,
  string,
  union,
  type Infer,
  type JsonSchema,
  type Shape,
} from '../../json-schema/shape.js';
import { DEFAULT_METHOD_STRENGTH, PHONE_TYPES, USER_STATUSES, type DesiredDevice } from '../../mapping/desired-state.js';
import type { ApplyResult } from '../../migrate/apply.js';
import { MATCH_ATTRIBUTES } from '../../plan/entra-state.js';
import { OPERATION_KINDS, OPERATION_STATUSES, PLAN_STATUSES, type HardwareTokenOperation, type PhoneOperation } from '../../plan/operations.js';
import { everyMember } from '../../union-members.js';

const count = (description?: string) => integer({ minimum: 0, ...(description === undefined ? {} : { description }) });
const text = (description?: string) => string(description === undefined ? {} : { description });
const runId = (description: string) => string({ pattern: '^\\d{8}-\\d{6}-[0-9a-f]{4}$', description });
const line = integer({ minimum: 1, description: 'Line of the users file the user was read from (the header is line 1).' });
const dateTime = (description: string) => string({ format: 'date-time', description });

const severity = enumOf(SEVERITIES);
const findingCode = enumOf(FINDING_CODES, { description: 'A finding code of docs/troubleshooting.md.' });
const findingCounts = mapOf(FINDING_CODES, count(), { description: 'Occurrences by finding code; codes that did not occur are left out.' });
const phoneType = enumOf(PHONE_TYPES);
const defaultMethod = enumOf(DEFAULT_METHOD_STRENGTH);
const planStatus = enumOf(PLAN_STATUSES);
const finalStatus = enumOf(FINAL_USER_STATUSES);
const operationStatus = enumOf(OPERATION_STATUSES);

const finding = object({
  code: findingCode,
  severity,
  file: text('The export file, as named on the command line.'),
  line: integer({ minimum: 0, description: 'Line in that file; 0 for a finding about the whole file.' }),
  message: text('What happened, to what, and what to do next. Never a secret; phone numbers in it are masked unless --unmask.'),
});

const phones = object(
  {
    mobile: nullable(text()),
    alternateMobile: nullable(text()),
    office: nullable(text()),
  },
  { description: 'The numbers to hold, as Graph wants them ("+1 4255550100", "+1 4255550101x123"), masked as the reports mask them ("+1 ••••••0100", "+1 ••••••0101x•••") unless --unmask.' },
);

const hardwareTokens = array(object({ serialNumber: text() }), { description: 'Hardware OATH tokens planned for the user (never their seeds).' });

const DEVICE_STATUSES = everyMember<DesiredDevice['status']>()('kept', 'dropped');
const DEVICE_REGISTRATIONS = everyMember<DesiredDevice['registration']>()('unknown', 'present', 'reregistrationRequired');

// --- validate

const validateUser = object({
  username: text('As in the export.'),
  upn: nullable(text('The resolved UPN; null when the username cannot be resolved.')),
  line,
  status: enumOf(USER_STATUSES),
  phones,
  defaultMethod: nullable(defaultMethod),
  devices: array(object({ name: text(), status: enumOf(DEVICE_STATUSES) })),
  hardwareTokens,
  issues: array(finding),
});

export const validateDocument = object({
  summary: object({
    users: count(),
    ready: count(),
    skipped: count(),
    rejected: count(),
    issues: findingCounts,
  }),
  users: array(validateUser),
  fileIssues: array(finding, { description: 'Findings about a whole file, or rows that belong to no user (orphan devices, unclaimed seeds).' }),
});

// --- plan and apply

const entraState = object(
  {
    user: object({
      id: text(),
      userPrincipalName: text(),
      displayName: nullable(text()),
      accountEnabled: nullable(boolean()),
      matchedBy: enumOf(MATCH_ATTRIBUTES),
    }),
    phones: array(object({ id: text(), phoneType, phoneNumber: text('As Graph returned it (which masks numbers for delegated admins), then masked unless --unmask.'), smsSignInState: nullable(text()) })),
    authenticators: array(object({ id: text(), displayName: nullable(text()), deviceTag: nullable(text()), phoneAppVersion: nullable(text()), createdDateTime: nullable(text()) })),
    softwareOath: array(object({ id: text() })),
    hardwareOath: array(object({ id: text(), serialNumber: nullable(text()), status: nullable(text()) })),
    signInPreferences: nullable(
      object({ userPreferredMethodForSecondaryAuthentication: nullable(text()), isSystemPreferredAuthenticationMethodEnabled: nullable(boolean()) }),
    ),
  },
  { description: 'What Entra held when the run read the user.' },
);

const PHONE_OPERATION_KINDS = everyMember<PhoneOperation['kind']>()('createPhone', 'updatePhone', 'phoneConflict', 'deletePhone');
const HARDWARE_TOKEN_OPERATION_KINDS = everyMember<HardwareTokenOperation['kind']>()(
  'createHardwareToken', 'assignHardwareToken', 'activateHardwareToken', 'hardwareTokenConflict', 'unassignHardwareToken', 'deactivateHardwareToken', 'deleteHardwareToken',
);

const phoneOperationFields = {
  kind: enumOf(PHONE_OPERATION_KINDS),
  target: phoneType,
  status: operationStatus,
  phoneNumber: text(),
  previousPhoneNumber: nullable(text('What Entra held (as read: maybe masked); null for createPhone.')),
};
const preferredMethodOperationFields = {
  kind: constant('setPreferredMethod'),
  target: defaultMethod,
  status: operationStatus,
  previous: nullable(text('The default method Entra held.')),
};
const hardwareTokenOperationFields = {
  kind: enumOf(HARDWARE_TOKEN_OPERATION_KINDS),
  target: text('The token serial number.'),
  status: operationStatus,
  deviceId: nullable(text('The inventory device id; null until the token is created.')),
};

/** The three kinds of operation, each with `extra` fields. */
function operationOf<const E extends Readonly<Record<string, Shape<unknown>>>>(extra: E) {
  return union([
    object({ ...phoneOperationFields, ...extra }),
    object({ ...preferredMethodOperationFields, ...extra }),
    object({ ...hardwareTokenOperationFields, ...extra }),
  ]);
}

const plannedOperation = operationOf({});

const planUserFields = {
  username: text('As in the export.'),
  upn: nullable(text()),
  line,
  status: planStatus,
  mappingStatus: described(enumOf(USER_STATUSES), { description: "validate's status for the same row." }),
  entraUserId: nullable(text()),
  matchedBy: nullable(enumOf(MATCH_ATTRIBUTES)),
  phones,
  defaultMethod: nullable(defaultMethod),
  devices: array(object({ name: text(), status: enumOf(DEVICE_STATUSES), registration: enumOf(DEVICE_REGISTRATIONS) })),
  hardwareTokens,
  before: nullable(entraState),
  operations: array(plannedOperation),
  issues: array(finding),
};

const planUser = object(planUserFields);

export const planDocument = object({
  runId: runId('The plan run, for `apply --plan`.'),
  summary: object({
    users: count(),
    byStatus: recordOf(PLAN_STATUSES, count()),
    outOfScope: count('Users of the export outside --group / --only, not recorded.'),
    operations: mapOf(OPERATION_KINDS, count(), { description: 'Operations to send, by kind.' }),
    issues: findingCounts,
  }),
  users: array(planUser),
  fileIssues: array(finding),
});

const runSummaryFields = {
  users: count(),
  usersByPlanStatus: mapOf(PLAN_STATUSES, count()),
  usersByFinalStatus: mapOf(FINAL_USER_STATUSES, count(), { description: 'Users without a final status yet are not counted.' }),
  operations: count(),
  operationsByKind: mapOf(OPERATION_KINDS, mapOf(OPERATION_STATUSES, count()), { description: 'kind → status → count.' }),
  issues: findingCounts,
};

const writeCounts = object({ done: count(), failed: count(), skipped: count() });

const appliedOperation = operationOf({
  attempts: count('How often the operation was sent (retries and resumes included).'),
  requestId: nullable(text("Graph's request-id of the last answer, for Microsoft support.")),
  graphCode: nullable(text("Graph's error code.")),
  error: nullable(text()),
});

const applyUser = object({
  ...planUserFields,
  status: described(enumOf([...FINAL_USER_STATUSES, ...PLAN_STATUSES.filter((status) => !(FINAL_USER_STATUSES as readonly string[]).includes(status))]), {
    description: 'The final status, or the plan status while the user has none.',
  }),
  planStatus,
  operations: array(appliedOperation),
});

const APPLY_STARTS = everyMember<ApplyResult['start']>()('resumed', 'stored-plan', 'planned');

export const applyDocument = object({
  runId: runId('The apply run.'),
  planRunId: runId('The plan it executed.'),
  start: enumOf(APPLY_STARTS, { description: 'Resumed an unfinished apply, executed a stored plan, or planned first.' }),
  summary: object({
    ...runSummaryFields,
    operationsThisCall: writeCounts,
    reconciled: object(
      { done: count(), replanned: count() },
      { description: 'Writes left in doubt by an interruption: found applied in Entra, or sent again.' },
    ),
  }),
  users: array(applyUser),
  fileIssues: array(finding),
});

// --- sync

export const syncDocument = object({
  runId: runId('The sync run of this cycle.'),
  resumedRunId: nullable(runId('An interrupted sync run this call finished before its own cycle; null for none.')),
  summary: object({
    ...runSummaryFields,
    sync: object(
      {
        inExport: count('Users of the users file with a username of their own.'),
        unchanged: count('Unchanged since the last apply or sync and final then: neither read from Graph nor recorded.'),
        new: count('No apply or sync recorded them yet (new in the export, or new to --group).'),
        changed: count('Their mapped desired state, users-file row or deciding options changed.'),
        retried: count('Their last status was not final: failed, partial, unmatched or conflict.'),
        rechecked: count('Unchanged, but last read from Entra longer ago than --recheck-after.'),
        outOfScope: count('Outside --group or --only.'),
      },
      { description: 'How the cycle chose whom to read: only new, changed, retried and rechecked users are read from Graph and recorded.' },
    ),
    operationsThisCycle: writeCounts,
    reconciled: object(
      { done: count(), replanned: count() },
      { description: 'Writes left in doubt by an interruption: found applied in Entra, or sent again.' },
    ),
  }),
  left: array(
    object({
      username: text('As the last run that recorded them had it.'),
      upn: nullable(text()),
      entraUserId: nullable(text()),
      lastRunId: runId('The apply or sync run that recorded them last.'),
    }),
    { description: 'Users of earlier runs no longer in the export, listed by the first cycle that misses them; never touched.' },
  ),
  users: array(applyUser, { description: 'The users this cycle recorded (read, diffed and written), with their final status.' }),
  fileIssues: array(finding),
  nextRunAt: nullable(dateTime('With --every, when the next cycle starts (ISO 8601, UTC); null otherwise.')),
});

// --- status

export const statusDocument = object({
  run: object({
    id: runId('The run.'),
    command: enumOf(RUN_COMMANDS),
    status: enumOf(RUN_STATUSES, { description: 'As status reads it now: a run recorded `running` whose process is gone from this host is `interrupted`.' }),
    recordedStatus: enumOf(RUN_STATUSES, { description: 'As the journal recorded it.' }),
    parentRunId: nullable(runId('The plan an apply executed, or the run a verify or rollback is about.')),
    startedAt: dateTime('ISO 8601, UTC.'),
    finishedAt: nullable(dateTime('ISO 8601, UTC.')),
    graphUrl: nullable(text()),
    tenantId: nullable(text()),
    inputs: array(
      object({
        role: enumOf(INPUT_ROLES),
        path: text('As named on the command line.'),
        size: count('Bytes.'),
        mtime: text('Modification time when the run read it (informational).'),
        sha256: string({ pattern: '^[0-9a-f]{64}$' }),
      }),
    ),
    writer: nullable(object({ pid: count(), host: text() }), { description: 'The process that wrote the run, when the journal recorded it.' }),
    writerGone: boolean({ description: 'True when the run is recorded `running` but its process no longer runs on this host.' }),
  }),
  resumeCommand: nullable(text('The command line that resumes the run, as it was started; null when there is nothing to resume.')),
  users: object({ total: count(), byPlanStatus: mapOf(PLAN_STATUSES, count()), byFinalStatus: mapOf(FINAL_USER_STATUSES, count()) }),
  operations: object({
    total: count(),
    done: count(),
    failed: count(),
    skipped: count(),
    conflict: count(),
    remaining: count('Planned, or sent with no answer recorded yet.'),
    byKind: mapOf(OPERATION_KINDS, mapOf(OPERATION_STATUSES, count())),
  }),
  writesPerMinute: nullable(count('Over the last minutes; null when no write was answered.')),
  secondsLeft: nullable(count('At that rate; null when nothing is left or no rate is known.')),
  issues: findingCounts,
  rollbacks: array(object({ id: runId('A rollback run of this run.'), status: enumOf(RUN_STATUSES) })),
});

// --- verify

export const verifyDocument = object({
  runId: runId('The verify run.'),
  verifiedRunId: runId('The apply or sync run verified, or the plan run `verify --users` made.'),
  summary: object({
    usersByStatus: mapOf(FINAL_USER_STATUSES, count()),
    drifted: count('Users whose methods are no longer what the migration left.'),
    checked: count('Users read from Entra.'),
  }),
  users: array(
    object({
      username: text(),
      upn: nullable(text()),
      line,
      entraUserId: nullable(text()),
      status: nullable(finalStatus),
      issues: array(finding, { description: 'METHOD_DRIFTED and METHOD_MISSING findings.' }),
    }),
  ),
});

// --- report

export const reportDocument = object({
  runId: runId('The run reported.'),
  phoneNumbers: enumOf(['masked', 'unmasked']),
  reports: object({
    dir: text('The folder holding the five files: <reports>/<run>, or <reports>/<run>-unmasked with --unmask.'),
    html: text(),
    xlsx: text('reconciliation.xlsx: users, issues and writes as Excel opens them.'),
    reconciliationCsv: text(),
    reconciliationJson: text('Its format: schemas/reconciliation.schema.json.'),
    issuesCsv: text(),
  }),
  users: count(),
  usersNeedingAction: count('Users someone must act on: an admin, the user, or both.'),
  usersAdminMustAct: count('Users with an issue an admin must act on.'),
  usersUserMustAct: count('Users with an issue only they can act on (register Authenticator again, register a method).'),
  issueRows: count('Rows of issues.csv.'),
});

// --- rollback

const keptOperation = operationOf({ reason: text('Why the change stays: Graph cannot undo it, or Entra changed since.') });

export const rollbackDocument = object({
  applyRunId: runId('The apply or sync run undone.'),
  runId: nullable(runId('The rollback run; null for the dry run.')),
  executed: boolean({ description: 'False for the dry run (nothing was written).' }),
  resumed: boolean(),
  operations: writeCounts,
  usersByFinalStatus: mapOf(FINAL_USER_STATUSES, count(), { description: '"migrated" here means restored.' }),
  users: array(
    object({
      line,
      username: text(),
      upn: nullable(text()),
      steps: array(plannedOperation, { description: 'The undo, as decided against Entra now.' }),
      kept: array(keptOperation),
    }),
  ),
});

// --- demo

export const demoDocument = object({
  applyRunId: runId('The apply run of the demo.'),
  verifyRunId: runId('Its verify run.'),
  usersByFinalStatus: mapOf(FINAL_USER_STATUSES, count()),
  drifted: count(),
  journal: text(),
  report: text('report.html of the apply run.'),
  verifyReport: text('report.html of the verify run.'),
});

// --- any command that fails

export const errorDocument = object({
  error: object({
    code: enumOf(Object.keys(ERRORS) as ErrorCode[], { description: 'A code of docs/troubleshooting.md (USAGE for a command-line mistake).' }),
    message: text(),
    exitCode: integer({ minimum: 1, description: 'The exit code the command ends with.' }),
    remedy: text('What to do next.'),
    file: optional(text()),
    line: optional(integer({ minimum: 0 })),
    graphCode: optional(text()),
    requestId: optional(text()),
  }),
});

export type FindingJson = Infer<typeof finding>;
export type ValidateDocument = Infer<typeof validateDocument>;
export type ValidateUserJson = Infer<typeof validateUser>;
export type PlanDocument = Infer<typeof planDocument>;
export type PlanUserJson = Infer<typeof planUser>;
export type PlannedOperationJson = Infer<typeof plannedOperation>;
export type ApplyDocument = Infer<typeof applyDocument>;
export type ApplyUserJson = Infer<typeof applyUser>;
export type AppliedOperationJson = Infer<typeof appliedOperation>;
export type SyncDocument = Infer<typeof syncDocument>;
export type StatusDocument = Infer<typeof statusDocument>;
export type VerifyDocument = Infer<typeof verifyDocument>;
export type ReportDocument = Infer<typeof reportDocument>;
export type RollbackDocument = Infer<typeof rollbackDocument>;
export type DemoDocument = Infer<typeof demoDocument>;
export type ErrorDocument = Infer<typeof errorDocument>;

/** Each document's schema as written to `schemas/<name>.schema.json`, by the command that prints it. */
export const JSON_DOCUMENT_SCHEMAS = {
  validate: documentSchema('validate', validateDocument, { title: 'mfa-migrate validate --json', description: 'What the exports say, user by user, decided offline.' }),
  plan: documentSchema('plan', planDocument, { title: 'mfa-migrate plan --json', description: 'The dry run: what Entra holds for each user and every write apply would make.' }),
  apply: documentSchema('apply', applyDocument, { title: 'mfa-migrate apply --json', description: 'What apply wrote, user by user, with Graph\'s answer to every write.' }),
  sync: documentSchema('sync', syncDocument, { title: 'mfa-migrate sync --json', description: 'One sync cycle: whom it chose to read and why, what it wrote, who left the export. With --every, one document per cycle.' }),
  status: documentSchema('status', statusDocument, { title: 'mfa-migrate status --json', description: 'Progress of a run from the journal.' }),
  verify: documentSchema('verify', verifyDocument, { title: 'mfa-migrate verify --json', description: 'What Entra holds now against what the migration left or the exports ask for.' }),
  report: documentSchema('report', reportDocument, { title: 'mfa-migrate report --json', description: 'Where the reports of a run were written, and how many users need action.' }),
  rollback: documentSchema('rollback', rollbackDocument, { title: 'mfa-migrate rollback --json', description: 'The undo of an apply run or sync cycle: decided (dry run) or sent (--execute).' }),
  demo: documentSchema('demo', demoDocument, { title: 'mfa-migrate demo --json', description: 'The runs and reports of the demo on the bundled emulator.' }),
  error: documentSchema('error', errorDocument, { title: 'mfa-migrate error (--json)', description: 'What any command prints on stdout with --json when it fails, instead of its document.' }),
} as const satisfies Record<string, JsonSchema>;

export type JsonDocumentName = keyof typeof JSON_DOCUMENT_SCHEMAS;
