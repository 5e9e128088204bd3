import type { Command } from 'commander';
import { openJournal } from '../../journal/journal.js';
import { readRunStatus } from '../../migrate/status.js';
import { statusJson, statusText } from '../render/status-output.js';
import { pathOption } from '../options.js';
import { addIgnoredTenantOptions } from '../tenant-options.js';
import type { CommandContext } from './context.js';

interface StatusOptions {
  readonly run?: string;
  readonly state: string;
  readonly json: boolean;
  readonly progress: boolean;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export function registerStatusCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('status')
    .description('progress of the latest run (or --run) from the journal: done, failed, remaining, writes per minute, time left')
    .option('--run <id>', 'the run to show (default: the latest)')
    .option('--state <file>', 'journal of runs (SQLite)', pathOption('--state'), './mfa-migrate.db')
    .option('--json', 'print one JSON document on stdout', false)
    .option('--no-progress', 'accepted for symmetry with the other commands; status draws no live bar');
  addIgnoredTenantOptions(command);
  command.action((options: StatusOptions) => {
      const deps = context.stepDeps({ ...options, logLevel: 'warn' });
      const journal = openJournal(options.state, { clock: deps.clock, mustExist: true });
      try {
        const view = readRunStatus(journal, options.run ?? null, deps.clock);
        if (options.json) context.io.stdout.write(`${JSON.stringify(statusJson(view, { state: options.state }))}\n`);
        else context.io.stdout.write(statusText(view, { state: options.state }));
      } finally {
        journal.close();
      }
    });
}
