/**
 * The journal's errors (docs/design.md "Journal file"): each names the journal file and says what
 * to do. SQLite's own error codes are translated here once, so the commands never see a raw
 * SqliteError for a problem a person can fix (wrong file, damaged file, disk full, another process
 * holding the lock).
 */
import Database from 'better-sqlite3';
import { inputError, MigrateError } from '../errors.js';

const UNREADABLE_REMEDY =
  'Check that --state names an mfa-migrate journal this account may read and write. If the file is damaged, restore it from a backup, or give a new --state file (runs recorded in the damaged one cannot then be resumed or rolled back).';

export function journalUnreadable(path: string, reason: string, cause?: unknown): MigrateError {
  return inputError('JOURNAL_UNREADABLE', `journal ${path} cannot be used: ${reason}`, UNREADABLE_REMEDY, {
    file: path,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A row whose stored data does not have the shape this version wrote. */
export function journalDamaged(path: string, reason: string, cause?: unknown): MigrateError {
  return journalUnreadable(path, `it is damaged: ${reason}`, cause);
}

export function journalTooNew(path: string, found: number, supported: number): MigrateError {
  return inputError(
    'JOURNAL_TOO_NEW',
    `journal ${path} was written by a newer mfa-migrate (journal schema version ${found}; this version reads up to ${supported})`,
    'Run the mfa-migrate version that wrote this journal (or a newer one), or give another --state file. The journal was not changed.',
    { file: path },
  );
}

export function journalBusy(path: string, cause: unknown): MigrateError {
  return inputError(
    'JOURNAL_BUSY',
    `journal ${path} is locked by another process`,
    'Another mfa-migrate is writing to this journal. Wait for it to finish (`mfa-migrate status` shows its run), or give another --state file.',
    { file: path, cause },
  );
}

export function journalWriteFailed(path: string, reason: string, cause: unknown): MigrateError {
  return inputError(
    'JOURNAL_WRITE_FAILED',
    `journal ${path} cannot be written: ${reason}`,
    'Free disk space or fix the permissions of the file and its folder, then run the same command again: the journal keeps everything up to its last completed step.',
    { file: path, cause },
  );
}

/**
 * A SqliteError the person can act on becomes a MigrateError; anything else (a constraint broken
 * by a bug, a misuse of the API) is returned unchanged and ends as an internal error.
 */
export function translateSqliteError(error: unknown, path: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  // Extended result codes (SQLITE_IOERR_WRITE, SQLITE_CORRUPT_VTAB…) share the primary code's prefix.
  const code = error.code;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return journalBusy(path, error);
  if (code === 'SQLITE_NOTADB') return journalUnreadable(path, 'it is not an SQLite database', error);
  if (code.startsWith('SQLITE_CORRUPT')) return journalDamaged(path, error.message, error);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return journalUnreadable(path, error.message, error);
  }
  if (code === 'SQLITE_FULL') return journalWriteFailed(path, 'the disk is full', error);
  if (code.startsWith('SQLITE_READONLY')) return journalWriteFailed(path, 'the file or its folder is read-only', error);
  if (code.startsWith('SQLITE_IOERR')) return journalWriteFailed(path, `an I/O error occurred (${code})`, error);
  return error;
}

export function journalNotFound(path: string): MigrateError {
  return new MigrateError({
    code: 'JOURNAL_NOT_FOUND',
    message: `there is no journal at ${path}`,
    remedy: 'Give --state the journal plan or apply wrote (default ./mfa-migrate.db in the folder they ran in).',
  });
}
