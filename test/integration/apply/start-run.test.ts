/**
 * How apply chooses what to execute (startRun), one test per way in and per refusal: plan first,
 * reuse a recent unused plan of the same exports and options (not an old one, not one of other
 * options), execute `--plan RUN`, resume an unfinished apply; and PLAN_NOT_FOUND,
 * PLAN_NOT_FINISHED, PLAN_OTHER_TENANT, PLAN_OPTIONS_DIFFER, PLAN_STALE and both APPLY_UNFINISHED.
 * The sample exports against the emulator, through the real gateway and a journal file.
 */
import { copyFile, mkdtemp, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../src/clock.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { openJournal, type Journal } from '../../../src/journal/journal.js';
import { memoryLog } from '../../../src/log.js';
import { PLAN_REUSE_MAX_AGE_MS, runApply, type ApplyInput, type ApplyResult } from '../../../src/migrate/apply.js';
import type { DecidingOptionName } from '../../../src/migrate/deciding-options.js';
import { silentProgress } from '../../../src/migrate/deps.js';
import { runPlan, type PlanInput } from '../../../src/migrate/plan.js';
import { fixtureApplyInput } from '../../support/apply-run.js';
import { sampleSeed } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

let dir: string;
let emulator: RunningEmulator;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-start-'));
  emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => { emulator.reset(); });

/** A fresh journal whose clock a test may move. */
function journalWith(clock: Clock = systemClock): Journal {
  counter += 1;
  return openJournal(join(dir, `start-${String(counter)}.db`), { clock });
}

interface Variation {
  readonly planRunId?: string | null;
  readonly plan?: Partial<PlanInput>;
  readonly options?: Partial<PlanInput['options']>;
  /** Ctrl-C as writing begins. */
  readonly stopAtWrites?: boolean;
  readonly clock?: Clock;
}

function inputWith(variation: Variation): ApplyInput {
  const base = fixtureApplyInput();
  return { ...base, planRunId: variation.planRunId ?? null, plan: { ...base.plan, ...variation.plan, options: { ...base.plan.options, ...variation.options } } };
}

async function apply(journal: Journal, variation: Variation = {}): Promise<ApplyResult> {
  const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
  const controller = new AbortController();
  const progress = {
    ...silentProgress,
    start: (label: string) => {
      if (variation.stopAtWrites !== true || label !== 'Applying') return;
      graph.stop();
      controller.abort();
    },
  };
  try {
    return await runApply(inputWith(variation), { graph, journal, log: memoryLog(), clock: variation.clock ?? systemClock, progress, signal: controller.signal });
  } finally {
    graph.close();
  }
}

async function plan(journal: Journal, variation: Variation = {}): Promise<string> {
  const graph = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
  try {
    return (await runPlan(inputWith(variation).plan, { graph, journal, log: memoryLog(), clock: variation.clock ?? systemClock, progress: silentProgress })).run.id;
  } finally {
    graph.close();
  }
}

function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => new Error('not refused'), (error: unknown) => error);
}

