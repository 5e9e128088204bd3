import type { CliIo } from '../io.js';
import type { CommonOptions } from '../options.js';
import type { StepDeps } from '../../migrate/deps.js';

/** What main hands every command: the process's streams and a way to build the step deps. */
export interface CommandContext {
  readonly io: CliIo;
  stepDeps(options: Pick<CommonOptions, 'json' | 'progress' | 'logLevel'>): StepDeps;
}
