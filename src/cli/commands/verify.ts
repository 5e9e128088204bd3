import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { createGraphGateway } from '../../graph/gateway.js';
import { openJournal } from '../../journal/journal.js';
import { runVerify } from '../../migrate/verify.js';
import { writeRunReports } from '../../report/write-reports.js';
import { addCommonOptions, type CommonOptions } from '../options.js';
import { verifyText, verifyUserJson } from '../render/verify-output.js';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions } from '../tenant-options.js';
import type { CommandContext } from './context.js';

type VerifyOptions = TenantOptions & CommonOptions & { readonly run?: string };

export function registerVerifyCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('verify')
    .description('re-read Entra for an apply run\'s users and check every method against the exports and the journal (sends GETs only)')
    .option('--run <id>', 'the apply run to verify (default: the latest)');
  addTenantOptions(command);
  addCommonOptions(command);
  command.action(async (options: VerifyOptions) => {
    const deps = context.stepDeps(options);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const journal = openJournal(options.state, { clock: deps.clock, mustExist: true });
    const graph = createGraphGateway(tenant.graph, { clock: deps.clock, log: deps.log });
    try {
      const result = await runVerify({ runId: options.run ?? null }, { ...deps, graph, journal });
      const users = [...journal.iterateUsers(result.run.id)];
      if (options.json) {
        context.io.stdout.write(`${JSON.stringify({ runId: result.run.id, verifiedRunId: result.verifiedRun.id, summary: { usersByStatus: result.usersByStatus, drifted: result.drifted, checked: result.checked }, users: users.map(verifyUserJson) })}\n`);
      } else {
        context.io.stdout.write(verifyText(result, users));
      }
      const reports = await writeRunReports(journal, result.run.id, { dir: options.reports, unmask: false, clock: deps.clock });
      context.io.stderr.write(`Reports (phone numbers masked): ${reports.html}\n`);
      const failing = (result.usersByStatus.failed ?? 0) + (result.usersByStatus.partial ?? 0) + result.drifted;
      if (failing > 0) context.setExitCode(ExitCode.failedUsers);
    } finally {
      graph.close();
      journal.close();
    }
  });
}
