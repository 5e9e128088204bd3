import type { Command } from 'commander';
import { ExitCode, usageError } from '../../errors.js';
import { runVerify, runVerifyExports } from '../../migrate/verify.js';
import { runCommandSession } from '../command-session.js';
import { phoneView } from '../../report/phone-mask.js';
import { addCommonOptions, addPolicyOptions, addSourceOptions, addUnmaskOption, type UnmaskOption } from '../options.js';
import { verifyJson, verifyText } from '../render/verify-output.js';
import { addReadTenantOptions, tenantSettingsFrom } from '../tenant-options.js';
import type { CommandContext } from './context.js';
import { givenOn, planInputFrom, type PlanOptions } from './plan.js';

/** `--users` and the other source options are optional here: given, every user of the exports is verified. */
type VerifyOptions = Omit<PlanOptions, 'users'> & UnmaskOption & { readonly users?: string; readonly run?: string };

export function registerVerifyCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('verify')
    .description('re-read Entra for an apply or sync run\'s users — or, with --users, every user of the exports — and check every method (sends GETs only)')
    .option('--run <id>', 'the apply or sync run to verify (default: the latest that recorded users)');
  addSourceOptions(command, { required: false, description: 'verify every user of this users export (with --devices, --tokens… as for plan) instead of an apply run\'s users' });
  addReadTenantOptions(command);
  addPolicyOptions(command);
  addUnmaskOption(command);
  addCommonOptions(command);
  command.action(async (options: VerifyOptions) => {
    const tenant = tenantSettingsFrom(options, context.io.env);
    const users = options.users;
    if (users !== undefined && options.run !== undefined) {
      throw usageError('OPTION_INVALID', '--users and --run were both given', 'Give --run to verify an apply run\'s users, or --users (with the export options of the plan) to verify every user of the exports.');
    }
    const input = users === undefined ? null : await planInputFrom({ ...options, users }, tenant, givenOn(command));
    await runCommandSession(context, { options, graph: tenant.graph, lock: null, journalMustExist: input === null }, async ({ deps, graph, journal, writeReports }) => {
      const result = input === null
        ? await runVerify({ runId: options.run ?? null }, { ...deps, graph, journal })
        : await runVerifyExports(input, { ...deps, graph, journal });
      const verified = [...journal.iterateUsers(result.run.id)];
      const reports = await writeReports(result.run.id);
      if (options.json) {
        context.io.stdout.write(`${JSON.stringify(verifyJson(result, verified, phoneView(options.unmask)))}\n`);
      } else {
        context.io.stdout.write(verifyText(result, verified, { view: phoneView(options.unmask), reportPath: reports.html }));
      }
      context.io.stderr.write(reports.line);
      const failing = (result.usersByStatus.failed ?? 0) + (result.usersByStatus.partial ?? 0) + result.drifted;
      if (failing > 0) context.setExitCode(ExitCode.failedUsers);
    });
  });
}
