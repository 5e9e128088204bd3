/**
 * What a command prints on stdout with `--json` when it fails (schemas/error.schema.json), so a
 * script reading stdout always gets one JSON document.
 */
import { ExitCode, type MigrateError } from '../../errors.js';
import type { ErrorDocument } from './json-documents.js';

export function errorJson(error: MigrateError): ErrorDocument {
  return {
    error: {
      code: error.code,
      message: error.message,
      exitCode: error.exitCode,
      remedy: error.remedy,
      ...(error.file === undefined ? {} : { file: error.file }),
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.graphCode === undefined ? {} : { graphCode: error.graphCode }),
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    },
  };
}

/** A mistake on the command line that commander caught (unknown option, missing value). */
export function usageErrorJson(message: string): ErrorDocument {
  return { error: { code: 'USAGE', message, exitCode: ExitCode.usage, remedy: 'Run the command with --help for its options.' } };
}
