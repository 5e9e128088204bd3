/**
 * One writer per journal: a second apply or `rollback --execute` on the same journal is refused
 * while one runs (docs/design.md "Lock file"). SQLite's own locks last one transaction; apply and
 * rollback hold the journal for hours, so they take this lock file beside it: `<state>.lock`,
 * created exclusively, holding the owner's pid, host and start time.
 *
 * A process killed with SIGKILL cannot remove its lock. A lock from this host whose pid no longer
 * runs is therefore taken over; a lock from another host (a journal on a shared folder) is never
 * guessed at — the admin is told how to remove it.
 */
import { hostname } from 'node:os';
import { closeSync, linkSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MigrateError } from '../errors.js';
import { shellQuote } from '../shell-quote.js';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly startedAt: string;
}

export interface JournalLock {
  readonly path: string;
  release(): void;
}

/** A lock file without a readable owner older than this was left by a process killed while writing it. */
const HALF_WRITTEN_LOCK_MS = 10_000;
/** How often a vanished owner's lock is retaken before giving up (two resumes racing for it). */
const TAKEOVER_ATTEMPTS = 3;
const DRAFT_SUFFIX = '.draft';

export function lockPathOf(statePath: string): string {
  return `${statePath}.lock`;
}

/**
 * Takes the journal's writer lock for `command`, or throws JOURNAL_LOCKED naming the owner.
 * @param isRunning whether a pid runs on this host (injected so tests need not find a dead pid)
 */
export function acquireJournalLock(statePath: string, command: string, now: Date, isRunning: (pid: number) => boolean = processIsRunning): JournalLock {
  const path = lockPathOf(statePath);
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: now.toISOString() };
  removeVanishedDrafts(path, isRunning);
  for (let attempt = 1; attempt <= TAKEOVER_ATTEMPTS; attempt++) {
    try {
      createWhole(path, owner);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          // Only our own lock: a takeover by another process after ours vanished must survive.
          if (readOwner(path)?.pid === owner.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) {
        throw new MigrateError({
          code: 'JOURNAL_LOCK_FAILED',
          message: `cannot create the lock file ${path}: ${error instanceof Error ? error.message : String(error)}`,
          remedy: 'Give --state a journal in a folder this account may write to.',
          cause: error,
        });
      }
      const current = readOwner(path);
      const ownerDied = current !== null && current.host === owner.host && !isRunning(current.pid);
      if (ownerDied || (current === null && halfWrittenLongAgo(path, now))) {
        // The owner died (crash, SIGKILL, reboot): its journal is consistent, the lock is stale.
        unlinkStale(path);
        continue;
      }
      throw lockedError(statePath, path, current);
    }
  }
  throw lockedError(statePath, path, readOwner(path));
}

/**
 * Creates the lock file holding `owner`, whole or not at all: the owner is written to a draft
 * named after our pid, then linked to the lock path (atomic, and EEXIST when taken). A process
 * killed at any moment leaves no lock file without an owner — a crash test found that a kill
 * between create and write left an empty lock that refused the resume.
 */
function createWhole(path: string, owner: LockOwner): void {
  const draft = `${path}.${String(owner.pid)}${DRAFT_SUFFIX}`;
  writeFileSync(draft, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (error) {
    // File systems without hard links (some network shares): exclusive create, then write.
    if (!(error instanceof Error && 'code' in error && (error.code === 'EPERM' || error.code === 'ENOTSUP' || error.code === 'ENOSYS'))) throw error;
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(owner)}\n`);
    } finally {
      closeSync(fd);
    }
  } finally {
    unlinkStale(draft);
  }
}

/** Drafts left by processes killed between writing and linking them (one per kill at most). */
function removeVanishedDrafts(path: string, isRunning: (pid: number) => boolean): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return; // The create below reports an unreadable folder with its remedy.
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(DRAFT_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length, -DRAFT_SUFFIX.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) unlinkStale(join(dirname(path), name));
  }
}

function lockedError(statePath: string, path: string, owner: LockOwner | null): MigrateError {
  const who = owner === null ? 'another process' : `${owner.command} (pid ${String(owner.pid)} on ${owner.host}, started ${owner.startedAt})`;
  return new MigrateError({
    code: 'JOURNAL_LOCKED',
    message: `the journal ${statePath} is in use by ${who}`,
    remedy: `Wait for it to finish (\`mfa-migrate status --state ${shellQuote(statePath)}\` shows its progress). If that process is gone for certain (another machine, or it was stopped), delete ${path} and run again; the journal itself stays consistent.`,
  });
}

function readOwner(path: string): LockOwner | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { pid, host, command, startedAt } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof command !== 'string' || typeof startedAt !== 'string') return null;
    return { pid, host, command, startedAt };
  } catch {
    // Missing (released meanwhile) or half-written by a process killed while writing it.
    return null;
  }
}

function halfWrittenLongAgo(path: string, now: Date): boolean {
  try {
    return now.getTime() - statSync(path).mtimeMs > HALF_WRITTEN_LOCK_MS;
  } catch {
    return false;
  }
}

function unlinkStale(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
}

/** Whether a process with this pid runs on this host (one of another account counts). */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs under another account.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
