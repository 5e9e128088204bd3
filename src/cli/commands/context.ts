import type { ExitCode } from '../../errors.js';
import type { CliIo } from '../io.js';
import type { CommonOptions } from '../options.js';
import type { StepDeps } from '../../migrate/deps.js';

/** What main hands every command: the process's streams and a way to build the step deps. */
export interface CommandContext {
  readonly io: CliIo;
  /** The arguments after the command name's program (`apply --users …`), to print the exact resume command. */
  readonly args: readonly string[];
  stepDeps(options: Pick<CommonOptions, 'json' | 'progress' | 'logLevel'>): StepDeps;
  /** A command that finished its output but must end non-zero (4: finished with failed users). */
  setExitCode(code: ExitCode): void;
}
