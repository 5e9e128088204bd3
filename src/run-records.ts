/**
 * What a run holds, as the journal stores and gives it back: runs, the users of a run with their
 * desired and before states, and the operations apply executes. Plain data read by plan (verify and
 * rollback rules), the reports and the commands, so it sits at the top of `src/` rather than in
 * journal/, which only stores it. No secret is ever part of it — a hardware token's seed is kept
 * only as a keyed hash (`seedFingerprint`).
 */
import type { Finding } from './findings.js';
import type { DefaultMethod, DesiredDevice, DesiredHardwareToken, DesiredState, UserStatus } from './mapping/desired-state.js';
import type { EntraState, MatchAttribute } from './plan/entra-state.js';
import type { Operation, PlanStatus, UserPlan } from './plan/operations.js';
import { everyMember } from './union-members.js';
import type { FinalUserStatus } from './user-status.js';

/** A JSON value as the journal stores it in its JSON columns. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export type RunCommand = 'plan' | 'apply' | 'verify' | 'rollback' | 'sync';
export const RUN_COMMANDS = everyMember<RunCommand>()('plan', 'apply', 'verify', 'rollback', 'sync');

/** Commands whose runs write to Entra what a plan decided: an apply, or a sync cycle (which plans and applies in one run). */
export type WriteRunCommand = Extract<RunCommand, 'apply' | 'sync'>;
export const WRITE_RUN_COMMANDS = everyMember<WriteRunCommand>()('apply', 'sync');

export function isWriteRun(run: Pick<RunRecord, 'command'>): run is Pick<RunRecord, 'command'> & { readonly command: WriteRunCommand } {
  return run.command === 'apply' || run.command === 'sync';
}

/** `running` also describes a run whose process died: nothing finished it. */
export type RunStatus = 'running' | 'finished' | 'interrupted' | 'failed';
export const RUN_STATUSES = everyMember<RunStatus>()('running', 'finished', 'interrupted', 'failed');

/** Which command-line input a file was given as. */
export type InputRole = 'users' | 'devices' | 'tokens' | 'columns' | 'only';
export const INPUT_ROLES = everyMember<InputRole>()('users', 'devices', 'tokens', 'columns', 'only');

/** One input file as it was when a run read it; the content hash decides whether it changed. */
export interface InputFile {
  readonly role: InputRole;
  /** As named on the command line. */
  readonly path: string;
  readonly size: number;
  /** ISO 8601 modification time; informational (a copy changes it, the content does not). */
  readonly mtime: string;
  /** Lower-case hex SHA-256 of the bytes. */
  readonly sha256: string;
}

export type InputFingerprint = readonly InputFile[];

export interface NewRun {
  readonly command: RunCommand;
  /** The plan an apply executes, or the apply a rollback undoes; null when none. */
  readonly parentRunId: string | null;
  readonly tenantId: string | null;
  readonly graphUrl: string | null;
  /** The run's options, for `status` and reports. Never secrets: a `Secret` here serialises as [REDACTED]. */
  readonly options: JsonObject;
  readonly inputs: InputFingerprint;
}

/** The process that runs (or last resumed) a run: `status` tells a run whose process is gone from one still running. */
export interface RunWriter {
  readonly pid: number;
  readonly host: string;
  /** `mfa-migrate …` as it was given: what resumes the run. Never holds secrets (they come from the environment only). */
  readonly commandLine: string | null;
}

export interface RunRecord extends NewRun {
  /** `20261128-153012-ab12`: UTC start time (sorts by start), then 4 random hex digits. */
  readonly id: string;
  readonly status: RunStatus;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** What finishRun was given; null while running. */
  readonly summary: JsonObject | null;
  /** Absent when the run was made by a journal opened without one (tests, the demo, older versions). */
  readonly writer?: RunWriter;
}

export interface RunFilter {
  readonly command?: RunCommand | readonly RunCommand[];
  readonly status?: RunStatus | readonly RunStatus[];
  readonly parentRunId?: string;
  /** Only runs that recorded at least one user. */
  readonly withUsers?: boolean;
}

/** A hardware token as stored: the seed replaced by its keyed hash. */
export type StoredHardwareToken = Omit<DesiredHardwareToken, 'secretKey'> & {
  /** HMAC-SHA256 of the seed with this journal's key (Journal.seedFingerprint), lower-case hex. */
  readonly seedFingerprint: string;
};

/** DesiredState without secrets; the user's findings are stored once, in StoredUser.issues. */
export type StoredDesiredState = Omit<DesiredState, 'hardwareTokens' | 'issues'> & {
  readonly hardwareTokens: readonly StoredHardwareToken[];
};

/** What the diff decided beyond its operations (UserPlan without status, operations and issues). */
export interface StoredPlanDecisions {
  readonly defaultMethod: DefaultMethod | null;
  readonly devices: readonly DesiredDevice[];
}

/** A user whose mapping or matching stopped before a diff: only the status is known. */
export interface MappingOnlyOutcome {
  readonly status: PlanStatus;
}

/** How sync finds a user in the next export, and what the export said of them (docs/design.md "sync command"). */
export interface SyncIdentity {
  /** The R15 key: the resolved UPN in lower case, else the raw username. */
  readonly key: string;
  /** SHA-256 of the mapped desired state, the users-file row and the options that decide the diff (seeds as keyed hashes). */
  readonly fingerprint: string;
}

