/**
 * The journal (docs/design.md "Journal"): the SQLite file that is the product's memory of every run
 * — the users a plan decided about, the operations apply executes (`planned → sent → done |
 * failed`), what Graph answered. A run can stop at any moment and resume from it without losing or
 * doubling a write, and reports and rollback read it instead of memory. The only code that speaks
 * SQL.
 *
 * Calls are synchronous (better-sqlite3): a journal write is a local fsync, and keeping it
 * synchronous means an operation is durably `sent` before the next line of apply runs.
 */
import { createHmac } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Finding } from '../findings.js';
import type { Operation, OperationStatus } from '../plan/operations.js';
import type { Secret } from '../secret.js';
import { journalDamaged, journalNotFound, journalTooNew, journalUnreadable, translateSqliteError } from './journal-errors.js';
import type {
  BaselineScope, JsonObject, NewRun, OperationResult, RunFilter, RunRecord, RunStatus, RunSummary, RunWriter, StoredOperation, StoredUser, UserBaseline, UserRecord,
} from '../run-records.js';
import type { PriorWrite, PriorWrites } from '../plan/prior-writes.js';
import { PHONE_TYPES, type DefaultMethod, type PhoneType } from '../mapping/desired-state.js';
import type { FinalUserStatus } from '../user-status.js';
import { newRunId } from './run-id.js';
import {
  baselineFromRow, iso, operationFromRow, operationPayload, operationsOf, priorWritesFromJson, runFromRow, userFromRow, userRow, type BaselineRow,
  type NewOperationRow, type NewUserRow, type OperationRow, type RunRow, type UserRow,
} from './rows.js';
import { RowReader } from './row-reader.js';
import { APPLICATION_ID, hasUserTables, migrate, SCHEMA_VERSION, schemaVersionOf } from './schema.js';

/** How long a statement waits for another process's lock before JOURNAL_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;
/**
 * Users per write transaction in recordUsers. Each commit is an fsync (synchronous = FULL); 1,000
 * users keeps those to ~100 for 100,000 users while a crash loses at most one uncommitted chunk.
 */
export const USERS_PER_TRANSACTION = 1_000;
const PAGE_SIZE_BYTES = 16_384;
/** The journal holds phone numbers and names: readable by this account only (docs/security.md). */
const PRIVATE_FILE_MODE = 0o600;
/** Retries when two runs draw the same id in the same second (1 in 65,536 each). */
const RUN_ID_ATTEMPTS = 5;

export interface JournalOptions {
  readonly clock: Clock;
  /** Default BUSY_TIMEOUT_MS. */
  readonly busyTimeoutMs?: number;
  /** Commands that only read a journal (status, report, verify, rollback) refuse a path with none: JOURNAL_NOT_FOUND. */
  readonly mustExist?: boolean;
  /** This process, stamped on every run it creates or resumes (the CLI gives it; tests need not). */
  readonly writer?: RunWriter;
}

export interface FinalStatusUpdate {
  readonly userId: number;
  readonly status: FinalUserStatus;
}

/**
 * Opens (creating on first use, mode 0600: it holds phone numbers) the journal file at `path`,
 * applying schema migrations. Throws JOURNAL_UNREADABLE for a file that is not an mfa-migrate
 * journal or is damaged, JOURNAL_TOO_NEW for one written by a newer version, JOURNAL_BUSY when
 * locked. Every path is a file, `:memory:` too: an admin's --state must never silently keep
 * nothing (openMemoryJournal is the tests' way to that).
 */
export function openJournal(path: string, options: JournalOptions): Journal {
  if (options.mustExist === true && !existsSync(path)) throw journalNotFound(path);
  // A relative path SQLite would read as a special name (":memory:", "file:…") stays a file name.
  const file = resolve(path);
  createPrivateFile(path, file);
  return openDatabase(path, file, options);
}

/** A journal in memory, gone when closed: for tests and tools that need no file. */
export function openMemoryJournal(options: JournalOptions): Journal {
  return openDatabase(':memory:', ':memory:', options);
}

/** `path` as the admin gave it (for messages), `location` as SQLite opens it. */
function openDatabase(path: string, location: string, options: JournalOptions): Journal {
  let db: Database.Database;
  try {
    db = new Database(location, { fileMustExist: location !== ':memory:', timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
  } catch (error) {
    // The constructor throws a TypeError, not a SqliteError, for some paths it cannot open.
    const translated = translateSqliteError(error, path);
    throw translated === error && error instanceof Error ? journalUnreadable(path, error.message, error) : translated;
  }
  try {
    prepareSchema(db, path);
    return new Journal(db, path, options.clock, options.writer ?? null);
  } catch (error) {
    db.close();
    throw translateSqliteError(error, path);
  }
}

/**
 * Makes the file exist with mode 0600 before SQLite opens it, since SQLite gives -wal and -shm the
 * main file's mode. A file that already exists (an empty one the admin made, a journal copied
 * under another umask) is made 0600 too, with its -wal and -shm.
 */
function createPrivateFile(path: string, file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
    return;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) {
      throw journalUnreadable(path, error instanceof Error ? error.message : String(error), error);
    }
  }
  if (!statSync(file).isFile()) throw journalUnreadable(path, 'it is not a file');
  for (const companion of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(companion, PRIVATE_FILE_MODE);
    } catch (error) {
      // A missing companion is normal; a file of another account we may read but not chmod is
      // opened as it is (SQLite then says whether it can be written).
      const code = error instanceof Error && 'code' in error ? error.code : undefined;
      if (code !== 'ENOENT' && code !== 'EPERM') throw journalUnreadable(path, error instanceof Error ? error.message : String(error), error);
    }
  }
}

