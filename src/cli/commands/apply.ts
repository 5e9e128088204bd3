import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { usageError } from '../../errors.js';
import { applyExitCode, runApply } from '../../migrate/apply.js';
import { runCommandSession } from '../command-session.js';
import { JsonArraySpool } from '../json-document.js';
import {
  addCommonOptions,
  addPolicyOptions,
  addSourceOptions,
  type CommonOptions,
  type PolicyOptions,
  type SourceOptions,
} from '../options.js';
import { applyDocument, applySummaryText, applyUserJson, applyUserLine } from '../render/apply-output.js';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions } from '../tenant-options.js';
import type { CommandContext } from './context.js';
import { givenOn, planInputFrom } from './plan.js';

type ApplyOptions = SourceOptions & TenantOptions & PolicyOptions & CommonOptions & {
  readonly plan?: string;
  readonly tapForReregistration?: string;
  readonly tapLifetime?: number;
};

function parseTapLifetime(value: string): number {
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 10 || minutes > 43_200) {
    throw usageError('OPTION_INVALID', `--tap-lifetime "${value}" is not a whole number of minutes from 10 to 43200`, 'Give e.g. --tap-lifetime 480 (eight hours), or leave it out for the tenant policy\'s default.');
  }
  return minutes;
}

export function registerApplyCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('apply')
    .description('write the plan to Entra in throttle-aware $batch requests; resumes an unfinished run of the same exports')
    .option('--plan <run>', 'execute this stored plan (its run id, as plan printed) instead of planning first')
    .option('--tap-for-reregistration <file>', 'after apply, create a Temporary Access Pass for each user who must register Authenticator again, written only to this new file (mode 0600)')
    .option('--tap-lifetime <minutes>', 'lifetime of those passes, 10–43200 minutes (default: the tenant policy\'s)', parseTapLifetime);
  addSourceOptions(command);
  addTenantOptions(command);
  addPolicyOptions(command);
  addCommonOptions(command);
  command.action(async (options: ApplyOptions) => {
    const tenant = tenantSettingsFrom(options, context.io.env);
    const input = await planInputFrom(options, tenant, givenOn(command));
    if (options.tapForReregistration !== undefined && existsSync(options.tapForReregistration)) {
      throw usageError('TAP_FILE_EXISTS', `${options.tapForReregistration} exists already`, 'Name a new file for the Temporary Access Passes: an existing one (maybe holding passes handed out earlier) is never overwritten.');
    }
    await runCommandSession(context, { options, graph: tenant.graph, lock: 'apply', journalMustExist: false }, async (session) => {
      const { deps, journal } = session;
      const startedAt = deps.clock.now();
      const result = await runApply(
        {
          plan: input,
          planRunId: options.plan ?? null,
          temporaryAccessPass: options.tapForReregistration === undefined ? null : { file: options.tapForReregistration, lifetimeInMinutes: options.tapLifetime ?? null },
        },
        { ...deps, graph: session.graph, journal },
      );
      const summaryText = applySummaryText(result, { state: options.state, seconds: (deps.clock.now() - startedAt) / 1000, resumeCommand: session.resumeCommand });
      // Every run leaves its report, an interrupted one too, written from the journal alone.
      const reportLine = await session.writeReports(result.run.id);
      if (result.interrupted) {
        context.io.stderr.write(summaryText + reportLine);
        throw session.interrupted('APPLY_INTERRUPTED', `apply run ${result.run.id} stopped on request with work left; every write sent so far is recorded`);
      }
      if (options.json) {
        const spool = await JsonArraySpool.create();
        try {
          for (const user of journal.iterateUsers(result.run.id)) {
            const pending = spool.add(applyUserJson(user));
            if (pending !== undefined) await pending;
          }
          context.io.stderr.write(summaryText + reportLine);
          await spool.writeDocument(context.io.stdout, applyDocument(result, journal.runSummary(result.run.id)));
        } finally {
          await spool.discard();
        }
      } else {
        for (const user of journal.iterateUsers(result.run.id)) {
          const line = applyUserLine(user);
          if (line !== null) context.io.stdout.write(`${line}\n`);
        }
        context.io.stderr.write(summaryText + reportLine);
      }
      context.setExitCode(applyExitCode(result));
    });
  });
}
