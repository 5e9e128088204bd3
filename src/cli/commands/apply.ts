import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { MigrateError, usageError } from '../../errors.js';
import { openJournal } from '../../journal/journal.js';
import type { PlanDecidingOptions } from '../../migrate/deciding-options.js';
import { commandLine } from '../../shell-quote.js';
import { recordedDeciding, recordedFiles, recordedRun, recordedTarget, type OptionGiven } from '../recorded-run.js';
import { applyExitCode, runApply } from '../../migrate/apply.js';
import { runCommandSession } from '../command-session.js';
import { phoneView } from '../../report/phone-mask.js';
import { JsonArraySpool } from '../json-document.js';
import {
  addCommonOptions,
  addPolicyOptions,
  addQuietOption,
  addSourceOptions,
  mappingOptionsFrom,
  addUnmaskOption,
  type CommonOptions,
  type PolicyOptions,
  type QuietOption,
  type SourceOptions,
  type UnmaskOption,
} from '../options.js';
import { applyDocument, applySummaryText, applyUserJson, applyUserLine } from '../render/apply-output.js';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions } from '../tenant-options.js';
import type { CommandContext } from './context.js';
import { givenOn, planInputFrom } from './plan.js';

type ApplyOptions = Omit<SourceOptions, 'users'> & TenantOptions & PolicyOptions & CommonOptions & UnmaskOption & QuietOption & {
  /** Not needed with --plan or --resume: the run recorded its exports. */
  readonly users?: string;
  readonly plan?: string;
  readonly resume?: string;
  readonly tapForReregistration?: string;
  readonly tapLifetime?: number;
};

type ExportsGiven = ApplyOptions & { readonly users: string };

/**
 * The options apply runs with. `--resume RUN` (an unfinished apply run), or `--plan RUN` without
 * `--users`, take from the journal the exports, the deciding options and the Graph target the run
 * recorded, for every option not given now — so `mfa-migrate apply --plan RUN` and
 * `mfa-migrate apply --resume RUN`, as the tool prints them, work when pasted.
 */
function effectiveOptions(options: ApplyOptions, given: OptionGiven, context: CommandContext): { readonly options: ExportsGiven; readonly planRunId: string | null } {
  if (options.plan !== undefined && options.resume !== undefined) {
    throw usageError('OPTION_INVALID', '--plan and --resume were both given', 'Give --resume RUN to go on with an unfinished apply run, or --plan RUN to execute a stored plan.');
  }
  const from = options.resume ?? (options.users === undefined ? options.plan : undefined);
  if (from === undefined) {
    if (options.users === undefined) {
      throw usageError('OPTION_MISSING', '--users is missing', 'Give the MFA Server users export with --users (and --devices, --tokens as for plan), or --plan RUN / --resume RUN to take them from the journal.');
    }
    return { options: { ...options, users: options.users }, planRunId: options.plan ?? null };
  }
  const journal = openJournal(options.state, { clock: context.stepDeps(options).clock, mustExist: true });
  try {
    const run = recordedRun(journal, from, options.resume === undefined ? ['plan'] : ['apply']);
    if (options.resume !== undefined && run.status !== 'running' && run.status !== 'interrupted') {
      throw usageError(
        'RUN_NOT_RESUMABLE',
        `apply run ${run.id} is ${run.status}; there is nothing to resume`,
        `\`mfa-migrate status --run ${run.id}\` shows what it did; to write what is still missing, run apply again with the exports (it plans anew).`,
      );
    }
    const files = recordedFiles(run);
    const deciding = recordedDeciding(run, decidingOf(options), given);
    const merged: ExportsGiven = {
      ...recordedTarget(run, options, given),
      ...(given('users') || given('devices') || given('tokens') ? {} : files),
      users: given('users') && options.users !== undefined ? options.users : files.users,
      encoding: deciding.encoding,
      delimiter: deciding.delimiter,
      defaultCountryCode: deciding.defaultCountryCode,
      includeDisabled: deciding.includeDisabled,
      tokenSecretEncoding: deciding.tokenSecretEncoding,
      hardwareTokens: deciding.hardwareTokens,
      phoneConflict: deciding.phoneConflict,
      defaultMethod: deciding.defaultMethod,
      ...(deciding.upnSuffix === null ? {} : { upnSuffix: deciding.upnSuffix }),
      ...(deciding.group === null ? {} : { group: deciding.group }),
      ...(deciding.matchAttribute === null ? {} : { matchAttribute: deciding.matchAttribute }),
    };
    return { options: merged, planRunId: options.resume === undefined ? run.id : run.parentRunId };
  } finally {
    journal.close();
  }
}

