/**
 * The counts every report shows, gathered while the users stream past (nothing is kept per user),
 * and the run facts the JSON and HTML start with.
 */
import { isRecord } from '../json-value.js';
import { syncCountsOf, type InputFingerprint, type JsonObject, type RunCommand, type RunStatus, type SyncCounts } from '../run-records.js';
import { PLAN_STATUSES, type OperationKind, type OperationStatus, type PlanStatus } from '../plan/operations.js';
import { ISSUE_CATALOGUE, ISSUE_CODES, WHO_MUST_ACT, type ReportIssueCode, type WhoMustAct } from './issue-catalogue.js';
import { REPORT_STATUSES, type ReportStatus, type ReportUser } from './report-user.js';

/** What a report is about: a run of the journal (a RunRecord), or a validate run, which the journal does not hold. */
export type ReportCommand = RunCommand | 'validate';

export interface ReportRun {
  /** A run id of the journal; for validate one of the same shape, which names no run of a journal. */
  readonly id: string;
  readonly command: ReportCommand;
  readonly status: RunStatus;
  readonly parentRunId: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly tenantId: string | null;
  readonly graphUrl: string | null;
  readonly options: JsonObject;
  readonly inputs: InputFingerprint;
  /** What the run recorded when it finished (fileIssues is read from it). */
  readonly summary: JsonObject | null;
}

export interface ReportSummary {
  readonly users: number;
  /**
   * Users the report lists, one entry each (users.length of the JSON, rows of the table); the
   * same as `users` except in validate's report, which lists only the users with a finding.
   */
  readonly listed: number;
  /** Every status, zeros included, so the shape never changes. */
  readonly byStatus: Readonly<Record<ReportStatus, number>>;
  /** Users by plan status; validate's users have none and are not counted. */
  readonly byPlanStatus: Readonly<Record<PlanStatus, number>>;
  /** Users with at least one issue needing action: the users of issues.csv. */
  readonly usersNeedingAction: number;
  /** Users with an issue an admin must act on (fix an export, a setting, a failed write). */
  readonly usersAdminMustAct: number;
  /** Users with an issue only they can act on (register Authenticator again, register a method). */
  readonly usersUserMustAct: number;
  /** Rows of issues.csv. */
  readonly issueRows: number;
  /** kind → status → count; only what occurs. */
  readonly operations: Readonly<Partial<Record<OperationKind, Readonly<Partial<Record<OperationStatus, number>>>>>>;
  /** Code → occurrences; only what occurs, in catalogue order. */
  readonly issues: Readonly<Partial<Record<ReportIssueCode, number>>>;
  /** Code → users with the code at least once. */
  readonly usersByIssue: Readonly<Partial<Record<ReportIssueCode, number>>>;
  /** Findings about a whole export file (not a user) the run counted; null when the run did not record it. */
  readonly fileIssues: number | null;
  /** A sync cycle's choices and the users no longer in the export; null for other runs. */
  readonly sync: SyncReportSummary | null;
}

/** What a sync cycle recorded in its run summary (src/migrate/sync.ts). */
export interface SyncReportSummary extends SyncCounts {
  /** Users of earlier runs no longer in the export, listed by the cycle that first missed them. */
  readonly left: readonly { readonly username: string; readonly upn: string | null; readonly entraUserId: string | null; readonly lastRunId: string }[];
}

/** The sync part of a run's recorded summary, or null when the run is no sync cycle (or recorded none). */
export function syncSummaryOf(run: Pick<ReportRun, 'command' | 'summary'>): SyncReportSummary | null {
  const recorded = run.summary?.['sync'];
  if (run.command !== 'sync' || !isRecord(recorded)) return null;
  const counts = syncCountsOf(run.summary);
  const left = Array.isArray(recorded['left']) ? recorded['left'] : [];
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    ...counts,
    left: left.filter(isRecord).map((user) => ({
      username: text(user['username']) ?? '',
      upn: text(user['upn']),
      entraUserId: text(user['entraUserId']),
      lastRunId: text(user['lastRunId']) ?? '',
    })),
  };
}

/** An app registration the run's requests went out as, with the operations of the report it sent last. */
export interface ReportApp {
  /** Its name in the `--app-pool` file; null for the app of `--client-id` (or one the run did not record). */
  readonly name: string | null;
  readonly clientId: string;
  readonly operations: number;
}

function zeros<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
}

export class SummaryCounter {
  #users = 0;
  #listed = 0;
  #usersNeedingAction = 0;
  #usersAdminMustAct = 0;
  #usersUserMustAct = 0;
  #issueRows = 0;
  readonly #byStatus = zeros(REPORT_STATUSES);
  readonly #byPlanStatus = zeros(PLAN_STATUSES);
  readonly #operations: Partial<Record<OperationKind, Partial<Record<OperationStatus, number>>>> = {};
  readonly #issues = new Map<ReportIssueCode, number>();
  readonly #usersByIssue = new Map<ReportIssueCode, number>();
  readonly #operationsByApp = new Map<string, number>();

