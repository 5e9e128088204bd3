/**
 * The logger every step receives through its deps. Human text only; it goes to stderr so stdout
 * stays clean for `--json`. Callers never pass secrets: records carry them as `Secret`, which
 * prints as [REDACTED] even if one slips into a message.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Log {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function streamLog(stream: NodeJS.WritableStream, level: LogLevel): Log {
  const write = (at: LogLevel, message: string): void => {
    if (ORDER[at] <= ORDER[level]) stream.write(`${message}\n`);
  };
  return {
    error: (message) => { write('error', message); },
    warn: (message) => { write('warn', message); },
    info: (message) => { write('info', message); },
    debug: (message) => { write('debug', message); },
  };
}

/** A logger that keeps what it is told; for tests that assert on what a person would read. */
export function memoryLog(): Log & { readonly lines: readonly string[] } {
  const lines: string[] = [];
  const keep = (message: string): void => { lines.push(message); };
  return { lines, error: keep, warn: keep, info: keep, debug: keep };
}
