/**
 * While apply waits for Graph's write budget, its progress says so and when room comes, and the
 * time left it shows is the figure `status` shows for the same journal; the resumed run's bar
 * starts from the writes already done.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { startEmulator } from '../../../src/emulator/server.js';
import { openJournal } from '../../../src/journal/journal.js';
import { memoryLog } from '../../../src/log.js';
import { runApply } from '../../../src/migrate/apply.js';
import type { Progress, ProgressOptions } from '../../../src/migrate/deps.js';
import { readRunStatus } from '../../../src/migrate/status.js';
import { fixtureApplyInput } from '../../support/apply-run.js';
import { sampleSeed } from '../../support/emulator.js';
import { emulatorGateway } from '../graph/gateway-fixture.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-progress-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

interface Started {
  readonly label: string;
  readonly total: number | null;
  readonly options: ProgressOptions;
}

function recordingProgress(onAdvance: () => void = () => undefined): Progress & { readonly started: Started[]; done: number } {
  const progress = {
    started: [] as Started[],
    done: 0,
    start: (label: string, total: number | null, options: ProgressOptions = {}) => {
      progress.started.push({ label, total, options });
      progress.done = options.done ?? 0;
    },
    advance: (by: number) => {
      progress.done += by;
      onAdvance();
    },
    waiting: () => undefined,
    finish: () => undefined,
  };
  return progress;
}

describe('apply progress and status', () => {
  it('agree on time left while the write budget holds the run, and a resumed run\'s bar continues from what is done', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const journal = openJournal(join(dir, 'progress.db'), { clock: systemClock });
    // 10 writes per 10 minutes: the first batch leaves, then the governor waits for room.
    const budget = { writesPerWindow: 10, writeWindowMs: 600_000 };
    const controller = new AbortController();
    const seen: { bar: number | null; status: number | null; roomInMs: number }[] = [];
    let roomAt: number | null = null;
    // Measured once the run waits for the write budget and the answers of what left are recorded.
    const progress = recordingProgress(() => {
      const applying = progress.started.find((started) => started.label === 'Applying');
      const run = journal.latestRun({ command: 'apply' });
      if (roomAt === null || controller.signal.aborted || applying?.total == null || run === null) return;
      const remaining = applying.total - progress.done;
      seen.push({ bar: applying.options.secondsLeft?.(remaining) ?? null, status: readRunStatus(journal, run.id, systemClock).secondsLeft, roomInMs: roomAt - Date.now() });
      graph.stop();
      controller.abort();
    });
    const graph = emulatorGateway(emulator, {
      matchAttribute: 'onPremisesSamAccountName',
      limits: budget,
      observer: { waiting: (event) => { if (event?.reason === 'writes') roomAt = event.until; } },
    });
    try {
      const stopped = await runApply(fixtureApplyInput(), { graph, journal, log: memoryLog(), clock: systemClock, progress, signal: controller.signal });
      expect(stopped.interrupted).toBe(true);
      const [moment] = seen;
      expect(moment?.roomInMs).toBeGreaterThan(590_000);
      // remaining writes × 600 s ÷ 10: the same figure, minutes away.
      expect(moment?.bar).toBeGreaterThan(600);
      expect(Math.abs((moment?.bar ?? 0) - (moment?.status ?? 0))).toBeLessThan(1);
      const writesDone = stopped.operations.done;
      expect(writesDone).toBeGreaterThan(0);
    } finally {
      graph.close();
    }

    const resumedProgress = recordingProgress();
    const fast = emulatorGateway(emulator, { matchAttribute: 'onPremisesSamAccountName' });
    try {
      const firstRun = journal.latestRun({ command: 'apply' });
      const finishedBefore = Object.values(journal.runSummary(firstRun?.id ?? '').operationsByKind).reduce((sum, byStatus) => sum + (byStatus.done ?? 0) + (byStatus.failed ?? 0) + (byStatus.skipped ?? 0), 0);
      const resumed = await runApply(fixtureApplyInput(), { graph: fast, journal, log: memoryLog(), clock: systemClock, progress: resumedProgress });
      expect(resumed.start).toBe('resumed');
      const applying = resumedProgress.started.find((started) => started.label === 'Applying');
      expect(applying?.options.done).toBe(finishedBefore);
      expect(resumedProgress.done).toBe(applying?.total);
    } finally {
      fast.close();
      journal.close();
      await emulator.close();
    }
  });
});
