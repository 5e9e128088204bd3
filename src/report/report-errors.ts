/**
 * Errors of the reports: each names the file or run and says what to do. Reports are rebuilt
 * from the journal at any time, so every remedy ends in the command that does it.
 */
import { inputError, usageError, type MigrateError } from '../errors.js';
import { shellQuote } from '../shell-quote.js';

/** @param journalPath the journal the run is in; null for validate, whose reports come from the exports. */
export function reportWriteFailed(path: string, runId: string, journalPath: string | null, cause: unknown): MigrateError {
  const reason = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? describeFileError(cause.code) : String(cause);
  const remedy = journalPath === null
    ? 'Free disk space or fix the permissions of the --reports folder, then run validate again (or give --reports another folder).'
    : `Free disk space or fix the permissions of the --reports folder, then run \`mfa-migrate report --run ${runId} --state ${shellQuote(journalPath)}\`: reports are rebuilt from the journal, which is unchanged.`;
  return inputError('REPORT_WRITE_FAILED', `report ${path} cannot be written: ${reason}`, remedy, { file: path, cause });
}

function describeFileError(code: string): string {
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file is in the way of the folder';
    default:
      return `the file system answered ${code}`;
  }
}

/** The same code and exit code as `status` (src/migrate/status.ts) gives an empty journal. */
export function journalEmpty(path: string): MigrateError {
  return usageError('JOURNAL_EMPTY', `${path} holds no runs yet`, 'Run `mfa-migrate plan` (or apply) first, or give the --state file your runs were recorded in.');
}

/** The same code and exit code as `status` and `rollback` give an unknown --run. */
export function runNotFound(runId: string, journalPath: string): MigrateError {
  return usageError(
    'RUN_NOT_FOUND',
    `run ${runId} is not in journal ${journalPath}`,
    'Check the run id (plan and apply print it) and the --state file, or leave out --run to use the latest run.',
  );
}