/** The deciding options as given on the command line (or defaulted). */
function decidingOf(options: ApplyOptions): PlanDecidingOptions {
  return {
    encoding: options.encoding,
    delimiter: options.delimiter,
    ...mappingOptionsFrom({ ...options, users: options.users ?? '' }),
    phoneConflict: options.phoneConflict,
    defaultMethod: options.defaultMethod,
    group: options.group ?? null,
    matchAttribute: options.matchAttribute ?? null,
  };
}

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
    .option('--plan <run>', 'execute this stored plan (its run id, as plan printed) instead of planning first; without --users, with the exports and options the plan recorded')
    .option('--resume <run>', 'go on with this unfinished apply run, with the exports, options and Graph it recorded')
    .option('--tap-for-reregistration <file>', 'after apply, create a Temporary Access Pass for each user who must register Authenticator again, written only to this new file (mode 0600)')
    .option('--tap-lifetime <minutes>', 'lifetime of those passes, 10–43200 minutes (default: the tenant policy\'s)', parseTapLifetime);
  addSourceOptions(command, { required: false, description: 'MFA Server users export (File > Export Users), CSV; not needed with --plan or --resume, which take the exports the run recorded' });
  addTenantOptions(command);
  addPolicyOptions(command);
  addUnmaskOption(command);
  addQuietOption(command);
  addCommonOptions(command);
  command.action(async (given: ApplyOptions) => {
    const isGiven = givenOn(command);
    const { options, planRunId } = effectiveOptions(given, isGiven, context);
    const view = phoneView(options.unmask);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const input = await planInputFrom(options, tenant, isGiven);
    if (options.tapForReregistration !== undefined && existsSync(options.tapForReregistration)) {
      throw usageError('TAP_FILE_EXISTS', `${options.tapForReregistration} exists already`, 'Name a new file for the Temporary Access Passes: an existing one (maybe holding passes handed out earlier) is never overwritten.');
    }
    await runCommandSession(context, { options, graph: tenant.graph, lock: 'apply', journalMustExist: false }, async (session) => {
      const { deps, journal } = session;
      const startedAt = deps.clock.now();
      const result = await runApply(
        {
          plan: input,
          planRunId,
          temporaryAccessPass: options.tapForReregistration === undefined ? null : { file: options.tapForReregistration, lifetimeInMinutes: options.tapLifetime ?? null },
        },
        { ...deps, graph: session.graph, journal },
      );
      const summaryText = applySummaryText(result, { state: options.state, seconds: (deps.clock.now() - startedAt) / 1000, resumeCommand: resumeCommandOf(result.run.id, options) });
      // Every run leaves its report, an interrupted one too, written from the journal alone.
      const reportLine = (await session.writeReports(result.run.id)).line;
      if (result.interrupted) {
        context.io.stderr.write(summaryText + reportLine);
        throw new MigrateError({
          code: 'APPLY_INTERRUPTED',
          message: `apply run ${result.run.id} stopped on request with work left; every write sent so far is recorded`,
          remedy: `Resume it with: ${resumeCommandOf(result.run.id, options)}`,
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
    });
  });
}

/** `mfa-migrate apply --resume RUN --state …`: everything else comes from the journal. */
function resumeCommandOf(runId: string, options: CommonOptions): string {
  return commandLine(['apply', '--resume', runId, '--state', options.state, ...(options.reports === './reports' ? [] : ['--reports', options.reports])]);
}
