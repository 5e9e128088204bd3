/**
 * The counts every report shows, gathered while the users stream past (nothing is kept per user),
 * and the run facts the JSON and HTML start with.
 */
import { isRecord } from '../json-value.js';
import type { RunRecord } from '../run-records.js';
import { PLAN_STATUSES, type OperationKind, type OperationStatus, type PlanStatus } from '../plan/operations.js';
import { ACTION_NEEDED, ISSUE_CATALOGUE, ISSUE_CODES, type ReportIssueCode } from './issue-catalogue.js';
import { REPORT_STATUSES, type ReportStatus, type ReportUser } from './report-user.js';

export interface ReportSummary {
  readonly users: number;
  /** Every status, zeros included, so the shape never changes. */
  readonly byStatus: Readonly<Record<ReportStatus, number>>;
  readonly byPlanStatus: Readonly<Record<PlanStatus, number>>;
  /** Users with at least one issue needing action: the users of issues.csv. */
  readonly usersNeedingAction: number;
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
export interface SyncReportSummary {
  readonly inExport: number;
  readonly unchanged: number;
  readonly new: number;
  readonly changed: number;
  readonly retried: number;
  readonly rechecked: number;
  readonly outOfScope: number;
  /** Users of earlier runs no longer in the export, listed by the cycle that first missed them. */
  readonly left: readonly { readonly username: string; readonly upn: string | null; readonly entraUserId: string | null; readonly lastRunId: string }[];
}

const SYNC_COUNTS = ['inExport', 'unchanged', 'new', 'changed', 'retried', 'rechecked', 'outOfScope'] as const;

/** The sync part of a run's recorded summary, or null when the run is no sync cycle (or recorded none). */
export function syncSummaryOf(run: RunRecord): SyncReportSummary | null {
  const recorded = run.summary?.['sync'];
  if (run.command !== 'sync' || !isRecord(recorded)) return null;
  const counts = Object.fromEntries(SYNC_COUNTS.map((key) => {
    const value = recorded[key];
    return [key, typeof value === 'number' ? value : 0];
  })) as Record<(typeof SYNC_COUNTS)[number], number>;
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

function zeros<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
}

export class SummaryCounter {
  #users = 0;
  #usersNeedingAction = 0;
  #issueRows = 0;
  readonly #byStatus = zeros(REPORT_STATUSES);
  readonly #byPlanStatus = zeros(PLAN_STATUSES);
  readonly #operations: Partial<Record<OperationKind, Partial<Record<OperationStatus, number>>>> = {};
  readonly #issues = new Map<ReportIssueCode, number>();
  readonly #usersByIssue = new Map<ReportIssueCode, number>();

  add(user: ReportUser): void {
    this.#users += 1;
    this.#byStatus[user.status] += 1;
    this.#byPlanStatus[user.planStatus] += 1;
    if (user.actionNeeded) this.#usersNeedingAction += 1;
    for (const operation of user.operations) {
      const byStatus = (this.#operations[operation.kind] ??= {});
      byStatus[operation.status] = (byStatus[operation.status] ?? 0) + 1;
    }
    for (const issue of user.issues) {
      this.#issues.set(issue.code, (this.#issues.get(issue.code) ?? 0) + 1);
      if (issue.actionNeeded) this.#issueRows += 1;
    }
    for (const code of new Set(user.issues.map((issue) => issue.code))) this.#usersByIssue.set(code, (this.#usersByIssue.get(code) ?? 0) + 1);
  }

  summary(run: RunRecord): ReportSummary {
    const recordedFileIssues = run.summary?.['fileIssues'];
    return {
      users: this.#users,
      byStatus: { ...this.#byStatus },
      byPlanStatus: { ...this.#byPlanStatus },
      usersNeedingAction: this.#usersNeedingAction,
      issueRows: this.#issueRows,
      operations: structuredClone(this.#operations),
      issues: inCatalogueOrder(this.#issues),
      usersByIssue: inCatalogueOrder(this.#usersByIssue),
      fileIssues: typeof recordedFileIssues === 'number' ? recordedFileIssues : null,
      sync: syncSummaryOf(run),
    };
  }
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
  readonly actionNeeded: boolean;
}

/** The catalogue entries of the codes that occur, so a report explains itself without the docs. */
export function catalogueOf(summary: ReportSummary): Record<string, CatalogueJson> {
  return Object.fromEntries(ISSUE_CODES.filter((code) => summary.issues[code] !== undefined).map((code) => [code, {
    severity: ISSUE_CATALOGUE[code].severity,
    cause: ISSUE_CATALOGUE[code].cause,
    remedy: ISSUE_CATALOGUE[code].remedy,
    actionNeeded: ACTION_NEEDED[code],
  }]));
}

/** The run as the reports show it. Options are recorded without secrets (NewRun.options). */
export function runJson(run: RunRecord, journalPath: string): Record<string, unknown> {
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
  };
}
