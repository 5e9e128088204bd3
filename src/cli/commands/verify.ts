import type { Command } from 'commander';
import { ExitCode, usageError } from '../../errors.js';
import { createGraphGateway } from '../../graph/gateway.js';
import { openJournal } from '../../journal/journal.js';
import { runVerify, runVerifyExports } from '../../migrate/verify.js';
import { phoneView } from '../../report/phone-mask.js';
import { writeRunReports } from '../../report/write-reports.js';
import { addCommonOptions, addPolicyOptions, addSourceOptions, addUnmaskOption, type UnmaskOption } from '../options.js';
import { verifyJson, verifyText } from '../render/verify-output.js';
import { addTenantOptions, tenantSettingsFrom } from '../tenant-options.js';
import type { CommandContext } from './context.js';
import { planInputFrom, type PlanOptions } from './plan.js';

/** `--users` and the other source options are optional here: given, every user of the exports is verified. */
type VerifyOptions = Omit<PlanOptions, 'users'> & UnmaskOption & { readonly users?: string; readonly run?: string };

export function registerVerifyCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('verify')
    .description('re-read Entra for an apply run\'s users — or, with --users, every user of the exports — and check every method (sends GETs only)')
    .option('--run <id>', 'the apply run to verify (default: the latest)');
  addSourceOptions(command, { required: false, description: 'verify every user of this users export (with --devices, --tokens… as for plan) instead of an apply run\'s users' });
  addTenantOptions(command);
  addPolicyOptions(command);
  addUnmaskOption(command);
  addCommonOptions(command);
  command.action(async (options: VerifyOptions) => {
    const deps = context.stepDeps(options);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const users = options.users;
    if (users !== undefined && options.run !== undefined) {
      throw usageError('OPTION_INVALID', '--users and --run were both given', 'Give --run to verify an apply run\'s users, or --users (with the export options of the plan) to verify every user of the exports.');
    }
    const input = users === undefined ? null : await planInputFrom({ ...options, users }, tenant);
    const journal = openJournal(options.state, { clock: deps.clock, mustExist: input === null });
    const graph = createGraphGateway(tenant.graph, { clock: deps.clock, log: deps.log });
    try {
      const result = input === null
        ? await runVerify({ runId: options.run ?? null }, { ...deps, graph, journal })
        : await runVerifyExports(input, { ...deps, graph, journal });
      const users = [...journal.iterateUsers(result.run.id)];
      const reports = await writeRunReports(journal, result.run.id, { dir: options.reports, unmask: false, clock: deps.clock });
      if (options.json) {
        context.io.stdout.write(`${JSON.stringify(verifyJson(result, users, phoneView(options.unmask)))}\n`);
      } else {
        context.io.stdout.write(verifyText(result, users, { view: phoneView(options.unmask), reportPath: reports.html }));
      }
      context.io.stderr.write(`Reports (phone numbers masked): ${reports.html}\n`);
      const failing = (result.usersByStatus.failed ?? 0) + (result.usersByStatus.partial ?? 0) + result.drifted;
      if (failing > 0) context.setExitCode(ExitCode.failedUsers);
    } finally {
      graph.close();
      journal.close();
    }
  });
}
