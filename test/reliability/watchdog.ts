/**
 * Bounds each generated input in time. A promise race catches a reader that waits forever, but
 * not one that loops without returning to the event loop: then no timer of this process can
 * fire, and vitest would wait for ever. So a small separate process holds the deadline; when an
 * input overruns it, it prints which input (property, run, seed — never its text) and kills this
 * test process, which vitest reports as a failed run.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

// Runs in the watchdog process: each message (re)sets or clears the deadline.
const WATCHDOG_SCRIPT = `
const target = Number(process.argv[1]);
let timer;
process.on('message', (message) => {
  clearTimeout(timer);
  if (message.label === undefined) return;
  timer = setTimeout(() => {
    process.stderr.write('\\nwatchdog: ' + message.label + ' did not finish within ' + message.ms + ' ms; stopping the test process\\n');
    process.kill(target, 'SIGKILL');
    process.exit(1);
  }, message.ms);
});
process.on('disconnect', () => process.exit(0));
`;

export class Watchdog {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static start(): Watchdog {
    const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(process.pid)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.unref();
    return new Watchdog(child);
  }

  /** Resolves once the watchdog holds the deadline, so a loop that starts right after is covered. */
  arm(label: string, ms: number): Promise<void> {
    return this.#send({ label, ms });
  }

  disarm(): Promise<void> {
    return this.#send({});
  }

  stop(): void {
    if (this.#child.connected) this.#child.disconnect();
  }

  #send(message: { readonly label?: string; readonly ms?: number }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#child.send(message, (error) => {
        if (error === null) resolve();
        else reject(error);
      });
    });
  }
}

/** `work`, or a rejection naming `label` when it has not settled after `ms`. */
export async function withDeadline<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${label} did not finish within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
