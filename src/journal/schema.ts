/**
 * The journal's schema and its migrations. `meta.schema_version` says which migrations a file has;
 * opening applies the missing ones in one transaction, and refuses a file from a newer version
 * rather than guess at tables it does not know.
 *
 * Tables are STRICT so a column holds the type the row mapping expects; JSON columns are TEXT
 * (readable with the sqlite3 shell by support) and are checked when read (rows.ts).
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { PlanStatus } from '../plan/operations.js';
import type { OperationStatus } from '../plan/operations.js';
import type { UserStatus } from '../mapping/desired-state.js';
import type { RunCommand, RunStatus } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';

/** `PRAGMA application_id` of every journal ("MFAM"): tells our file from another SQLite database. */
export const APPLICATION_ID = 0x4d46414d;

export const RUN_COMMANDS: Readonly<Record<RunCommand, true>> = { plan: true, apply: true, verify: true, rollback: true, sync: true };
/** The commands schema version 1 knew: its CHECK is written from this list, so a new file is made as an old one was and migrated the same way. */
const FIRST_RUN_COMMANDS: Readonly<Record<string, true>> = { plan: true, apply: true, verify: true, rollback: true };
export const RUN_STATUSES: Readonly<Record<RunStatus, true>> = { running: true, finished: true, interrupted: true, failed: true };
export const MAPPING_STATUSES: Readonly<Record<UserStatus, true>> = { ready: true, skipped: true, rejected: true };
export const PLAN_STATUSES: Readonly<Record<PlanStatus, true>> = {
  planned: true, unchanged: true, conflict: true, skipped: true, unmatched: true, rejected: true, failed: true,
};
export const FINAL_USER_STATUSES: Readonly<Record<FinalUserStatus, true>> = {
  migrated: true, unchanged: true, partial: true, conflict: true, skipped: true, unmatched: true, rejected: true, failed: true,
};
export const OPERATION_STATUSES: Readonly<Record<OperationStatus, true>> = {
  planned: true, conflict: true, sent: true, done: true, failed: true, skipped: true,
};

/** What a baseline row says of its user: the final status of its run, or `outOfScope` (seen by sync, outside --group). */
export const BASELINE_STATUSES: Readonly<Record<FinalUserStatus | 'outOfScope', true>> = { ...FINAL_USER_STATUSES, outOfScope: true };

/** `'a', 'b'` for a CHECK constraint; the values are our own identifiers, never input. */
function sqlList(table: Readonly<Record<string, true>>): string {
  return Object.keys(table).map((value) => `'${value}'`).join(', ');
}

