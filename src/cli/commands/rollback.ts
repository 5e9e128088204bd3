import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { runRollback } from '../../migrate/rollback.js';
import { runCommandSession } from '../command-session.js';
import { phoneView } from '../../report/phone-mask.js';
import { addCommonOptions, addUnmaskOption, type CommonOptions, type UnmaskOption } from '../options.js';
import { rollbackJson, rollbackText } from '../render/rollback-output.js';
import { addUndoTenantOptions, tenantSettingsFrom, type TenantOptions } from '../tenant-options.js';
import { openJournal } from '../../journal/journal.js';
import { recordedRun, recordedTarget } from '../recorded-run.js';
import type { CommandContext } from './context.js';
import { givenOn } from './plan.js';

type RollbackOptions = TenantOptions & CommonOptions & UnmaskOption & { readonly run: string; readonly execute: boolean };

export function registerRollbackCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('rollback')
    .description('undo what an apply run (or a sync cycle) wrote: shows the undo first; --execute sends it (journaled and resumable)')
    .requiredOption('--run <id>', 'the apply or sync run to undo')
    .option('--execute', 'send the undo to Entra (without it nothing is written)', false);
  addUndoTenantOptions(command);
  addUnmaskOption(command);
  addCommonOptions(command);
  command.action(async (given: RollbackOptions) => {
    // The Graph the apply run wrote to, for every sign-in option not given: pasted after a
    // rehearsal, `rollback --run RUN` undoes the rehearsal, never production.
    const journal = openJournal(given.state, { clock: context.stepDeps(given).clock, mustExist: true });
    let options: RollbackOptions;
    try {
      options = recordedTarget(recordedRun(journal, given.run, ['apply']), given, givenOn(command));
    } finally {
      journal.close();
    }
    const tenant = tenantSettingsFrom(options, context.io.env);
    // Only --execute writes, so only it takes the journal's writer lock.
    const settings = { options, graph: tenant.graph, lock: options.execute ? 'rollback' : null, journalMustExist: true };
    await runCommandSession(context, settings, async (session) => {
      const result = await runRollback({ applyRunId: options.run, execute: options.execute, tenant: { graphUrl: tenant.graph.graphRoot, tenantId: options.tenantId ?? null } }, { ...session.deps, graph: session.graph, journal: session.journal });
      if (result.run !== null) context.io.stderr.write((await session.writeReports(result.run.id)).line);
      if (result.interrupted) {
        throw session.interrupted('ROLLBACK_INTERRUPTED', `rollback run ${result.run?.id ?? ''} stopped on request with work left; every write sent so far is recorded`);
      }
      if (options.json) context.io.stdout.write(`${JSON.stringify(rollbackJson(result, phoneView(options.unmask)))}\n`);
      else context.io.stdout.write(rollbackText(result, { args: context.args, view: phoneView(options.unmask) }));
      if ((result.usersByFinalStatus.failed ?? 0) + (result.usersByFinalStatus.partial ?? 0) > 0) context.setExitCode(ExitCode.failedUsers);
    });
  });
}
