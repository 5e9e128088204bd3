/**
 * What a command may touch of the outside world. Passed in so e2e and unit tests can run commands
 * in-process with captured streams (dependencies are injected, never patched:
 * docs/design.md "Dependency rules").
 */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stderr is an interactive terminal (progress bars, colours). */
  readonly isTTY: boolean;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  readonly onInterrupt: (listener: () => void) => () => void;
  /** Ends the process at once with this code: a second Ctrl-C, when waiting is not wanted. */
  readonly exit: (code: number) => never;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stderr.isTTY,
    exit: (code) => process.exit(code),
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}

/** Colours only on a terminal and never when NO_COLOR is set (https://no-color.org). */
export function useColour(io: CliIo): boolean {
  const noColour = io.env['NO_COLOR'];
  return io.isTTY && (noColour === undefined || noColour === '');
}