interface Migration {
  readonly version: number;
  readonly apply: (db: Database.Database) => void;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    apply: (db) => {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE runs (
          id            TEXT PRIMARY KEY,
          command       TEXT NOT NULL CHECK (command IN (${sqlList(FIRST_RUN_COMMANDS)})),
          parent_run_id TEXT REFERENCES runs (id),
          status        TEXT NOT NULL CHECK (status IN (${sqlList(RUN_STATUSES)})),
          started_at    TEXT NOT NULL,
          finished_at   TEXT,
          tenant_id     TEXT,
          graph_url     TEXT,
          options       TEXT NOT NULL,
          inputs        TEXT NOT NULL,
          summary       TEXT
        ) STRICT;
        CREATE INDEX runs_by_start ON runs (started_at);
        CREATE INDEX runs_by_parent ON runs (parent_run_id);

        CREATE TABLE users (
          id             INTEGER PRIMARY KEY,
          run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          line           INTEGER NOT NULL,
          username       TEXT NOT NULL,
          upn            TEXT,
          entra_user_id  TEXT,
          matched_by     TEXT,
          mapping_status TEXT NOT NULL CHECK (mapping_status IN (${sqlList(MAPPING_STATUSES)})),
          plan_status    TEXT NOT NULL CHECK (plan_status IN (${sqlList(PLAN_STATUSES)})),
          final_status   TEXT CHECK (final_status IN (${sqlList(FINAL_USER_STATUSES)})),
          desired        TEXT NOT NULL,
          plan           TEXT,
          before         TEXT,
          issues         TEXT NOT NULL,
          updated_at     TEXT NOT NULL,
          -- The users file line identifies a user within a run; apply --plan copies users by it.
          UNIQUE (run_id, line)
        ) STRICT;

        CREATE TABLE operations (
          id                   INTEGER PRIMARY KEY,
          run_id               TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          seq                  INTEGER NOT NULL,
          kind                 TEXT NOT NULL,
          target               TEXT NOT NULL,
          -- Kind-specific fields: new and previous phone number, previous default method, device id.
          payload              TEXT NOT NULL,
          status               TEXT NOT NULL CHECK (status IN (${sqlList(OPERATION_STATUSES)})),
          attempts             INTEGER NOT NULL DEFAULT 0,
          request_id           TEXT,
          graph_code           TEXT,
          error_message        TEXT,
          result               TEXT,
          reverts_operation_id INTEGER REFERENCES operations (id),
          sent_at              TEXT,
          done_at              TEXT,
          UNIQUE (user_id, seq)
        ) STRICT;
        -- Serves "next planned", "sent" (crash reconciliation) and per-status counts; the implicit
        -- rowid suffix keeps each status in execution order without a sort.
        CREATE INDEX operations_by_run_status ON operations (run_id, status);
        CREATE INDEX operations_by_reverted ON operations (reverts_operation_id) WHERE reverts_operation_id IS NOT NULL;
      `);
      // The key of seedFingerprint: random per journal, so a seed's fingerprint cannot be looked up
      // in a table built elsewhere or matched across journals.
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('seed_hmac_key', randomBytes(32).toString('hex'));
    },
  },
  {
    // Who runs each run: the process (pid and host) and the command line that resumes it. A run
    // still `running` whose process is gone from this host was killed: `status` says interrupted.
    version: 2,
    apply: (db) => {
      db.exec('ALTER TABLE runs ADD COLUMN writer TEXT');
    },
  },
  {
    // Which app registration sent each operation (its client id), for audit: with --app-pool the
    // writes of one run go out as several apps. Null for operations that never left, and for the
    // emulator's development token, which names no app.
    version: 3,
    apply: (db) => {
      db.exec('ALTER TABLE operations ADD COLUMN app_id TEXT');
    },
  },
  {
    // Staged migrations (`sync`): runs of command `sync`; per user of a run, the key that finds the
    // same user in the next export and the fingerprint of what the export said; and per tenant and
    // user, what the last finished apply or sync recorded (user_baselines), which sync compares the
    // exports with and the diff reads to know which numbers and defaults are ours to change (R17).
    version: 4,
    apply: (db) => {
      rebuildRunsCommandCheck(db);
      db.exec(`
        ALTER TABLE users ADD COLUMN sync_key TEXT;
        ALTER TABLE users ADD COLUMN fingerprint TEXT;

        CREATE TABLE user_baselines (
          graph_url     TEXT NOT NULL,
          -- Lower case; '' when the runs did not know the tenant (the emulator's development token).
          tenant_id     TEXT NOT NULL,
          sync_key      TEXT NOT NULL,
          -- The last finished apply or sync run that recorded the user.
          run_id        TEXT NOT NULL REFERENCES runs (id),
          username      TEXT NOT NULL,
          upn           TEXT,
          entra_user_id TEXT,
          status        TEXT NOT NULL CHECK (status IN (${sqlList(BASELINE_STATUSES)})),
          fingerprint   TEXT,
          -- When Entra was last read for the user; null when it never was (skipped, rejected).
          read_at       TEXT,
          -- JSON: the numbers and default method runs of ours wrote and when (PriorWrites).
          written       TEXT NOT NULL,
          -- When a sync first found the user gone from the export; null while they are in it.
          left_at       TEXT,
          PRIMARY KEY (graph_url, tenant_id, sync_key)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX user_baselines_by_run ON user_baselines (run_id);
        CREATE INDEX user_baselines_by_entra_user ON user_baselines (graph_url, tenant_id, entra_user_id);
      `);
    },
  },
];


/**
 * SQLite cannot change a CHECK constraint in place: the runs table is made again with the command
 * list of this version and its rows copied (sqlite.org/lang_altertable.html, "Making Other Kinds
 * Of Table Schema Changes"), foreign keys off meanwhile (prepareSchema). Built from the table's own
 * text, so columns added by any migration before this one are kept as they are.
 */
function rebuildRunsCommandCheck(db: Database.Database): void {
  const created = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'runs'").get();
  const check = /CHECK\s*\(\s*command\s+IN\s*\([^)]*\)\s*\)/;
  if (created === undefined || !check.test(created.sql)) throw new Error('the runs table has no command check to widen');
  const rebuilt = created.sql
    .replace(check, `CHECK (command IN (${sqlList(RUN_COMMANDS)}))`)
    .replace(/^CREATE TABLE\s+"?runs"?/, 'CREATE TABLE runs_rebuilt');
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(runs)').all().map((column) => `"${column.name}"`).join(', ');
  const indexes = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'runs' AND sql IS NOT NULL").all();
  db.exec(rebuilt);
  // In rowid order: the rowids keep the order the runs were created in (Journal.priorWrites reads it).
  db.exec(`INSERT INTO runs_rebuilt (${columns}) SELECT ${columns} FROM runs ORDER BY rowid`);
  db.exec('DROP TABLE runs');
  db.exec('ALTER TABLE runs_rebuilt RENAME TO runs');
  for (const index of indexes) db.exec(index.sql);
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The file's schema version: 0 for a new, empty database. */
export function schemaVersionOf(db: Database.Database): number {
  const hasMeta = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get();
  if (hasMeta === undefined || hasMeta.n === 0) return 0;
  const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
  return row === undefined ? 0 : Number.parseInt(row.value, 10);
}

/**
 * Applies the migrations after `from` up to `to` (tests stop early to make an older file); the caller holds the write transaction, with foreign keys
 * off (a table rebuilt by a migration is dropped and renamed). Fails when a row no longer points
 * at what its foreign keys name.
 */
export function migrate(db: Database.Database, from: number, to: number = SCHEMA_VERSION): void {
  for (const migration of MIGRATIONS) {
    if (migration.version > from && migration.version <= to) migration.apply(db);
  }
  const broken = db.prepare('PRAGMA foreign_key_check').all();
  if (broken.length > 0) throw new Error(`the journal's migration left ${String(broken.length)} rows whose references are broken`);
  db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    .run(String(to));
}

export function hasUserTables(db: Database.Database): boolean {
  const row = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get();
  return row !== undefined && row.n > 0;
}
