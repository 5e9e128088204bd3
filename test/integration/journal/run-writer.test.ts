/**
 * Each run names the process that runs it (pid, host, the command line), stamped by the journal
 * the CLI opens; `status` shows a run the journal still calls `running` whose process is gone from
 * this host as `interrupted`, with that command line to resume it — a killed apply is not
 * "running, 2 min left" forever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../../src/journal/journal.js';
import { readRunStatus, type ProcessLiveness } from '../../../src/migrate/status.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';

const writer = { pid: 4242, host: 'admin-box', commandLine: "mfa-migrate apply --users 'users.csv' --auth secret" };
const dead: ProcessLiveness = { host: 'admin-box', isRunning: () => false };
const alive: ProcessLiveness = { host: 'admin-box', isRunning: (pid) => pid === 4242 };
const elsewhere: ProcessLiveness = { host: 'another-box', isRunning: () => false };

let folder: ReturnType<typeof tempDir>;
let clock: ReturnType<typeof manualClock>;
let journal: Journal;
beforeEach(() => {
  folder = tempDir();
  clock = manualClock();
  journal = openJournal(`${folder.dir}/journal.db`, { clock, writer });
});
afterEach(() => {
  journal.close();
  folder.remove();
});

/** An apply run the journal calls `running`, with the write budget apply records. */
function runningApply(): string {
  const run = journal.createRun(aPlanRun({ command: 'apply', options: { writeBudget: { writesPerWindow: 3_000, windowMs: 150_000 } } }));
  return run.id;
}

describe('the writer of a run', () => {
  it('is stamped when the run is created and replaced when another process resumes it', () => {
    const id = runningApply();
    expect(journal.getRun(id)?.writer).toEqual(writer);
    journal.finishRun(id, 'interrupted', null);
    journal.close();
    const resumer = { pid: 5151, host: 'admin-box', commandLine: 'mfa-migrate apply --users users.csv' };
    journal = openJournal(`${folder.dir}/journal.db`, { clock, writer: resumer });
    journal.reopenRun(id);
    expect(journal.getRun(id)?.writer).toEqual(resumer);
  });

  it('is absent for a journal opened without one', () => {
    journal.close();
    journal = openJournal(`${folder.dir}/journal.db`, { clock });
    expect(journal.createRun(aPlanRun()).writer).toBeUndefined();
  });
});

describe('status of a run whose process is gone', () => {
  it('shows a running apply whose process no longer runs on this host as interrupted, with no time left and the command that resumes it', () => {
    const id = runningApply();
    const view = readRunStatus(journal, id, clock, dead);
    expect(view).toMatchObject({ status: 'interrupted', writerGone: true, secondsLeft: null, resumeCommand: writer.commandLine });
    expect(view.run.status).toBe('running');
  });

  it('keeps it running while its process runs, or when it runs on another host (which cannot be checked from here)', () => {
    const id = runningApply();
    expect(readRunStatus(journal, id, clock, alive)).toMatchObject({ status: 'running', writerGone: false });
    expect(readRunStatus(journal, id, clock, elsewhere)).toMatchObject({ status: 'running', writerGone: false });
  });

  it('shows a plan stopped with Ctrl-C as interrupted, and one whose process died as interrupted too', () => {
    const stopped = journal.createRun(aPlanRun());
    journal.finishRun(stopped.id, 'interrupted', { error: 'INTERRUPTED' });
    expect(readRunStatus(journal, stopped.id, clock, alive)).toMatchObject({ status: 'interrupted', resumeCommand: writer.commandLine });
    const killed = journal.createRun(aPlanRun());
    expect(readRunStatus(journal, killed.id, clock, dead)).toMatchObject({ status: 'interrupted', writerGone: true });
  });
});
