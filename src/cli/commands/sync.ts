import type { Command } from 'commander';
import { ExitCode, usageError } from '../../errors.js';
import { DEFAULT_RECHECK_AFTER_DAYS, MS_PER_DAY, runSync, type SyncCycleResult, type SyncSchedule } from '../../migrate/sync.js';
import { runCommandSession, type CommandSession } from '../command-session.js';
import { JsonArraySpool } from '../json-document.js';
import { phoneView, type PhoneView } from '../../report/phone-mask.js';
import { addCommonOptions, addPolicyOptions, addQuietOption, addSourceOptions, addUnmaskOption, type QuietOption, type UnmaskOption } from '../options.js';
import { applyUserJson, applyUserLine } from '../render/apply-output.js';
import { syncCycleLine, syncDocument, syncSummaryText } from '../render/sync-output.js';
import { addTenantOptions, tenantSettingsFrom } from '../tenant-options.js';
import type { CommandContext } from './context.js';
import { givenOn, planInputFrom, type PlanOptions } from './plan.js';

type SyncOptions = PlanOptions & UnmaskOption & QuietOption & {
  readonly recheckAfter: number;
  readonly every?: number;
};

/** The shortest --every: a cycle reads every export whole, so seconds apart is already a busy loop. */
const MIN_EVERY_MS = 1_000;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: MS_PER_DAY };

/** `15m`, `1h30m`, `90s`, `1d` → milliseconds. */
export function parseDuration(value: string): number {
  const text = value.trim().toLowerCase();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*([smhd])/g)];
  const consumed = parts.map((part) => part[0]).join('');
  const ms = parts.reduce((sum, part) => sum + Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? Number.NaN), 0);
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== text.replace(/\s/g, '') || !(ms >= MIN_EVERY_MS)) {
    throw usageError('OPTION_INVALID', `--every "${value}" is not a duration of at least 1 s`, 'Give a number with a unit: s, m, h or d — e.g. --every 15m, --every 1h30m, --every 1d.');
  }
  return ms;
}

function parseDays(value: string): number {
  const days = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(days) || days < 0) {
    throw usageError('OPTION_INVALID', `--recheck-after "${value}" is not a number of days`, 'Give days, e.g. --recheck-after 7 (0 reads every user again each cycle, as apply would).');
  }
  return days;
}

export function registerSyncCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('sync')
    .description('staged migration: plan and apply only what changed since the last apply or sync — new users, changed rows and users not final last time; the rest are not read from Graph. --every repeats it')
    .option('--recheck-after <days>', `read users again whose export row is unchanged but who were last read from Entra longer ago than this, to see changes made in Entra (0: every cycle)`, parseDays, DEFAULT_RECHECK_AFTER_DAYS)
    .option('--every <duration>', 'repeat until Ctrl-C: re-read the exports and sync every <duration>, e.g. 15m, 1h, 1d (the journal stays locked meanwhile)', parseDuration);
  addSourceOptions(command);
  addTenantOptions(command);
  addPolicyOptions(command);
  addUnmaskOption(command);
  addQuietOption(command);
  addCommonOptions(command);
  command.action(async (options: SyncOptions) => {
    const view = phoneView(options.unmask);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const plan = await planInputFrom(options, tenant, givenOn(command));
    const input = {
      plan,
      recheckAfterMs: options.recheckAfter * MS_PER_DAY,
      recorded: { recheckAfterDays: options.recheckAfter, everySeconds: options.every === undefined ? null : options.every / 1000 },
    };
    await runCommandSession(context, { options, graph: tenant.graph, lock: 'sync', journalMustExist: false }, async (session) => {
      const { deps, journal } = session;
      const schedule: SyncSchedule | null = options.every === undefined ? null : { everyMs: options.every, sleep };
      let cycleStartedAt = deps.clock.now();
      let worst: ExitCode = ExitCode.ok;
      const outcome = await runSync(input, { ...deps, graph: session.graph, journal }, schedule, {
        cycle: async (result, nextAt) => {
          const seconds = (deps.clock.now() - cycleStartedAt) / 1000;
          worst = Math.max(worst, cycleExitCode(result)) as ExitCode;
          await showCycle(result, nextAt, { context, session, view, quiet: options.quiet, json: options.json, every: schedule !== null, state: options.state, seconds });
          cycleStartedAt = nextAt === null ? deps.clock.now() : Math.max(nextAt.getTime(), deps.clock.now());
        },
        cycleFailed: (error, nextAt) => {
          context.io.stderr.write(`${new Date(deps.clock.now()).toISOString().slice(0, 19)}Z sync stopped: ${error.code}: ${error.message} — the next run at ${nextAt.toISOString().slice(0, 19)}Z resumes it\n`);
          cycleStartedAt = Math.max(nextAt.getTime(), deps.clock.now());
        },
      });
      if (outcome.stoppedBy === 'interrupted' && outcome.lastCycle !== null) {
        const run = outcome.lastCycle.run;
        context.io.stderr.write((await session.writeReports(run.id)).line);
        throw session.interrupted('SYNC_INTERRUPTED', `sync run ${run.id} stopped on request with work left; every write sent so far is recorded, and the next sync finishes it before a new cycle`);
      }
      if (outcome.stoppedBy === 'request') {
        context.io.stderr.write('Stopped between cycles: nothing is left to resume. Run the same sync again to carry on.\n');
        return;
      }
      context.setExitCode(worst);
    });
  });
}

/** The waits of --every: resolves true when the time came, false when Ctrl-C stopped the wait. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    function stop(): void {
      clearTimeout(timer);
      resolve(false);
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** 4 when a user of the cycle ended failed or partial. */
function cycleExitCode(result: SyncCycleResult): ExitCode {
  const statuses = result.executed?.usersByFinalStatus ?? {};
  return (statuses.failed ?? 0) + (statuses.partial ?? 0) > 0 ? ExitCode.failedUsers : ExitCode.ok;
}

interface ShowContext {
  readonly context: CommandContext;
  readonly session: CommandSession;
  readonly view: PhoneView;
  readonly quiet: boolean;
  readonly json: boolean;
  readonly every: boolean;
  readonly state: string;
  readonly seconds: number;
}

/**
 * A cycle's reports — every run leaves one, an idle cycle's too: it says when sync looked and that
 * everyone was unchanged — then its document, its line, or its user lines and summary.
 */
async function showCycle(result: SyncCycleResult, nextAt: Date | null, show: ShowContext): Promise<void> {
  const { context, session } = show;
  const { journal } = session;
  const reportLine = (await session.writeReports(result.run.id)).line;
  const text = show.every ? `${syncCycleLine(result, nextAt, new Date(session.deps.clock.now()))}${show.json ? '' : reportLine}` : syncSummaryText(result, { state: show.state, seconds: show.seconds }) + reportLine;
  if (show.json) {
    const spool = await JsonArraySpool.create();
    try {
      for (const user of journal.iterateUsers(result.run.id)) {
        const pending = spool.add(applyUserJson(user, show.view));
        if (pending !== undefined) await pending;
      }
      context.io.stderr.write(text);
      await spool.writeDocument(context.io.stdout, syncDocument(result, journal.runSummary(result.run.id), nextAt, show.view));
    } finally {
      await spool.discard();
    }
    return;
  }
  if (!show.every && !show.quiet) {
    for (const user of journal.iterateUsers(result.run.id)) {
      const line = applyUserLine(user, show.view);
      if (line !== null) context.io.stdout.write(`${line}\n`);
    }
  }
  context.io.stderr.write(text);
}
