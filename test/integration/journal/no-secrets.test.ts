/**
 * Hardware token seeds never reach the journal (docs/design.md "Seeds as keyed hashes"). A full
 * plan with tokens is written, then the raw bytes of the database and its -wal file are searched
 * for the seed in every form it travels in.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBase32 } from '../../../src/base32.js';
import { openJournal } from '../../../src/journal/journal.js';
import type { Operation } from '../../../src/plan/operations.js';
import { Secret } from '../../../src/secret.js';
import { manualClock } from '../../support/clock.js';
import { aDesiredToken } from '../../support/desired-builders.js';
import { aPlanRun, aRecordedDesiredState, aUserPlan, aUserRecord } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';

let dir: string;
let remove: () => void;
beforeEach(() => ({ dir, remove } = tempDir()));
afterEach(() => { remove(); });

/** The seed as Base32 (either case), hex (either case) and raw bytes. */
function formsOf(seed: Buffer): Buffer[] {
  const base32 = encodeBase32(seed);
  const hex = seed.toString('hex');
  const texts = [base32, base32.toLowerCase(), hex, hex.toUpperCase()].map((text): Buffer => Buffer.from(text, 'utf8'));
  return [...texts, seed];
}

function leaks(file: string, seeds: readonly Buffer[]): string[] {
  if (!existsSync(file)) return [];
  const bytes = readFileSync(file);
  return seeds.flatMap(formsOf).filter((form) => bytes.includes(form)).map((form) => `${file}: ${form.toString('hex')}`);
}

describe('no seed in the journal', () => {
  it('a plan with hardware tokens leaves no seed in the database or -wal bytes, open or closed', () => {
    const path = join(dir, 'j.db');
    const journal = openJournal(path, { clock: manualClock() });
    const runId = journal.createRun(aPlanRun()).id;
    const seeds = Array.from({ length: 50 }, () => randomBytes(20));
    const tokenOperations = (serial: string): Operation[] => [
      { kind: 'createHardwareToken', target: serial, status: 'planned', deviceId: null },
      { kind: 'assignHardwareToken', target: serial, status: 'planned', deviceId: null },
      { kind: 'activateHardwareToken', target: serial, status: 'planned', deviceId: null },
    ];
    journal.recordUsers(runId, seeds.map((seed, i) => {
      const serialNumber = `TOTP${String(i).padStart(4, '0')}`;
      const token = aDesiredToken({ serialNumber, secretKey: new Secret(encodeBase32(seed)), line: i + 2 });
      return aUserRecord(i + 2, {
        desired: aRecordedDesiredState({ line: i + 2, hardwareTokens: [token] }),
        plan: aUserPlan({ operations: tokenOperations(serialNumber), defaultMethod: 'oath' }),
      });
    }));
    const [first] = journal.nextPlannedOperations(runId, 1);
    if (first === undefined) throw new Error('operation expected');
    journal.markSent([first.id]);
    journal.markDone(first.id, 'req-1', { resourceId: 'device-1' });

    // The tokens are there, recognisable by their fingerprint…
    const stored = [...journal.iterateUsers(runId)].map((user) => user.desired.hardwareTokens[0]?.seedFingerprint);
    expect(stored).toEqual(seeds.map((seed) => journal.seedFingerprint(new Secret(encodeBase32(seed)))));
    // …and the seeds are not, neither while open (pages in the -wal) nor after the checkpoint on close.
    expect(readFileSync(`${path}-wal`).length).toBeGreaterThan(0);
    expect([...leaks(path, seeds), ...leaks(`${path}-wal`, seeds)]).toEqual([]);
    journal.close();
    expect([...leaks(path, seeds), ...leaks(`${path}-wal`, seeds)]).toEqual([]);
  });

  it('the search itself finds a seed that was written', () => {
    const path = join(dir, 'control.db');
    const seed = randomBytes(20);
    const journal = openJournal(path, { clock: manualClock() });
    // A finding message is free text: the one place a careless caller could put a seed.
    journal.recordUsers(journal.createRun(aPlanRun()).id, [aUserRecord(2, {
      issues: [{ code: 'TOKEN_SEED_INVALID', severity: 'error', file: 'tokens.csv', line: 2, message: `seed ${encodeBase32(seed)}` }],
    })]);
    expect(leaks(`${path}-wal`, [seed]).length + leaks(path, [seed]).length).toBeGreaterThan(0);
    journal.close();
  });
});