/** One user as plan (or apply without a stored plan) records it. */
export interface UserRecord {
  /** Null for a row that repeats an earlier username (R15) or has none: sync never compares those. */
  readonly sync?: SyncIdentity | null;
  readonly desired: DesiredState;
  /** What Entra held when the run read it; null when the user was not matched or not read. */
  readonly before: EntraState | null;
  readonly plan: UserPlan | MappingOnlyOutcome;
  /** Every finding about the user: mapping's and the diff's. */
  readonly issues: readonly Finding[];
}

export interface StoredUser {
  readonly id: number;
  readonly runId: string;
  /** The users file line: unique within a run. */
  readonly line: number;
  readonly username: string;
  readonly upn: string | null;
  readonly entraUserId: string | null;
  readonly matchedBy: MatchAttribute | null;
  readonly mappingStatus: UserStatus;
  readonly planStatus: PlanStatus;
  /** Set by apply or verify; null before. */
  readonly finalStatus: FinalUserStatus | null;
  readonly desired: StoredDesiredState;
  /** null when no diff was made (MappingOnlyOutcome). */
  readonly plan: StoredPlanDecisions | null;
  readonly before: EntraState | null;
  readonly issues: readonly Finding[];
  /** In execution order. */
  readonly operations: readonly StoredOperation[];
  readonly updatedAt: Date;
}

/** What Graph answered to a write that rollback needs, e.g. the id of a created resource. */
export interface OperationResult {
  readonly resourceId: string | null;
}

/** Execution state of one operation. */
export interface OperationProgress {
  readonly id: number;
  readonly runId: string;
  readonly userId: number;
  /** 1-based order within the user: apply sends a user's operations in this order. */
  readonly seq: number;
  /** How often the operation was marked sent (retries and resumes included). */
  readonly attempts: number;
  /** Graph's request-id of the last response, so Microsoft support can trace it. */
  readonly requestId: string | null;
  readonly graphCode: string | null;
  readonly errorMessage: string | null;
  readonly result: OperationResult | null;
  /** For a rollback's operations: the apply operation it undoes. */
  readonly revertsOperationId: number | null;
  readonly sentAt: Date | null;
  readonly doneAt: Date | null;
  /** Client id of the app whose request carried it last (sent, then answered), for audit; null before it left or when the app is not known. */
  readonly appId: string | null;
}

export type StoredOperation = Operation & OperationProgress;

/** The Graph and tenant a user baseline belongs to: a run's `graphUrl` and `tenantId`. */
export interface BaselineScope {
  readonly graphUrl: string | null;
  readonly tenantId: string | null;
}

export type BaselineStatus = FinalUserStatus | 'outOfScope';

/**
 * What the last finished apply or sync against a tenant recorded for one user (table
 * user_baselines): what sync compares the next export with. `outOfScope`: a sync saw the user
 * outside `--group` and recorded only who they are.
 */
export interface UserBaseline {
  readonly syncKey: string;
  readonly runId: string;
  readonly username: string;
  readonly upn: string | null;
  readonly entraUserId: string | null;
  readonly status: BaselineStatus;
  /** Null for rows recorded before fingerprints existed: such a user counts as changed. */
  readonly fingerprint: string | null;
  /** When Entra was last read for the user; null when it never was (skipped, rejected). */
  readonly readAt: Date | null;
  /** When a sync first found the user gone from the export; null while they are in it. */
  readonly leftAt: Date | null;
}

/** Counts for `status` and the report summaries. A type alias, not an interface, so it can be given to finishRun as JSON. */
export type RunSummary = {
  readonly users: number;
  readonly usersByPlanStatus: Readonly<Partial<Record<PlanStatus, number>>>;
  /** Users without a final status yet are not counted here. */
  readonly usersByFinalStatus: Readonly<Partial<Record<FinalUserStatus, number>>>;
  readonly operations: number;
  /** kind → status → count. */
  readonly operationsByKind: Readonly<Partial<Record<Operation['kind'], Readonly<Partial<Record<Operation['status'], number>>>>>>;
  /** Finding code → occurrences. */
  readonly issues: Readonly<Record<string, number>>;
};

/** How a sync cycle chose its users, kept in its run summary (`summary.sync`) beside the users who left the export. */
export interface SyncCounts {
  /** Users of the users file with a username of their own (repeated rows left out). */
  readonly inExport: number;
  /** Unchanged with a final status: neither read nor recorded. */
  readonly unchanged: number;
  readonly new: number;
  readonly changed: number;
  /** Their last status was not final: failed, partial, unmatched or conflict. */
  readonly retried: number;
  /** Unchanged, but last read longer ago than --recheck-after. */
  readonly rechecked: number;
  /** Outside --group or --only. */
  readonly outOfScope: number;
}

/** The counts a sync run recorded in its summary, zeros where it recorded none (an older or unfinished run). */
export function syncCountsOf(summary: JsonObject | null): SyncCounts {
  const sync = summary?.['sync'];
  const recorded: JsonObject = typeof sync === 'object' && sync !== null && !Array.isArray(sync) ? (sync as JsonObject) : {};
  const number = (key: keyof SyncCounts): number => {
    const value = recorded[key];
    return typeof value === 'number' ? value : 0;
  };
  return { inExport: number('inExport'), unchanged: number('unchanged'), new: number('new'), changed: number('changed'), retried: number('retried'), rechecked: number('rechecked'), outOfScope: number('outOfScope') };
}
