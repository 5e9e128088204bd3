import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ExitCode, MigrateError, usageError } from '../../errors.js';
import { createGraphGateway } from '../../graph/gateway.js';
import { openJournal } from '../../journal/journal.js';
import { acquireJournalLock } from '../../journal/lock.js';
import { applyExitCode, runApply } from '../../migrate/apply.js';
import { phoneView } from '../../report/phone-mask.js';
import { writeRunReports } from '../../report/write-reports.js';
import { JsonArraySpool } from '../json-document.js';
import {
  addCommonOptions,
  addPolicyOptions,
  addQuietOption,
  addSourceOptions,
  addUnmaskOption,
  type CommonOptions,
  type PolicyOptions,
  type QuietOption,
  type SourceOptions,
  type UnmaskOption,
} from '../options.js';
import { applyDocument, applySummaryText, applyUserJson, applyUserLine } from '../render/apply-output.js';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions } from '../tenant-options.js';
import { shellQuote } from '../../shell-quote.js';
import type { CommandContext } from './context.js';
import { planInputFrom } from './plan.js';

type ApplyOptions = SourceOptions & TenantOptions & PolicyOptions & CommonOptions & UnmaskOption & QuietOption & {
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
  addUnmaskOption(command);
  addQuietOption(command);
  addCommonOptions(command);
  command.action(async (options: ApplyOptions) => {
    const deps = context.stepDeps(options);
    const view = phoneView(options.unmask);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const input = await planInputFrom(options, tenant);
    if (options.tapForReregistration !== undefined && existsSync(options.tapForReregistration)) {
      throw usageError('TAP_FILE_EXISTS', `${options.tapForReregistration} exists already`, 'Name a new file for the Temporary Access Passes: an existing one (maybe holding passes handed out earlier) is never overwritten.');
    }
    const lock = acquireJournalLock(options.state, 'apply', new Date(deps.clock.now()));
    const resumeCommand = `mfa-migrate ${context.args.map(shellQuote).join(' ')}`;
    let stopRequested = false;
    const stopListening = context.io.onInterrupt(() => {
      if (stopRequested) return;
      stopRequested = true;
      context.io.stderr.write('\nStopping: the batches in flight finish and are recorded first (a few seconds)…\n');
    });
    try {
      const journal = openJournal(options.state, { clock: deps.clock });
      const graph = createGraphGateway(tenant.graph, { clock: deps.clock, log: deps.log });
      const startedAt = deps.clock.now();
      try {
        const result = await runApply(
          {
            plan: input,
            planRunId: options.plan ?? null,
            shouldStop: () => stopRequested,
            temporaryAccessPass: options.tapForReregistration === undefined ? null : { file: options.tapForReregistration, lifetimeInMinutes: options.tapLifetime ?? null },
          },
          { ...deps, graph, journal },
        );
        const summaryText = applySummaryText(result, { state: options.state, seconds: (deps.clock.now() - startedAt) / 1000, resumeCommand });
        // Every run leaves its report, an interrupted one too (DESIGN §8), written from the journal alone.
        const reports = await writeRunReports(journal, result.run.id, { dir: options.reports, unmask: false, clock: deps.clock });
        const reportLine = `Reports (phone numbers masked): ${reports.html}\n`;
        if (result.interrupted) {
          context.io.stderr.write(summaryText + reportLine);
          throw new MigrateError({
            code: 'APPLY_INTERRUPTED',
            message: `apply run ${result.run.id} stopped on request with work left; every write sent so far is recorded`,
            exitCode: ExitCode.interrupted,
            remedy: `Resume it with: ${resumeCommand}`,
          });
        }
        if (options.json) {
          const spool = await JsonArraySpool.create();
          try {
            for (const user of journal.iterateUsers(result.run.id)) {
              const pending = spool.add(applyUserJson(user, view));
              if (pending !== undefined) await pending;
            }
            context.io.stderr.write(summaryText + reportLine);
            await spool.writeDocument(context.io.stdout, applyDocument(result, journal.runSummary(result.run.id), view));
          } finally {
            await spool.discard();
          }
        } else {
          for (const user of options.quiet ? [] : journal.iterateUsers(result.run.id)) {
            const line = applyUserLine(user, view);
            if (line !== null) context.io.stdout.write(`${line}\n`);
          }
          context.io.stderr.write(summaryText + reportLine);
        }
        context.setExitCode(applyExitCode(result));
      } catch (error) {
        // A stop the run could not finish cleanly (Graph unreachable, sign-in lost) is resumable too.
        if (error instanceof MigrateError && error.exitCode === ExitCode.interrupted && error.code !== 'APPLY_INTERRUPTED') {
          throw new MigrateError({ code: error.code, message: error.message, exitCode: error.exitCode, remedy: `${error.remedy} Then resume with: ${resumeCommand}`, cause: error });
        }
        throw error;
      } finally {
        graph.close();
        journal.close();
      }
    } finally {
      stopListening();
      lock.release();
    }
  });
}