function prepareSchema(db: Database.Database, path: string): void {
  // Checked before any pragma that writes, so a file we refuse is left exactly as it was.
  const applicationId = db.pragma('application_id', { simple: true });
  if (applicationId !== APPLICATION_ID && (applicationId !== 0 || hasUserTables(db))) {
    throw journalUnreadable(path, 'it is an SQLite database of another application, not an mfa-migrate journal');
  }
  const version = schemaVersionOf(db);
  if (version > SCHEMA_VERSION) throw journalTooNew(path, version, SCHEMA_VERSION);

  // WAL: readers (status, report) never block apply's writes, and a commit appends instead of
  // rewriting pages. FULL: every commit is fsynced, so an operation marked `sent` stays sent even
  // if the machine loses power right after the request leaves (NORMAL would only survive a
  // process crash); the cost is one fsync per transaction, which batching keeps small.
  // 16 KiB pages: a user row is 1–2 KiB of JSON, which packs 4 KiB pages poorly. Measured with
  // bench/journal.bench.ts: 23% smaller file, recording and reading a little faster. Only a new file
  // can take it (it is fixed once the first table exists).
  if (version === 0) db.pragma(`page_size = ${PAGE_SIZE_BYTES}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  if (version < SCHEMA_VERSION) {
    // Off while migrating: a migration may rebuild a table (drop and rename), which with foreign
    // keys on would delete the rows that point at it; migrate() checks every reference after.
    db.pragma('foreign_keys = OFF');
    // IMMEDIATE takes the write lock first, so two processes opening a new file do not both migrate.
    db.transaction(() => {
      const current = schemaVersionOf(db);
      if (current < SCHEMA_VERSION) {
        migrate(db, current);
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }
    }).immediate();
  }
  db.pragma('foreign_keys = ON');
}

interface CountRow {
  readonly key: string;
  readonly n: number;
}

export class Journal {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #clock: Clock;
  readonly #seedKey: Buffer;
  readonly #statements: Statements;
  /** RunWriter as JSON, or null. */
  readonly #writer: string | null;

  /** Use openJournal. */
  constructor(db: Database.Database, path: string, clock: Clock, writer: RunWriter | null = null) {
    this.#db = db;
    this.#path = path;
    this.#clock = clock;
    this.#writer = writer === null ? null : JSON.stringify(writer);
    const key = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'seed_hmac_key'").get();
    if (key === undefined || !/^[0-9a-f]{64}$/.test(key.value)) throw journalDamaged(path, 'the seed fingerprint key is missing from meta');
    this.#seedKey = Buffer.from(key.value, 'hex');
    this.#statements = prepareStatements(db);
  }

  /** The file this journal lives in, as given to openJournal. */
  get path(): string {
    return this.#path;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `work` in one transaction (one commit, one fsync): e.g. all outcomes of one `$batch`. */
  transaction<T>(work: () => T): T {
    return this.#guard(() => this.#db.transaction(work)());
  }

  /**
   * HMAC-SHA256 of a hardware token seed with this journal's random key, hex: recognises the same
   * seed at apply time without the journal ever holding it. Pass the seed as mapping normalised it.
   */
  seedFingerprint(seed: Secret): string {
    return createHmac('sha256', this.#seedKey).update(seed.reveal(), 'utf8').digest('hex');
  }

  // ─── Runs ─────────────────────────────────────────────────────────────────────────────────

  createRun(run: NewRun): RunRecord {
    return this.#guard(() => {
      const startedAt = this.#clock.now();
      for (let attempt = 1; ; attempt++) {
        const id = newRunId(startedAt);
        try {
          this.#statements.insertRun.run({
            id,
            command: run.command,
            parent_run_id: run.parentRunId,
            status: 'running',
            started_at: iso(startedAt),
            tenant_id: run.tenantId,
            graph_url: run.graphUrl,
            options: JSON.stringify(run.options),
            inputs: JSON.stringify(run.inputs),
            writer: this.#writer,
          });
          return this.#requireRun(id);
        } catch (error) {
          const collided = error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
          if (!collided || attempt >= RUN_ID_ATTEMPTS) throw error;
        }
      }
    });
  }

  /** Ends a running run; `summary` is what `status` and the reports show without recounting. */
  finishRun(runId: string, status: Exclude<RunStatus, 'running'>, summary: JsonObject | null): void {
    this.#guard(() => {
      const changed = this.#statements.finishRun.run({
        id: runId, status, finished_at: iso(this.#clock.now()), summary: summary === null ? null : JSON.stringify(summary),
      });
      if (changed.changes !== 1) throw new Error(`run ${runId} cannot be finished: ${this.#describeRun(runId)}`);
    });
  }

  /** Marks an interrupted, failed or crashed (still `running`) run as running again, to resume it; this process becomes its writer. */
  reopenRun(runId: string): void {
    this.#guard(() => {
      const changed = this.#statements.reopenRun.run({ id: runId, writer: this.#writer });
      if (changed.changes !== 1) throw new Error(`run ${runId} cannot be resumed: ${this.#describeRun(runId)}`);
    });
  }

  getRun(runId: string): RunRecord | null {
    return this.#guard(() => {
      const row = this.#statements.runById.get(runId);
      return row === undefined ? null : runFromRow(row, this.#path);
    });
  }

  /** The most recently started run matching the filter, or null. */
  latestRun(filter: RunFilter = {}): RunRecord | null {
    return this.#guard(() => {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.command !== undefined) {
        const commands = typeof filter.command === 'string' ? [filter.command] : filter.command;
        where.push(`command IN (${commands.map(() => '?').join(', ') || 'NULL'})`);
        params.push(...commands);
      }
      if (filter.parentRunId !== undefined) {
        where.push('parent_run_id = ?');
        params.push(filter.parentRunId);
      }
      if (filter.withUsers === true) where.push('EXISTS (SELECT 1 FROM users WHERE users.run_id = runs.id)');
      if (filter.status !== undefined) {
        const statuses = typeof filter.status === 'string' ? [filter.status] : filter.status;
        where.push(`status IN (${statuses.map(() => '?').join(', ') || 'NULL'})`);
        params.push(...statuses);
      }
      const sql = `SELECT * FROM runs ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY started_at DESC, rowid DESC LIMIT 1`;
      const row = this.#db.prepare<string[], RunRow>(sql).get(...params);
      return row === undefined ? null : runFromRow(row, this.#path);
    });
  }

  // ─── Users ────────────────────────────────────────────────────────────────────────────────

  /**
   * Stores users with their plan's operations, USERS_PER_TRANSACTION per transaction: after a crash
   * a chunk is there entirely or not at all. Returns how many users were stored.
   */
  recordUsers(runId: string, records: Iterable<UserRecord>): number {
    return this.#guard(() => {
      const fingerprint = (seed: Secret): string => this.seedFingerprint(seed);
      let recorded = 0;
      let chunk: UserRecord[] = [];
      const flush = (): void => {
        this.#statements.recordChunk(runId, chunk, iso(this.#clock.now()), fingerprint);
        recorded += chunk.length;
        chunk = [];
      };
      for (const record of records) {
        chunk.push(record);
        if (chunk.length === USERS_PER_TRANSACTION) flush();
      }
      if (chunk.length > 0) flush();
      return recorded;
    });
  }

  /**
   * `apply --plan RUN`: copies the plan's users and operations into the apply run in one
   * transaction, so apply executes exactly what was planned and the plan stays as it was.
   */
  copyPlan(planRunId: string, intoRunId: string): { readonly users: number; readonly operations: number } {
    return this.transaction(() => {
      const users = this.#statements.copyUsers.run({ from: planRunId, into: intoRunId, now: iso(this.#clock.now()) }).changes;
      const operations = this.#statements.copyOperations.run({ from: planRunId, into: intoRunId }).changes;
      return { users, operations };
    });
  }

  /**
   * rollback: copies the apply run's users into the rollback run and records, per user (by users
   * file line), the operations that undo its writes, each pointing at the operation it reverts.
   * Changes rollback cannot undo are recorded `skipped` with the reason. One transaction.
   */
  recordRevertOperations(
    fromRunId: string,
    intoRunId: string,
    users: Iterable<{ readonly line: number; readonly operations: readonly { readonly operation: Operation; readonly revertsOperationId: number; readonly keptBecause: string | null }[] }>,
  ): { readonly users: number; readonly operations: number } {
    return this.transaction(() => {
      const now = iso(this.#clock.now());
      const copied = this.#statements.copyUsers.run({ from: fromRunId, into: intoRunId, now }).changes;
      let operations = 0;
      for (const user of users) {
        const row = this.#statements.userIdByLine.get(intoRunId, user.line);
        if (row === undefined) throw new Error(`line ${String(user.line)} is not a user of run ${fromRunId}`);
        user.operations.forEach((entry, index) => {
          const id = Number(this.#statements.insertRevert.run({
            run_id: intoRunId, user_id: row.id, seq: index + 1, kind: entry.operation.kind, target: entry.operation.target,
            payload: operationPayload(entry.operation), reverts_operation_id: entry.revertsOperationId,
          }).lastInsertRowid);
          if (entry.keptBecause !== null) this.#statements.markSkipped.run({ id, error_message: entry.keptBecause, done_at: now });
          operations += 1;
        });
      }
      return { users: copied, operations };
    });
  }

  /**
   * Users of a run in users-file order, each with its operations; streamed, never all in memory.
   * The journal cannot be written until the iteration ends (better-sqlite3 holds the read open).
   */
  iterateUsers(runId: string): Generator<StoredUser, void, undefined> {
    return this.#usersWithOperations(runId);
  }

  /**
   * verify: copies a run's users into the verify run and sets, per users-file line, the status and
   * the findings verify adds to what the user already had. One transaction.
   */
  recordVerifiedUsers(fromRunId: string, intoRunId: string, users: Iterable<{ readonly line: number; readonly status: FinalUserStatus; readonly addedIssues: readonly Finding[] }>): number {
    return this.transaction(() => {
      const now = iso(this.#clock.now());
      this.#statements.copyUsers.run({ from: fromRunId, into: intoRunId, now });
      let updated = 0;
      for (const user of users) {
        const row = this.#statements.userIssuesByLine.get(intoRunId, user.line);
        if (row === undefined) throw new Error(`line ${String(user.line)} is not a user of run ${fromRunId}`);
        const issues: unknown = JSON.parse(row.issues);
        const existing: readonly unknown[] = Array.isArray(issues) ? issues : [];
        const merged = [...existing, ...user.addedIssues];
        this.#statements.setVerified.run({ id: row.id, status: user.status, issues: JSON.stringify(merged), updated_at: now });
        updated += 1;
      }
      return updated;
    });
  }

  setFinalStatus(updates: Iterable<FinalStatusUpdate>): void {
    this.transaction(() => {
      const updatedAt = iso(this.#clock.now());
      for (const { userId, status } of updates) {
        const changed = this.#statements.setFinalStatus.run({ id: userId, status, updated_at: updatedAt });
        if (changed.changes !== 1) throw new Error(`user ${userId} is not in the journal`);
      }
    });
  }

  // ─── Operations ───────────────────────────────────────────────────────────────────────────

  /**
   * Operations of a run in execution order (user, then seq), streamed. better-sqlite3 cannot write
   * while a read is open, so apply takes work with nextPlannedOperations instead of iterating.
   */
  iterateOperations(runId: string, filter: { readonly status?: OperationStatus } = {}): Generator<StoredOperation, void, undefined> {
    const { status } = filter;
    return this.#stream(
      () => (status === undefined ? this.#statements.operationsOfRun.iterate(runId) : this.#statements.operationsByStatus.iterate(runId, status)),
      (row) => operationFromRow(row, this.#path),
    );
  }

  /** Up to `limit` planned operations in execution order: the next work for apply. */
  nextPlannedOperations(runId: string, limit: number): StoredOperation[] {
    return this.#guard(() => this.#statements.firstByStatus.all(runId, 'planned', limit).map((row) => operationFromRow(row, this.#path)));
  }

  /**
   * Operations that got an answer (done or failed) at or after `since`: the write rate `status` shows.
   * Also the first time anything was sent, for the run's overall rate.
   */
  answeredSince(runId: string, since: Date): { readonly answered: number; readonly firstSentAt: Date | null } {
    return this.#guard(() => {
      const row = this.#statements.answeredSince.get(runId, iso(since.getTime()), runId);
      return { answered: row?.answered ?? 0, firstSentAt: row?.first_sent_at == null ? null : new Date(row.first_sent_at) };
    });
  }

  /** One user's operations in seq order: apply checks what came before an operation it is about to send. */
  operationsOfUser(userId: number): StoredOperation[] {
    return this.#guard(() => this.#statements.operationsOfUser.all(userId).map((row) => operationFromRow(row, this.#path)));
  }

  /** Journal user id → Entra object id for the run's matched users: what apply addresses its writes to. */
  entraUserIds(runId: string): Map<number, string> {
    return this.#guard(() => new Map(this.#statements.entraUserIds.all(runId).map((row) => [row.id, row.entra_user_id])));
  }

  /** Operations whose request may or may not have reached Graph: reconcile these after a crash. */
  sentOperations(runId: string): StoredOperation[] {
    return this.#guard(() => this.#statements.operationsByStatus.all(runId, 'sent').map((row) => operationFromRow(row, this.#path)));
  }

  /** The run's users with an operation left `sent`, with all their operations: the ones a reconcile reads. */
  usersWithSentOperations(runId: string): StoredUser[] {
    return this.#guard(() =>
      this.#statements.usersWithSentOperations.all(runId, runId).map((row) => userFromRow(row, this.operationsOfUser(row.id), this.#path)),
    );
  }

  /**
   * planned → sent, counting an attempt, with the client id of the app the request goes out as
   * (null when not known). Call it BEFORE the requests leave: it returns only once the change is
   * committed and fsynced, so a crash can never hide a request that was sent.
   */
  markSent(operationIds: readonly number[], appId: string | null = null): void {
    this.transaction(() => {
      const sentAt = iso(this.#clock.now());
      for (const id of operationIds) this.#transition(id, 'planned', this.#statements.markSent.run({ id, sent_at: sentAt, app_id: appId }).changes);
    });
  }

  /**
   * sent → done, with Graph's request-id (null when reconciliation found the write applied) and the
   * app whose request was answered (a resend may go out as another app of a pool; null keeps the one marked sent).
   */
  markDone(operationId: number, requestId: string | null, result?: OperationResult, appId: string | null = null): void {
    this.#guard(() => {
      const changes = this.#statements.markDone.run({
        id: operationId,
        request_id: requestId,
        result: result === undefined ? null : JSON.stringify({ resourceId: result.resourceId }),
        done_at: iso(this.#clock.now()),
        app_id: appId,
      }).changes;
      this.#transition(operationId, 'sent', changes);
    });
  }

  /** sent → failed: a final answer from Graph, kept with its error code and request-id for support, and the app it answered. */
  markFailed(operationId: number, graphCode: string | null, message: string, requestId: string | null, appId: string | null = null): void {
    this.#guard(() => {
      const changes = this.#statements.markFailed.run({
        id: operationId, graph_code: graphCode, error_message: message, request_id: requestId, done_at: iso(this.#clock.now()), app_id: appId,
      }).changes;
      this.#transition(operationId, 'sent', changes);
    });
  }

  /** planned → skipped: not sent because of an earlier failure or a decision of apply. */
  markSkipped(operationIds: readonly number[], reason: string): void {
    this.transaction(() => {
      const doneAt = iso(this.#clock.now());
      for (const id of operationIds) {
        this.#transition(id, 'planned', this.#statements.markSkipped.run({ id, error_message: reason, done_at: doneAt }).changes);
      }
    });
  }

  /**
   * sent → planned, keeping the attempt count: for a write reconciliation found not applied, or a
   * request Graph asked to retry (429, 5xx). Returns how many were reset.
   */
  resetSentToPlanned(operationIds: readonly number[]): number {
    return this.transaction(() => {
      let reset = 0;
      for (const id of operationIds) {
        this.#transition(id, 'sent', this.#statements.resetSent.run(id).changes);
        reset++;
      }
      return reset;
    });
  }

  // ─── Baselines (sync) ─────────────────────────────────────────────────────────────────────

  /** Every user baseline of a tenant, streamed: what sync compares the exports with. */
  baselines(scope: BaselineScope): Generator<UserBaseline, void, undefined> {
    const { graphUrl, tenantId } = scopeKey(scope);
    return this.#stream(() => this.#statements.baselinesOf.iterate(graphUrl, tenantId), (row) => baselineFromRow(row, this.#path));
  }

  /** One user's baseline in a tenant, or null when no finished apply or sync recorded them. */
  baselineOf(scope: BaselineScope, syncKey: string): UserBaseline | null {
    const { graphUrl, tenantId } = scopeKey(scope);
    return this.#guard(() => {
      const row = this.#statements.baselineByKey.get(graphUrl, tenantId, syncKey);
      return row === undefined ? null : baselineFromRow(row, this.#path);
    });
  }

  /** Whether any apply or sync against this tenant has recorded users yet. */
  hasBaselines(scope: BaselineScope): boolean {
    const { graphUrl, tenantId } = scopeKey(scope);
    return this.#guard(() => this.#statements.anyBaseline.get(graphUrl, tenantId) !== undefined);
  }

  /**
   * What runs of ours wrote for one Entra user of a tenant (R17), or null when the journal knows of
   * nothing. By Entra object id, not by export row: a user whose username changed in the export
   * (another row, another key) still holds what we wrote. Per number and default the latest run's
   * write counts, in the order the runs were created (their rowid): run ids sort by their start
   * only to the second, and two cycles can start within one.
   */
  priorWrites(scope: BaselineScope, entraUserId: string): PriorWrites | null {
    const { graphUrl, tenantId } = scopeKey(scope);
    return this.#guard(() => {
      const rows = this.#statements.writtenOf.all(graphUrl, tenantId, entraUserId);
      if (rows.length === 0) return null;
      const merged: { phones: Partial<Record<PhoneType, PriorWrite<string>>>; defaultMethod: PriorWrite<DefaultMethod> | null } = { phones: {}, defaultMethod: null };
      const order = new Map<string, number>();
      const orderOf = (runId: string): number => {
        let known = order.get(runId);
        if (known === undefined) {
          known = this.#statements.runOrder.get(runId)?.n ?? -1;
          order.set(runId, known);
        }
        return known;
      };
      const later = <T extends string>(a: PriorWrite<T> | null | undefined, b: PriorWrite<T> | null | undefined): PriorWrite<T> | null => {
        if (a == null) return b ?? null;
        if (b == null) return a;
        return orderOf(b.runId) > orderOf(a.runId) ? b : a;
      };
      for (const row of rows) {
        const written = priorWritesFromJson(row.written, this.#path, row.sync_key);
        for (const type of PHONE_TYPES) {
          const entry = later(merged.phones[type], written.phones[type]);
          if (entry !== null) merged.phones[type] = entry;
        }
        merged.defaultMethod = later(merged.defaultMethod, written.defaultMethod);
      }
      return merged;
    });
  }

  /**
   * A finished apply or sync run becomes the baseline of its users (those with a sync key and a
   * final status): status, fingerprint, `readAt` for the users it read from Entra, and every
   * number and default its `done` writes wrote (R17), on top of what earlier runs wrote. A user
   * back in the export is no longer "left". The same Entra user's baseline under another key (their
   * username written another way in an earlier export) loses its fingerprint: this run may have
   * changed them, so a sync that meets that key again plans them anew. One transaction; returns
   * the users recorded.
   */
  recordBaselines(runId: string, scope: BaselineScope, readAt: Date): number {
    const key = scopeKey(scope);
    return this.transaction(() => {
      const recorded = this.#statements.upsertBaselines.run({ graph_url: key.graphUrl, tenant_id: key.tenantId, run_id: runId, read_at: iso(readAt.getTime()) }).changes;
      this.#statements.staleOtherKeys.run({ graph_url: key.graphUrl, tenant_id: key.tenantId, run_id: runId });
      for (const write of this.#statements.writesOfRun.all(runId)) {
        const path = write.kind === 'setPreferredMethod' ? '$.defaultMethod' : `$.phones.${write.target}`;
        const value = write.kind === 'setPreferredMethod' ? write.target : phoneNumberOf(write.payload, this.#path);
        if (value === null) continue;
        this.#statements.setWritten.run({ graph_url: key.graphUrl, tenant_id: key.tenantId, sync_key: write.sync_key, path, value, run_id: runId });
      }
      return recorded;
    });
  }

  /**
   * Users a sync found outside `--group`: who they are, so the next cycle knows without reading
   * Entra. A user with a baseline of their own (migrated before the group changed) keeps it.
   */
  recordOutOfScope(runId: string, scope: BaselineScope, users: Iterable<OutOfScopeUser>, readAt: Date): void {
    const key = scopeKey(scope);
    this.transaction(() => {
      for (const user of users) {
        this.#statements.upsertOutOfScope.run({
          graph_url: key.graphUrl, tenant_id: key.tenantId, sync_key: user.syncKey, run_id: runId, username: user.username, upn: user.upn,
          entra_user_id: user.entraUserId, fingerprint: user.fingerprint, read_at: iso(readAt.getTime()),
        });
      }
    });
  }

  /** Users of the baselines no longer in the export (`at`: when a sync first saw it), or back in it (`at` null). */
  markBaselinesLeft(scope: BaselineScope, syncKeys: Iterable<string>, at: Date | null): void {
    const key = scopeKey(scope);
    this.transaction(() => {
      const leftAt = at === null ? null : iso(at.getTime());
      for (const syncKey of syncKeys) this.#statements.setLeftAt.run({ graph_url: key.graphUrl, tenant_id: key.tenantId, sync_key: syncKey, left_at: leftAt });
    });
  }

  /**
   * After a rollback of `runId`: the next sync plans its users again (their fingerprint is
   * forgotten, so they count as changed and Entra is read as it is then), and what it wrote is no
   * longer ours — where it replaced a number or default of an earlier run of ours, which the undo
   * puts back, that one is ours again. Returns the baselines whose fingerprint was forgotten.
   */
  forgetBaselinesOf(runId: string): number {
    return this.transaction(() => {
      const forgotten = this.#statements.forgetFingerprints.run(runId).changes;
      for (const path of WRITTEN_PATHS) this.#statements.forgetWritten(path).run(runId);
      return forgotten;
    });
  }

  // ─── Summary ──────────────────────────────────────────────────────────────────────────────

  runSummary(runId: string): RunSummary {
    return this.#guard(() => {
      const usersByPlanStatus = countsOf(this.#statements.usersByPlanStatus.all(runId));
      const usersByFinalStatus = countsOf(this.#statements.usersByFinalStatus.all(runId));
      const operationsByKind: Record<string, Record<string, number>> = {};
      let operations = 0;
      for (const row of this.#statements.operationCounts.all(runId)) {
        (operationsByKind[row.kind] ??= {})[row.status] = row.n;
        operations += row.n;
      }
      return {
        users: Object.values(usersByPlanStatus).reduce((sum, n) => sum + n, 0),
        usersByPlanStatus,
        usersByFinalStatus,
        operations,
        operationsByKind,
        issues: countsOf(this.#statements.issueCounts.all(runId)),
      };
    });
  }

  // ─── Internals ────────────────────────────────────────────────────────────────────────────

  #guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw translateSqliteError(error, this.#path);
    }
  }

  /**
   * Merges two streams in users-file order — users, and the run's operations joined to their user —
   * instead of querying each user's operations: one statement instead of 100,000 round trips.
   */
  *#usersWithOperations(runId: string): Generator<StoredUser, void, undefined> {
    const users = this.#guard(() => this.#statements.usersOfRun.iterate(runId));
    let operations: IterableIterator<OperationRow> | undefined;
    try {
      operations = this.#guard(() => this.#statements.operationsOfRunByLine.iterate(runId));
      const rows = operations;
      let operation = this.#guard(() => rows.next());
      for (;;) {
        const user = this.#guard(() => users.next());
        if (user.done === true) return;
        const own: StoredOperation[] = [];
        while (operation.done !== true && operation.value.user_id === user.value.id) {
          own.push(operationFromRow(operation.value, this.#path));
          operation = this.#guard(() => rows.next());
        }
        yield userFromRow(user.value, own, this.#path);
      }
    } finally {
      users.return?.();
      operations?.return?.();
    }
  }

  /** A lazily started, guarded stream over a statement; closing the generator early frees the statement. */
  *#stream<R, T>(start: () => IterableIterator<R>, map: (row: R) => T): Generator<T, void, undefined> {
    const rows = this.#guard(start);
    try {
      for (;;) {
        const next = this.#guard(() => rows.next());
        if (next.done === true) return;
        yield this.#guard(() => map(next.value));
      }
    } finally {
      rows.return?.();
    }
  }

  /** An operation update changed nothing: it was not in the state the transition starts from. */
  #transition(operationId: number, from: OperationStatus, changes: number): void {
    if (changes === 1) return;
    const row = this.#statements.operationStatus.get(operationId);
    const now = row === undefined ? 'not in the journal' : `${row.status}, not ${from}`;
    throw new Error(`operation ${operationId} is ${now}`);
  }

  #requireRun(runId: string): RunRecord {
    const row = this.#statements.runById.get(runId);
    if (row === undefined) throw new Error(`run ${runId} is not in the journal`);
    return runFromRow(row, this.#path);
  }

  #describeRun(runId: string): string {
    const row = this.#statements.runById.get(runId);
    return row === undefined ? 'it is not in the journal' : `it is ${row.status}`;
  }

  /**
   * A run's operations in users-file order, each with its user's line; streamed. The reports of a
   * verify run (which records no operations) lay the verified run's writes over its users with it,
   * while iterateUsers is open — hence a statement of its own.
   */
  *operationsWithLine(runId: string): Generator<{ readonly line: number; readonly operation: StoredOperation }, void, undefined> {
    const statement = this.#guard(() => this.#db.prepare<[string], OperationRow & { readonly user_line: number }>(`
      SELECT user.line AS user_line, ${OPERATION_COLUMN_NAMES.map((name) => `op.${name}`).join(', ')}
      FROM users AS user JOIN operations AS op ON op.user_id = user.id
      WHERE user.run_id = ?
      ORDER BY user.line, op.seq`));
    yield* this.#stream(() => statement.iterate(runId), (row) => ({ line: row.user_line, operation: operationFromRow(row, this.#path) }));
  }
}

/** Where user_baselines.written keeps each number and the default (PriorWrites). */
const WRITTEN_PATHS = ['$.phones.mobile', '$.phones.alternateMobile', '$.phones.office', '$.defaultMethod'] as const;

/** A user_baselines key: the Graph root and the tenant in lower case ('' when unknown). */
function scopeKey(scope: BaselineScope): { readonly graphUrl: string; readonly tenantId: string } {
  return { graphUrl: scope.graphUrl ?? '', tenantId: (scope.tenantId ?? '').toLowerCase() };
}

/** The number a phone operation wrote, from its payload column. */
function phoneNumberOf(payload: string, journalPath: string): string | null {
  const read = new RowReader(journalPath, 'operations payload');
  const value = read.object(read.json(payload, 'payload'), 'payload')['phoneNumber'];
  return typeof value === 'string' ? value : null;
}

/** A user sync saw outside `--group`. */
export interface OutOfScopeUser {
  readonly syncKey: string;
  readonly username: string;
  readonly upn: string | null;
  readonly entraUserId: string;
  readonly fingerprint: string;
}

function countsOf(rows: readonly CountRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((row) => [row.key, row.n]));
}

const OPERATION_COLUMN_NAMES = [
  'id', 'run_id', 'user_id', 'seq', 'kind', 'target', 'payload', 'status', 'attempts', 'request_id', 'graph_code',
  'error_message', 'result', 'reverts_operation_id', 'sent_at', 'done_at', 'app_id',
] as const satisfies readonly (keyof OperationRow)[];
const OPERATION_COLUMNS = OPERATION_COLUMN_NAMES.join(', ');

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  const insertUser = db.prepare<NewUserRow>(`
    INSERT INTO users (run_id, line, username, upn, entra_user_id, matched_by, mapping_status, plan_status, desired, plan, before, issues, updated_at, sync_key, fingerprint)
    VALUES (@run_id, @line, @username, @upn, @entra_user_id, @matched_by, @mapping_status, @plan_status, @desired, @plan, @before, @issues, @updated_at, @sync_key, @fingerprint)`);
  const insertOperation = db.prepare<NewOperationRow>(`
    INSERT INTO operations (run_id, user_id, seq, kind, target, payload, status)
    VALUES (@run_id, @user_id, @seq, @kind, @target, @payload, @status)`);
  const recordChunk = db.transaction(
    (runId: string, records: readonly UserRecord[], updatedAt: string, fingerprint: (seed: Secret) => string): void => {
      for (const record of records) {
        const userId = Number(insertUser.run(userRow(runId, record, updatedAt, fingerprint)).lastInsertRowid);
        operationsOf(record).forEach((operation, index) => {
          insertOperation.run({
            run_id: runId,
            user_id: userId,
            seq: index + 1,
            kind: operation.kind,
            target: operation.target,
            payload: operationPayload(operation),
            status: operation.status,
          });
        });
      }
    },
  );
  return {
    recordChunk,
    insertRun: db.prepare<Omit<RunRow, 'finished_at' | 'summary'>>(`
      INSERT INTO runs (id, command, parent_run_id, status, started_at, tenant_id, graph_url, options, inputs, writer)
      VALUES (@id, @command, @parent_run_id, @status, @started_at, @tenant_id, @graph_url, @options, @inputs, @writer)`),
    finishRun: db.prepare<{ id: string; status: string; finished_at: string; summary: string | null }>(`
      UPDATE runs SET status = @status, finished_at = @finished_at, summary = @summary WHERE id = @id AND status = 'running'`),
    reopenRun: db.prepare<{ id: string; writer: string | null }>(`
      UPDATE runs SET status = 'running', finished_at = NULL, summary = NULL, writer = @writer
      WHERE id = @id AND status IN ('running', 'interrupted', 'failed')`),
    runById: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
    // Runs are never deleted, so rowids give the order they were created in.
    runOrder: db.prepare<[string], { n: number }>('SELECT rowid AS n FROM runs WHERE id = ?'),
    usersOfRun: db.prepare<[string], UserRow>('SELECT * FROM users WHERE run_id = ? ORDER BY line'),
    usersWithSentOperations: db.prepare<[string, string], UserRow>(
      "SELECT * FROM users WHERE run_id = ? AND id IN (SELECT user_id FROM operations WHERE run_id = ? AND status = 'sent') ORDER BY line",
    ),
    setFinalStatus: db.prepare<{ id: number; status: string; updated_at: string }>(
      'UPDATE users SET final_status = @status, updated_at = @updated_at WHERE id = @id'),
    copyUsers: db.prepare<{ from: string; into: string; now: string }>(`
      INSERT INTO users (run_id, line, username, upn, entra_user_id, matched_by, mapping_status, plan_status, desired, plan, before, issues, updated_at, sync_key, fingerprint)
      SELECT @into, line, username, upn, entra_user_id, matched_by, mapping_status, plan_status, desired, plan, before, issues, @now, sync_key, fingerprint
      FROM users WHERE run_id = @from ORDER BY line`),
    copyOperations: db.prepare<{ from: string; into: string }>(`
      INSERT INTO operations (run_id, user_id, seq, kind, target, payload, status)
      SELECT @into, copy.id, op.seq, op.kind, op.target, op.payload, op.status
      FROM operations AS op
      JOIN users AS planned ON planned.id = op.user_id
      JOIN users AS copy ON copy.run_id = @into AND copy.line = planned.line
      WHERE op.run_id = @from
      ORDER BY copy.id, op.seq`),
    operationsOfRunByLine: db.prepare<[string], OperationRow>(`
      SELECT ${OPERATION_COLUMN_NAMES.map((name) => `op.${name}`).join(', ')}
      FROM users AS user JOIN operations AS op ON op.user_id = user.id
      WHERE user.run_id = ?
      ORDER BY user.line, op.seq`),
    operationsOfRun: db.prepare<[string], OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE run_id = ? ORDER BY id`),
    operationsByStatus: db.prepare<[string, string], OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE run_id = ? AND status = ? ORDER BY id`),
    firstByStatus: db.prepare<[string, string, number], OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE run_id = ? AND status = ? ORDER BY id LIMIT ?`),
    userIssuesByLine: db.prepare<[string, number], { id: number; issues: string }>('SELECT id, issues FROM users WHERE run_id = ? AND line = ?'),
    setVerified: db.prepare<{ id: number; status: string; issues: string; updated_at: string }>(
      'UPDATE users SET final_status = @status, issues = @issues, updated_at = @updated_at WHERE id = @id'),
    userIdByLine: db.prepare<[string, number], { id: number }>('SELECT id FROM users WHERE run_id = ? AND line = ?'),
    insertRevert: db.prepare<{ run_id: string; user_id: number; seq: number; kind: string; target: string; payload: string; reverts_operation_id: number }>(`
      INSERT INTO operations (run_id, user_id, seq, kind, target, payload, status, reverts_operation_id)
      VALUES (@run_id, @user_id, @seq, @kind, @target, @payload, 'planned', @reverts_operation_id)`),
    answeredSince: db.prepare<[string, string, string], { answered: number; first_sent_at: string | null }>(`
      SELECT (SELECT count(*) FROM operations WHERE run_id = ? AND status IN ('done', 'failed') AND done_at >= ?) AS answered,
             (SELECT min(sent_at) FROM operations WHERE run_id = ?) AS first_sent_at`),
    operationsOfUser: db.prepare<[number], OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE user_id = ? ORDER BY seq`),
    entraUserIds: db.prepare<[string], { id: number; entra_user_id: string }>(
      'SELECT id, entra_user_id FROM users WHERE run_id = ? AND entra_user_id IS NOT NULL'),
    operationStatus: db.prepare<[number], { status: string }>('SELECT status FROM operations WHERE id = ?'),
    markSent: db.prepare<{ id: number; sent_at: string; app_id: string | null }>(`
      UPDATE operations SET status = 'sent', attempts = attempts + 1, sent_at = @sent_at, app_id = @app_id WHERE id = @id AND status = 'planned'`),
    markDone: db.prepare<{ id: number; request_id: string | null; result: string | null; done_at: string; app_id: string | null }>(`
      UPDATE operations SET status = 'done', request_id = @request_id, result = @result, graph_code = NULL, error_message = NULL,
        done_at = @done_at, app_id = coalesce(@app_id, app_id)
      WHERE id = @id AND status = 'sent'`),
    markFailed: db.prepare<{ id: number; graph_code: string | null; error_message: string; request_id: string | null; done_at: string; app_id: string | null }>(`
      UPDATE operations SET status = 'failed', graph_code = @graph_code, error_message = @error_message, request_id = @request_id,
        done_at = @done_at, app_id = coalesce(@app_id, app_id)
      WHERE id = @id AND status = 'sent'`),
    markSkipped: db.prepare<{ id: number; error_message: string; done_at: string }>(`
      UPDATE operations SET status = 'skipped', error_message = @error_message, done_at = @done_at WHERE id = @id AND status = 'planned'`),
    resetSent: db.prepare<[number]>("UPDATE operations SET status = 'planned' WHERE id = ? AND status = 'sent'"),
    usersByPlanStatus: db.prepare<[string], CountRow>('SELECT plan_status AS key, count(*) AS n FROM users WHERE run_id = ? GROUP BY plan_status'),
    usersByFinalStatus: db.prepare<[string], CountRow>(
      'SELECT final_status AS key, count(*) AS n FROM users WHERE run_id = ? AND final_status IS NOT NULL GROUP BY final_status'),
    operationCounts: db.prepare<[string], { kind: string; status: string; n: number }>(
      'SELECT kind, status, count(*) AS n FROM operations WHERE run_id = ? GROUP BY kind, status'),
    baselinesOf: db.prepare<[string, string], BaselineRow>('SELECT * FROM user_baselines WHERE graph_url = ? AND tenant_id = ?'),
    baselineByKey: db.prepare<[string, string, string], BaselineRow>('SELECT * FROM user_baselines WHERE graph_url = ? AND tenant_id = ? AND sync_key = ?'),
    anyBaseline: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM user_baselines WHERE graph_url = ? AND tenant_id = ? LIMIT 1'),
    writtenOf: db.prepare<[string, string, string], { sync_key: string; written: string }>(
      // Without INDEXED BY SQLite scans the tenant's rows by the primary key's prefix instead.
      'SELECT sync_key, written FROM user_baselines INDEXED BY user_baselines_by_entra_user WHERE graph_url = ? AND tenant_id = ? AND entra_user_id = ?'),
    upsertBaselines: db.prepare<{ graph_url: string; tenant_id: string; run_id: string; read_at: string }>(`
      INSERT INTO user_baselines (graph_url, tenant_id, sync_key, run_id, username, upn, entra_user_id, status, fingerprint, read_at, written, left_at)
      SELECT @graph_url, @tenant_id, sync_key, run_id, username, upn, entra_user_id, final_status, fingerprint,
             CASE WHEN before IS NOT NULL THEN @read_at ELSE NULL END, '{}', NULL
      FROM users WHERE run_id = @run_id AND sync_key IS NOT NULL AND final_status IS NOT NULL
      ON CONFLICT (graph_url, tenant_id, sync_key) DO UPDATE SET
        -- A user this run did not read (skipped, rejected) is still the Entra user we wrote to: what we wrote stays findable (R17).
        run_id = excluded.run_id, username = excluded.username, upn = excluded.upn, entra_user_id = coalesce(excluded.entra_user_id, user_baselines.entra_user_id),
        status = excluded.status, fingerprint = excluded.fingerprint, read_at = excluded.read_at, left_at = NULL`),
    // The same Entra user recorded under another key (the export wrote their username another
    // way) is no longer as that baseline says: it is planned again, and its writes stay findable.
    staleOtherKeys: db.prepare<{ graph_url: string; tenant_id: string; run_id: string }>(`
      UPDATE user_baselines SET fingerprint = NULL
      WHERE graph_url = @graph_url AND tenant_id = @tenant_id AND run_id <> @run_id AND fingerprint IS NOT NULL
        AND entra_user_id IN (
          SELECT entra_user_id FROM users
          WHERE run_id = @run_id AND entra_user_id IS NOT NULL AND sync_key IS NOT NULL AND final_status IS NOT NULL)`),
    writesOfRun: db.prepare<[string], { sync_key: string; kind: string; target: string; payload: string }>(`
      SELECT user.sync_key, op.kind, op.target, op.payload
      FROM operations AS op JOIN users AS user ON user.id = op.user_id
      WHERE op.run_id = ? AND op.status = 'done' AND op.kind IN ('createPhone', 'updatePhone', 'setPreferredMethod') AND user.sync_key IS NOT NULL
      ORDER BY op.id`),
    // The entry replaced is kept one deep as `previous`: a rollback of this run makes it ours again.
    setWritten: db.prepare<{ graph_url: string; tenant_id: string; sync_key: string; path: string; value: string; run_id: string }>(`
      UPDATE user_baselines
      SET written = json_set(written, @path, json_object('value', @value, 'runId', @run_id, 'previous', json(json_remove(json_extract(written, @path), '$.previous'))))
      WHERE graph_url = @graph_url AND tenant_id = @tenant_id AND sync_key = @sync_key`),
    upsertOutOfScope: db.prepare<{ graph_url: string; tenant_id: string; sync_key: string; run_id: string; username: string; upn: string | null; entra_user_id: string; fingerprint: string; read_at: string }>(`
      INSERT INTO user_baselines (graph_url, tenant_id, sync_key, run_id, username, upn, entra_user_id, status, fingerprint, read_at, written, left_at)
      VALUES (@graph_url, @tenant_id, @sync_key, @run_id, @username, @upn, @entra_user_id, 'outOfScope', @fingerprint, @read_at, '{}', NULL)
      ON CONFLICT (graph_url, tenant_id, sync_key) DO UPDATE SET
        run_id = excluded.run_id, username = excluded.username, upn = excluded.upn, entra_user_id = excluded.entra_user_id,
        fingerprint = excluded.fingerprint, read_at = excluded.read_at, left_at = NULL
      WHERE user_baselines.status = 'outOfScope'`),
    setLeftAt: db.prepare<{ graph_url: string; tenant_id: string; sync_key: string; left_at: string | null }>(
      'UPDATE user_baselines SET left_at = @left_at WHERE graph_url = @graph_url AND tenant_id = @tenant_id AND sync_key = @sync_key'),
    forgetFingerprints: db.prepare<[string]>('UPDATE user_baselines SET fingerprint = NULL WHERE run_id = ?'),
    // Paths are WRITTEN_PATHS, our own constants.
    forgetWritten: (path: (typeof WRITTEN_PATHS)[number]) => db.prepare<[string]>(`
      UPDATE user_baselines
      SET written = CASE WHEN json_type(written, '${path}.previous') = 'object'
                         THEN json_set(written, '${path}', json(json_extract(written, '${path}.previous')))
                         ELSE json_remove(written, '${path}') END
      WHERE json_extract(written, '${path}.runId') = ?`),
    // Grouped by the expression, not the alias: json_each has a column named "key" too.
    issueCounts: db.prepare<[string], CountRow>(`
      SELECT json_extract(issue.value, '$.code') AS key, count(*) AS n
      FROM users, json_each(users.issues) AS issue
      WHERE users.run_id = ?
      GROUP BY json_extract(issue.value, '$.code')`),
  };
}
