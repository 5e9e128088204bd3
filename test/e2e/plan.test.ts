/**
 * `mfa-migrate plan` as an admin runs it: the built CLI against an in-process emulator, checking
 * the JSON document, the journal file, and the exit codes (docs/design.md "Exit codes") for the
 * failures an admin meets on the day (missing permission, Graph unreachable, wrong auth for a
 * remote URL).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { openJournal } from '../../src/journal/journal.js';
import { systemClock } from '../../src/clock.js';
import { sampleSeed, startTestEmulator } from '../support/emulator.js';
import { jsonDocument } from '../support/json-documents.js';
import { runCli } from '../support/run-cli.js';

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-plan-e2e-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const source = ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com'];

describe('mfa-migrate plan', () => {
  it('prints the plan document, stores the run in the journal, and exits 0', async () => {
    const state = join(dir, 'plan.db');
    const result = await runCli(['plan', ...source, '--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName', '--state', state, '--reports', join(dir, 'reports'), '--json', '--no-progress']);
    expect(result.stderr).toContain('nothing was written to Entra');
    expect(result.code).toBe(0);
    const document = jsonDocument('plan', result.stdout);
    expect(Object.keys(document)).toEqual(['runId', 'summary', 'users', 'fileIssues']);
    expect(document.users.map((user) => user.line)).toEqual([...document.users.map((user) => user.line)].sort((a, b) => a - b));
    expect(document.users.find((user) => user.line === 8)).toMatchObject({ status: 'conflict', operations: [{ kind: 'phoneConflict', target: 'mobile', status: 'conflict' }] });
    expect(document.users.find((user) => user.line === 24)).toMatchObject({ status: 'unmatched', entraUserId: null, before: null });
    expect(document.summary.byStatus.planned).toBeGreaterThan(10);
    // The seeds (as written, and TOTP0001's hex seed in Base32) never leave the tokens file:
    // not on stdout or stderr, not in the journal file.
    const seeds = /JBSWY3DPEHPK3PXP|3132333435363738393031323334353637383930|GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ|MZXW6YTBOJUWU23MNU4DCMZRGQYTGMZQ/i;
    expect(result.stdout).not.toMatch(seeds);
    expect(result.stderr).not.toMatch(seeds);
    expect((await readFile(state)).toString('latin1')).not.toMatch(seeds);

    const journal = openJournal(state, { clock: systemClock });
    try {
      expect(journal.getRun(document.runId)).toMatchObject({ command: 'plan', status: 'finished' });
      expect([...journal.iterateUsers(document.runId)]).toHaveLength(document.summary.users);
    } finally {
      journal.close();
    }
  });

  it('exits 5 naming the permission when the app may not read authentication methods', async () => {
    const seed = sampleSeed();
    seed.app['roles'] = ['User.Read.All', 'Policy.Read.All'];
    const tenantFile = join(dir, 'no-methods-permission.json');
    await writeFile(tenantFile, JSON.stringify(seed));
    const limited = await startEmulator({ tenant: tenantFile });
    try {
      const result = await runCli(['plan', ...source, '--auth', 'emulator', '--graph-url', limited.url, '--state', join(dir, 'denied.db'), '--no-progress']);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('GRAPH_PERMISSION_MISSING');
      expect(result.stderr).toContain('UserAuthenticationMethod.Read.All');
      expect(result.stderr).toMatch(/what to do: .*consent/i);
    } finally {
      await limited.close();
    }
  });

  it('exits 6 with the remedy when Graph cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0); });
      });
    });
    const result = await runCli(['plan', ...source, '--auth', 'emulator', '--graph-url', `http://127.0.0.1:${port}`, '--state', join(dir, 'unreachable.db'), '--no-progress'], { timeoutMs: 60_000 });
    expect(result.stderr).toContain('GRAPH_UNREACHABLE');
    expect(result.stderr).toMatch(/what to do: /);
    expect(result.code).toBe(6);
  }, 70_000);

  it('refuses to send the development token to a remote URL (exit 2)', async () => {
    const result = await runCli(['plan', ...source, '--auth', 'emulator', '--graph-url', 'https://graph.microsoft.com', '--state', join(dir, 'remote.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AUTH_EMULATOR_NOT_LOOPBACK');
  });

  it('apply --plan refuses a policy option that differs from the plan\'s (exit 2, naming both values), and takes the plan\'s when none is given', async () => {
    const state = join(dir, 'plan-then-apply.db');
    const common = [...source, '--hardware-tokens', 'import-and-activate', '--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName', '--state', state, '--reports', join(dir, 'reports'), '--no-progress'];
    const planned = await runCli(['plan', ...common, '--phone-conflict', 'overwrite', '--json']);
    expect(planned.code, planned.stderr).toBe(0);
    const { runId } = jsonDocument('plan', planned.stdout);
    const writes = emulator.stats().writeAttempts;

    const refused = await runCli(['apply', ...common, '--plan', runId, '--phone-conflict', 'keep']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('PLAN_OPTIONS_DIFFER');
    expect(refused.stderr).toContain('--phone-conflict: the plan has overwrite, given keep');
    expect(refused.stderr).toMatch(/what to do: Plan again with these options/);
    expect(emulator.stats().writeAttempts).toBe(writes);

    // Left out, the option is the plan's: the plan runs as it was made.
    const applied = await runCli(['apply', ...common, '--plan', runId, '--json'], { timeoutMs: 60_000 });
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ planRunId: runId, start: 'stored-plan' });
  }, 60_000);
});

