/**
 * The one error family of mfa-migrate (docs/design.md "Error family"). Every failure that reaches a
 * person is a MigrateError with a stable code, the exit code of docs/design.md "Exit codes" and a
 * remedy that says what to do next. Only `src/cli/main.ts` turns these into exit codes and text.
 */

import { ERRORS, type ErrorCode, type ErrorCodeWithExit } from './error-catalogue.js';
import { ExitCode } from './exit-codes.js';

export { ExitCode } from './exit-codes.js';
export type { ErrorCode, ErrorCodeWithExit } from './error-catalogue.js';

export interface MigrateErrorOptions {
  /** A code of the catalogue (src/error-catalogue.ts), which also decides the exit code. */
  readonly code: ErrorCode;
  readonly message: string;
  readonly remedy: string;
  readonly cause?: unknown;
  /** Where the problem is, when it is in a file. */
  readonly file?: string;
  readonly line?: number;
  /** Graph's error code and request-id, kept so Microsoft support can trace a failure. */
  readonly graphCode?: string;
  readonly requestId?: string;
}

export class MigrateError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly remedy: string;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly graphCode: string | undefined;
  readonly requestId: string | undefined;

  constructor(options: MigrateErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrateError';
    this.code = options.code;
    this.exitCode = ERRORS[options.code].exitCode;
    this.remedy = options.remedy;
    this.file = options.file;
    this.line = options.line;
    this.graphCode = options.graphCode;
    this.requestId = options.requestId;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      remedy: this.remedy,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.graphCode === undefined ? {} : { graphCode: this.graphCode }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
    };
  }
}

/**
 * An input problem that stops the command (missing column, unreadable file, bad bytes;
 * docs/design.md "File-level errors").
 */
export function inputError(
  code: ErrorCodeWithExit<typeof ExitCode.input>,
  message: string,
  remedy: string,
  where: { file: string; line?: number; cause?: unknown },
): MigrateError {
  return new MigrateError({
    code,
    message,
    remedy,
    file: where.file,
    ...(where.line === undefined ? {} : { line: where.line }),
    ...(where.cause === undefined ? {} : { cause: where.cause }),
  });
}

/** A wrong option or option value; commander's own parse errors are mapped to the same exit code. */
export function usageError(code: ErrorCodeWithExit<typeof ExitCode.usage>, message: string, remedy: string): MigrateError {
  return new MigrateError({ code, message, remedy });
}

/**
 * The command was asked to stop (Ctrl-C, SIGTERM) before `doing`: nothing more is sent to Graph
 * after a stop. Exit 6: the same command continues where this one stopped.
 */
export function interruptedError(doing: string): MigrateError {
  return new MigrateError({
    code: 'INTERRUPTED',
    message: `stopped on request before ${doing}; nothing more was sent to Graph`,
    remedy: 'Run the same command again to continue; what was recorded is kept.',
  });
}