describe('apply chooses what to execute', () => {
  it('plans first when the journal holds no plan of these exports', async () => {
    const journal = journalWith();
    try {
      const result = await apply(journal);
      expect(result.start).toBe('planned');
      expect(journal.getRun(result.planRunId)).toMatchObject({ command: 'plan', status: 'finished' });
      expect(result.run).toMatchObject({ command: 'apply', parentRunId: result.planRunId });
      expect(result.fileIssues.length).toBeGreaterThanOrEqual(0);
    } finally {
      journal.close();
    }
  });

  it('reuses a recent unused plan of the same exports and options', async () => {
    const journal = journalWith();
    try {
      const planRunId = await plan(journal);
      const result = await apply(journal);
      expect(result).toMatchObject({ start: 'stored-plan', planRunId });
    } finally {
      journal.close();
    }
  });

  it('does not reuse a plan made with another deciding option, or one older than an hour', async () => {
    const journal = journalWith();
    try {
      const other = await plan(journal, { options: { phoneConflict: 'overwrite' } });
      const result = await apply(journal);
      expect(result.start).toBe('planned');
      expect(result.planRunId).not.toBe(other);
    } finally {
      journal.close();
    }
    let now = Date.now() - PLAN_REUSE_MAX_AGE_MS - 60_000;
    const clock: Clock = { now: () => now };
    const old = journalWith(clock);
    try {
      const stale = await plan(old, { clock });
      now = Date.now();
      const result = await apply(old, { clock });
      expect(result.start).toBe('planned');
      expect(result.planRunId).not.toBe(stale);
    } finally {
      old.close();
    }
  });

  it('executes the plan named with --plan, with the plan\'s options for what was not given', async () => {
    const journal = journalWith();
    try {
      const planRunId = await plan(journal, { options: { phoneConflict: 'overwrite' } });
      // Nothing given on the command line: the plan's `overwrite` is what runs, and is recorded.
      const result = await apply(journal, { planRunId, plan: { givenOptions: new Set<DecidingOptionName>() } });
      expect(result).toMatchObject({ start: 'stored-plan', planRunId });
      expect(journal.getRun(result.run.id)?.options['phoneConflict']).toBe('overwrite');
    } finally {
      journal.close();
    }
  });

  it('refuses --plan with a differing option given (PLAN_OPTIONS_DIFFER), naming the plan\'s value and the one given', async () => {
    const journal = journalWith();
    try {
      const planRunId = await plan(journal);
      const error = await refusal(apply(journal, { planRunId, options: { phoneConflict: 'overwrite', defaultMethod: 'always' }, plan: { givenOptions: new Set<DecidingOptionName>(['phoneConflict', 'defaultMethod', 'encoding']) } }));
      expect(error).toMatchObject({ code: 'PLAN_OPTIONS_DIFFER', exitCode: 2 });
      const { message, remedy } = error as { message: string; remedy: string };
      expect(message).toContain('--phone-conflict: the plan has keep, given overwrite');
      expect(message).toContain('--default-method: the plan has if-unset, given always');
      expect(message).not.toContain('--encoding');
      expect(remedy).toContain('mfa-migrate plan … --phone-conflict overwrite --default-method always');
      expect(journal.latestRun({ command: 'apply' })).toBeNull();
      expect(emulator.stats().writeAttempts).toBe(0);
    } finally {
      journal.close();
    }
  });

  it('refuses a --plan that is not a plan run of this journal (PLAN_NOT_FOUND), or did not finish (PLAN_NOT_FINISHED)', async () => {
    const journal = journalWith();
    try {
      expect(await refusal(apply(journal, { planRunId: '20261206-000000-beef' }))).toMatchObject({ code: 'PLAN_NOT_FOUND', exitCode: 2 });
      const stopped = journal.createRun({ command: 'plan', parentRunId: null, tenantId: null, graphUrl: 'emulator', options: {}, inputs: [] });
      journal.finishRun(stopped.id, 'interrupted', null);
      expect(await refusal(apply(journal, { planRunId: stopped.id }))).toMatchObject({ code: 'PLAN_NOT_FINISHED', exitCode: 2 });
    } finally {
      journal.close();
    }
  });

  it('refuses a --plan made against another Graph (PLAN_OTHER_TENANT), and one whose exports changed since (PLAN_STALE)', async () => {
    const journal = journalWith();
    try {
      const planRunId = await plan(journal);
      const base = fixtureApplyInput().plan;
      const otherGraph = await refusal(apply(journal, { planRunId, plan: { run: { ...base.run, graphUrl: 'https://graph.microsoft.us' } } }));
      expect(otherGraph).toMatchObject({ code: 'PLAN_OTHER_TENANT', exitCode: 2 });
      const users = join(dir, `users-${String(counter)}.csv`);
      await copyFile('fixtures/users.csv', users);
      await appendFile(users, '\n');
      const stale = await refusal(apply(journal, { planRunId, plan: { files: { ...base.files, users } } }));
      expect(stale).toMatchObject({ code: 'PLAN_STALE', exitCode: 3 });
    } finally {
      journal.close();
    }
  });

  it('resumes the unfinished apply of the same exports, and refuses another beside it (APPLY_UNFINISHED)', async () => {
    const journal = journalWith();
    try {
      const stopped = await apply(journal, { stopAtWrites: true });
      expect(stopped.interrupted).toBe(true);

      const base = fixtureApplyInput().plan;
      const users = join(dir, `users-${String(counter)}.csv`);
      await copyFile('fixtures/users.csv', users);
      await appendFile(users, '\n');
      const otherExports = await refusal(apply(journal, { plan: { files: { ...base.files, users } } }));
      expect(otherExports).toMatchObject({ code: 'APPLY_UNFINISHED', exitCode: 2 });
      const otherPlan = await plan(journal);
      const besidePlan = await refusal(apply(journal, { planRunId: otherPlan }));
      expect(besidePlan).toMatchObject({ code: 'APPLY_UNFINISHED', exitCode: 2 });

      const resumed = await apply(journal);
      expect(resumed).toMatchObject({ start: 'resumed', interrupted: false });
      expect(resumed.run.id).toBe(stopped.run.id);
      expect(journal.getRun(stopped.run.id)?.status).toBe('finished');
    } finally {
      journal.close();
    }
  });
});