  add(user: ReportUser): void {
    this.#users += 1;
    this.#listed += 1;
    this.#byStatus[user.status] += 1;
    if (user.planStatus !== null) this.#byPlanStatus[user.planStatus] += 1;
    if (user.actionNeeded) this.#usersNeedingAction += 1;
    if (user.adminMustAct) this.#usersAdminMustAct += 1;
    if (user.userMustAct) this.#usersUserMustAct += 1;
    for (const operation of user.operations) {
      if (operation.appId !== null) this.#operationsByApp.set(operation.appId, (this.#operationsByApp.get(operation.appId) ?? 0) + 1);
      const byStatus = (this.#operations[operation.kind] ??= {});
      byStatus[operation.status] = (byStatus[operation.status] ?? 0) + 1;
    }
    for (const issue of user.issues) {
      this.#issues.set(issue.code, (this.#issues.get(issue.code) ?? 0) + 1);
      if (issue.actionNeeded) this.#issueRows += 1;
    }
    for (const code of new Set(user.issues.map((issue) => issue.code))) this.#usersByIssue.set(code, (this.#usersByIssue.get(code) ?? 0) + 1);
  }

  /** Operations whose last request went out as this app. */
  operationsSentBy(clientId: string): number {
    return this.#operationsByApp.get(clientId) ?? 0;
  }

  /** Client ids of the apps the operations went out as, first seen first. */
  appsSeen(): readonly string[] {
    return [...this.#operationsByApp.keys()];
  }


  /** Users counted by status but not listed: nothing else about them is to report. */
  addUnlisted(status: ReportStatus, users = 1): void {
    this.#users += users;
    this.#byStatus[status] += users;
  }

  summary(run: Pick<ReportRun, 'command' | 'summary'>): ReportSummary {
    const recordedFileIssues = run.summary?.['fileIssues'];
    return {
      users: this.#users,
      listed: this.#listed,
      byStatus: { ...this.#byStatus },
      byPlanStatus: { ...this.#byPlanStatus },
      usersNeedingAction: this.#usersNeedingAction,
      usersAdminMustAct: this.#usersAdminMustAct,
      usersUserMustAct: this.#usersUserMustAct,
      issueRows: this.#issueRows,
      operations: structuredClone(this.#operations),
      issues: inCatalogueOrder(this.#issues),
      usersByIssue: inCatalogueOrder(this.#usersByIssue),
      fileIssues: typeof recordedFileIssues === 'number' ? recordedFileIssues : null,
      sync: syncSummaryOf(run),
    };
  }
}

/**
 * The run's apps: those it recorded (`options.apps`, in their order, with their pool names) and any
 * other an operation went out as (a run resumed with another pool), with the operations each sent.
 */
export function runApps(run: Pick<ReportRun, 'options'>, counter: SummaryCounter): ReportApp[] {
  const recorded = Array.isArray(run.options['apps']) ? run.options['apps'] : [];
  const apps: ReportApp[] = [];
  for (const entry of recorded) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const { name, clientId } = entry as { readonly name?: unknown; readonly clientId?: unknown };
    if (typeof clientId !== 'string' || apps.some((app) => app.clientId === clientId)) continue;
    apps.push({ name: typeof name === 'string' ? name : null, clientId, operations: counter.operationsSentBy(clientId) });
  }
  for (const clientId of counter.appsSeen()) {
    if (!apps.some((app) => app.clientId === clientId)) apps.push({ name: null, clientId, operations: counter.operationsSentBy(clientId) });
  }
  return apps;
}

function inCatalogueOrder(counts: ReadonlyMap<ReportIssueCode, number>): Partial<Record<ReportIssueCode, number>> {
  return Object.fromEntries(ISSUE_CODES.flatMap((code) => {
    const count = counts.get(code);
    return count === undefined ? [] : [[code, count]];
  }));
}

export interface CatalogueJson {
  readonly severity: string;
  readonly cause: string;
  readonly remedy: string;
  readonly whoMustAct: WhoMustAct | null;
  readonly actionNeeded: boolean;
}

/** The catalogue entries of the codes that occur, so a report explains itself without the docs. */
export function catalogueOf(summary: ReportSummary): Record<string, CatalogueJson> {
  return Object.fromEntries(ISSUE_CODES.filter((code) => summary.issues[code] !== undefined).map((code) => [code, {
    severity: ISSUE_CATALOGUE[code].severity,
    cause: ISSUE_CATALOGUE[code].cause,
    remedy: ISSUE_CATALOGUE[code].remedy,
    whoMustAct: WHO_MUST_ACT[code],
    actionNeeded: WHO_MUST_ACT[code] !== null,
  }]));
}

/** The run as the reports show it, with the apps its requests went out as (none for validate). Options are recorded without secrets (NewRun.options). `journalPath` is null for validate. */
export function runJson(run: ReportRun, journalPath: string | null, apps: readonly ReportApp[]): Record<string, unknown> {
  return {
    id: run.id,
    command: run.command,
    status: run.status,
    parentRunId: run.parentRunId,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt === null ? null : run.finishedAt.toISOString(),
    tenantId: run.tenantId,
    graphUrl: run.graphUrl,
    journal: journalPath,
    options: run.options,
    inputs: run.inputs.map((input) => ({ role: input.role, path: input.path, size: input.size, sha256: input.sha256 })),
    apps,
  };
}
