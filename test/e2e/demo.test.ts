/**
 * The quick start: `mfa-migrate demo` (what `npm run demo` runs) from the built CLI, on the bundled
 * emulator and sample exports. Exits 0, prints the report path, and the report holds every fixture
 * user with the status the fixtures were built for.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

/** fixtures/users.csv line → the case it was written for. */
const EXPECTED: Readonly<Record<number, string>> = {
  2: 'unchanged', // Alice: Entra already holds her mobile and default
  3: 'migrated', 4: 'migrated', 5: 'migrated', 6: 'migrated',
  7: 'rejected', // invalid number
  8: 'conflict', // Entra holds another mobile: kept (--phone-conflict keep)
  9: 'unchanged',
  10: 'migrated', 11: 'migrated', 12: 'migrated', 13: 'migrated', 14: 'migrated', 15: 'migrated',
  16: 'skipped', // disabled in MFA Server (R11)
  17: 'rejected', 18: 'rejected',
  19: 'migrated', 20: 'migrated', 21: 'migrated', 22: 'migrated', 23: 'migrated',
  24: 'unmatched', // not in Entra (R14)
  25: 'migrated', 26: 'migrated', 27: 'migrated', 28: 'migrated', 30: 'migrated', 32: 'migrated',
};

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-demo-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('mfa-migrate demo', () => {
  it('runs validate, plan, apply, verify and report on the emulator and prints the report path', async () => {
    const result = await runCli(['demo', '--no-progress', '--reports', dir, '--state', join(dir, 'demo.db')], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    for (const step of ['1/4 validate', '2/4 plan + apply', '3/4 verify', '4/4 report']) expect(result.stderr).toContain(step);
    const path = /Report: {2}(\S+report\.html)/.exec(result.stdout)?.[1];
    expect(path, result.stdout).toBeDefined();
    const html = await readFile(path ?? '', 'utf8');
    expect(html).toContain('<html');
    const json = JSON.parse(await readFile(join(path ?? '', '..', 'reconciliation.json'), 'utf8')) as { users: { line: number; status: string }[] };
    expect(Object.fromEntries(json.users.map((user) => [user.line, user.status]))).toEqual(EXPECTED);
    expect(result.stdout).toContain('0 drifted');
  });
});
