/** A CliIo whose streams are captured as text, for running commands in this process. */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';

export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
  /** Calls the Ctrl-C listeners a command registered, as a SIGINT would. */
  interrupt(): void;
}

/** `exit` throws (a command must not end the test process); `env` is all the environment the command sees. */
export function capturedIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
  const listeners = new Set<() => void>();
  return {
    stdout,
    stderr,
    env,
    isTTY: false,
    exit: (code) => { throw new Error(`exit ${String(code)}`); },
    onInterrupt: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    out: () => out,
    err: () => err,
    interrupt: () => { for (const listener of [...listeners]) listener(); },
  };
}
