import { createHash } from 'node:crypto';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertPlanFresh, fingerprintInputs } from '../../../src/journal/inputs.js';
import { openMemoryJournal } from '../../../src/journal/journal.js';
import { manualClock } from '../../support/clock.js';
import { aPlanRun } from '../../support/journal-builders.js';
import { tempDir } from '../../support/temp-dir.js';

let dir: string;
let remove: () => void;
beforeEach(() => ({ dir, remove } = tempDir()));
afterEach(() => { remove(); });

describe('fingerprintInputs', () => {
  it('gives size, modification time and SHA-256 of each file', async () => {
    const users = join(dir, 'users.csv');
    const content = 'Username,Primary Phone\n' + 'alice@contoso.com,425 555 0100\n'.repeat(100_000);
    writeFileSync(users, content);
    utimesSync(users, new Date('2026-11-28T15:00:00Z'), new Date('2026-11-28T15:00:00Z'));
    expect(await fingerprintInputs([{ role: 'users', path: users }])).toEqual([{
      role: 'users',
      path: users,
      size: Buffer.byteLength(content),
      mtime: '2026-11-28T15:00:00.000Z',
      sha256: createHash('sha256').update(content).digest('hex'),
    }]);
  });

  it('INPUT_UNREADABLE names the option and the file that cannot be read', async () => {
    const missing = join(dir, 'tokens.csv');
    const reading = fingerprintInputs([{ role: 'tokens', path: missing }]);
    await expect(reading).rejects.toMatchObject({ code: 'INPUT_UNREADABLE', exitCode: 3, file: missing });
    await expect(reading).rejects.toThrow(`--tokens ${missing} cannot be read`);
  });

  it('lets apply --plan check a stored plan against the files given now', async () => {
    const users = join(dir, 'users.csv');
    writeFileSync(users, 'Username\nalice@contoso.com\n');
    const journal = openMemoryJournal({ clock: manualClock() });
    const plan = journal.createRun(aPlanRun({ inputs: await fingerprintInputs([{ role: 'users', path: users }]) }));
    const stored = journal.getRun(plan.id);
    if (stored === null) throw new Error('plan expected');

    expect(() => { assertPlanFresh(stored, stored.inputs); }).not.toThrow();
    writeFileSync(users, 'Username\nalice@contoso.com\nbob@contoso.com\n');
    const now = await fingerprintInputs([{ role: 'users', path: users }]);
    expect(() => { assertPlanFresh(stored, now); }).toThrow(expect.objectContaining({ code: 'PLAN_STALE', file: users }));
    journal.close();
  });
});
