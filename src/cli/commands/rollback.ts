import type { Command } from 'commander';
import { ExitCode, MigrateError } from '../../errors.js';
import { createGraphGateway } from '../../graph/gateway.js';
import { openJournal } from '../../journal/journal.js';
import { acquireJournalLock } from '../../journal/lock.js';
import { runRollback } from '../../migrate/rollback.js';
import { phoneView } from '../../report/phone-mask.js';
import { writeRunReports } from '../../report/write-reports.js';
import { addCommonOptions, addUnmaskOption, type CommonOptions, type UnmaskOption } from '../options.js';
import { rollbackJson, rollbackText } from '../render/rollback-output.js';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions } from '../tenant-options.js';
import { shellQuote } from '../../shell-quote.js';
import type { CommandContext } from './context.js';

type RollbackOptions = TenantOptions & CommonOptions & UnmaskOption & { readonly run: string; readonly execute: boolean };

export function registerRollbackCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('rollback')
    .description('undo what an apply run wrote: shows the undo first; --execute sends it (journaled and resumable)')
    .requiredOption('--run <id>', 'the apply run to undo')
    .option('--execute', 'send the undo to Entra (without it nothing is written)', false);
  addTenantOptions(command);
  addUnmaskOption(command);
  addCommonOptions(command);
  command.action(async (options: RollbackOptions) => {
    const deps = context.stepDeps(options);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const lock = options.execute ? acquireJournalLock(options.state, 'rollback', new Date(deps.clock.now())) : null;
    const resumeCommand = `mfa-migrate ${context.args.map(shellQuote).join(' ')}`;
    let stopRequested = false;
    const stopListening = context.io.onInterrupt(() => {
      stopRequested = true;
      context.io.stderr.write('\nStopping: the batches in flight finish and are recorded first…\n');
    });
    try {
      const journal = openJournal(options.state, { clock: deps.clock, mustExist: true });
      const graph = createGraphGateway(tenant.graph, { clock: deps.clock, log: deps.log });
      try {
        const result = await runRollback({ applyRunId: options.run, execute: options.execute, shouldStop: () => stopRequested }, { ...deps, graph, journal });
        if (result.run !== null) {
          const reports = await writeRunReports(journal, result.run.id, { dir: options.reports, unmask: false, clock: deps.clock });
          context.io.stderr.write(`Reports (phone numbers masked): ${reports.html}\n`);
        }
        if (result.interrupted) {
          throw new MigrateError({
            code: 'ROLLBACK_INTERRUPTED',
            message: `rollback run ${result.run?.id ?? ''} stopped on request with work left; every write sent so far is recorded`,
            exitCode: ExitCode.interrupted,
            remedy: `Resume it with: ${resumeCommand}`,
          });
        }
        if (options.json) context.io.stdout.write(`${JSON.stringify(rollbackJson(result, phoneView(options.unmask)))}\n`);
        else context.io.stdout.write(rollbackText(result, { args: context.args, view: phoneView(options.unmask) }));
        if ((result.usersByFinalStatus.failed ?? 0) + (result.usersByFinalStatus.partial ?? 0) > 0) context.setExitCode(ExitCode.failedUsers);
      } finally {
        graph.close();
        journal.close();
      }
    } finally {
      stopListening();
      lock?.release();
    }
  });
}
