import { describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { assertPlanFresh } from '../../../src/journal/inputs.js';
import type { InputFile } from '../../../src/run-records.js';

const users: InputFile = { role: 'users', path: 'exports/users.csv', size: 1200, mtime: '2026-11-28T15:00:00.000Z', sha256: 'a'.repeat(64) };
const tokens: InputFile = { role: 'tokens', path: 'exports/tokens.csv', size: 300, mtime: '2026-11-28T15:00:00.000Z', sha256: 'b'.repeat(64) };
const plan = { id: '20261128-153012-ab12', inputs: [users, tokens] };

function staleError(current: readonly InputFile[]): MigrateError {
  try {
    assertPlanFresh(plan, current);
  } catch (error) {
    if (error instanceof MigrateError) return error;
    throw error;
  }
  throw new Error('the plan was found fresh');
}

describe('assertPlanFresh', () => {
  it('accepts the same contents even when moved or touched', () => {
    expect(() => {
      assertPlanFresh(plan, [
        { ...tokens, path: '/mnt/copy/tokens.csv', mtime: '2026-11-29T08:00:00.000Z' },
        { ...users, path: '/mnt/copy/users.csv' },
      ]);
    }).not.toThrow();
  });

  it('PLAN_STALE names the file whose content changed and says to plan again', () => {
    const error = staleError([{ ...users, size: 1250, sha256: 'c'.repeat(64) }, tokens]);
    expect(error).toMatchObject({ code: 'PLAN_STALE', exitCode: 3, file: 'exports/users.csv' });
    expect(error.message).toContain('exports/users.csv (--users) changed since plan 20261128-153012-ab12 was made (then 1200 bytes');
    expect(error.remedy).toContain('mfa-migrate plan');
  });

  it('PLAN_STALE when a file the plan read is not given, or a new one is', () => {
    expect(staleError([users]).message).toContain('plan 20261128-153012-ab12 was made with --tokens exports/tokens.csv, which is not given now');
    const devices: InputFile = { role: 'devices', path: 'devices.csv', size: 1, mtime: users.mtime, sha256: 'd'.repeat(64) };
    const error = staleError([users, tokens, devices]);
    expect(error.message).toContain('--devices devices.csv is given now but plan 20261128-153012-ab12 was made without it');
    expect(error.file).toBe('devices.csv');
  });
});
