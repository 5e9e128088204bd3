import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryJournal, type Journal } from '../../../src/journal/journal.js';
import { RUN_ID_PATTERN } from '../../../src/journal/run-id.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun } from '../../support/journal-builders.js';

let journal: Journal;
let clock: ReturnType<typeof manualClock>;
beforeEach(() => {
  clock = manualClock();
  journal = openMemoryJournal({ clock });
});
afterEach(() => { journal.close(); });

describe('runs', () => {
  it('creates a running run whose id is its UTC start time and reads it back', () => {
    const run = journal.createRun(aPlanRun());
    expect(run.id).toMatch(RUN_ID_PATTERN);
    expect(run.id.startsWith('20261128-153012-')).toBe(true);
    expect(run).toEqual({
      id: run.id,
      command: 'plan',
      parentRunId: null,
      status: 'running',
      startedAt: new Date('2026-11-28T15:30:12.000Z'),
      finishedAt: null,
      tenantId: '00000000-0000-0000-0000-0000000000aa',
      graphUrl: 'http://127.0.0.1:8080',
      options: { phoneConflict: 'keep', defaultMethod: 'if-unset' },
      inputs: aPlanRun().inputs,
      summary: null,
    });
    expect(journal.getRun(run.id)).toEqual(run);
    expect(journal.getRun('20990101-000000-0000')).toBeNull();
  });

  it('links an apply to its plan and finishes it with a summary', () => {
    const plan = journal.createRun(aPlanRun());
    journal.finishRun(plan.id, 'finished', { users: 1 });
    clock.advance(60_000);
    const apply = journal.createRun(aPlanRun({ command: 'apply', parentRunId: plan.id }));
    clock.advance(5_000);
    journal.finishRun(apply.id, 'interrupted', { users: 1, sent: 0 });

    expect(journal.getRun(apply.id)).toMatchObject({
      parentRunId: plan.id,
      status: 'interrupted',
      finishedAt: new Date('2026-11-28T15:31:17.000Z'),
      summary: { users: 1, sent: 0 },
    });
    expect(() => { journal.finishRun(apply.id, 'finished', null); }).toThrow(/cannot be finished: it is interrupted/);
  });

  it('reopens an interrupted run to resume it, but not a finished one', () => {
    const run = journal.createRun(aPlanRun({ command: 'apply' }));
    journal.finishRun(run.id, 'interrupted', null);
    journal.reopenRun(run.id);
    expect(journal.getRun(run.id)).toMatchObject({ status: 'running', finishedAt: null, summary: null });
    journal.finishRun(run.id, 'finished', null);
    expect(() => { journal.reopenRun(run.id); }).toThrow(/cannot be resumed: it is finished/);
  });

  it('finds the latest run by command, status and parent, the later of two started in the same second', () => {
    const plan = journal.createRun(aPlanRun());
    journal.finishRun(plan.id, 'finished', null);
    const firstApply = journal.createRun(aPlanRun({ command: 'apply', parentRunId: plan.id }));
    journal.finishRun(firstApply.id, 'interrupted', null);
    const secondApply = journal.createRun(aPlanRun({ command: 'apply', parentRunId: plan.id }));

    expect(firstApply.id).not.toBe(secondApply.id);
    expect(journal.latestRun()?.id).toBe(secondApply.id);
    expect(journal.latestRun({ command: 'plan' })?.id).toBe(plan.id);
    expect(journal.latestRun({ command: 'apply', status: ['interrupted', 'failed'] })?.id).toBe(firstApply.id);
    expect(journal.latestRun({ parentRunId: plan.id, status: 'running' })?.id).toBe(secondApply.id);
    expect(journal.latestRun({ command: 'rollback' })).toBeNull();
    expect(journal.latestRun({ status: [] })).toBeNull();
  });
});
