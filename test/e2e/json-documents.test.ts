/**
 * Every command's `--json` document, from the built CLI against an in-process emulator, follows its
 * committed schema (schemas/<command>.schema.json): validate → plan → apply → status → verify (of
 * the run, and of every user of the exports) → report → rollback (dry, then sent) → demo, and the
 * error document any command prints instead when it fails. The other e2e tests check what the
 * documents say; this one makes sure none of them goes unchecked against its schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { startTestEmulator } from '../support/emulator.js';
import { jsonDocument } from '../support/json-documents.js';
import { runCli } from '../support/run-cli.js';

const source = ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com'];

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ throttle: 'off' });
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-json-e2e-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('every --json document follows its schema', () => {
  it('from validate to rollback, on one journal', async () => {
    const state = ['--state', join(dir, 'journal.db'), '--reports', join(dir, 'reports')];
    const tenant = ['--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName', '--no-progress'];

    const validated = jsonDocument('validate', (await runCli(['validate', ...source, '--json'])).stdout);
    expect(validated.summary.users).toBe(validated.users.length);

    const planned = jsonDocument('plan', (await runCli(['plan', ...source, ...tenant, ...state, '--json'])).stdout);
    expect(planned.users).toHaveLength(validated.users.length);

    const applying = await runCli(['apply', ...source, ...tenant, ...state, '--plan', planned.runId, '--json'], { timeoutMs: 60_000 });
    expect(applying.code, applying.stderr).toBe(0);
    const applied = jsonDocument('apply', applying.stdout);
    expect(applied).toMatchObject({ planRunId: planned.runId, start: 'stored-plan' });

    const status = jsonDocument('status', (await runCli(['status', ...state.slice(0, 2), '--json'])).stdout);
    expect(status.run).toMatchObject({ id: applied.runId, command: 'apply', status: 'finished' });

    const verifiedRun = jsonDocument('verify', (await runCli(['verify', ...tenant, ...state, '--json'])).stdout);
    expect(verifiedRun.verifiedRunId).toBe(applied.runId);
    const verifiedExports = jsonDocument('verify', (await runCli(['verify', ...source, ...tenant, ...state, '--json'])).stdout);
    expect(verifiedExports.users).toHaveLength(validated.users.length);

    const reported = jsonDocument('report', (await runCli(['report', '--run', applied.runId, ...state, '--json'])).stdout);
    expect(reported).toMatchObject({ runId: applied.runId, phoneNumbers: 'masked' });

    const dry = jsonDocument('rollback', (await runCli(['rollback', '--run', applied.runId, ...tenant, ...state, '--json'])).stdout);
    expect(dry).toMatchObject({ applyRunId: applied.runId, runId: null, executed: false });
    expect(dry.users.some((user) => user.steps.length > 0)).toBe(true);
    expect(dry.users.some((user) => user.kept.length > 0)).toBe(true);
    const executed = jsonDocument('rollback', (await runCli(['rollback', '--run', applied.runId, '--execute', ...tenant, ...state, '--json'])).stdout);
    expect(executed).toMatchObject({ applyRunId: applied.runId, executed: true });
    expect(executed.operations.done).toBeGreaterThan(0);
  }, 120_000);

  it('demo', async () => {
    const demo = await runCli(['demo', '--state', join(dir, 'demo.db'), '--reports', join(dir, 'demo-reports'), '--json'], { timeoutMs: 60_000 });
    expect(demo.code, demo.stderr).toBe(0);
    expect(jsonDocument('demo', demo.stdout).drifted).toBe(0);
  }, 60_000);

  it('the error document, for a failure of ours and for a command-line mistake', async () => {
    const missing = await runCli(['status', '--state', join(dir, 'no-such-journal.db'), '--json']);
    expect(jsonDocument('error', missing.stdout).error.exitCode).toBe(missing.code);
    const mistaken = await runCli(['status', '--no-such-option', '--json']);
    expect(mistaken.code).toBe(2);
    expect(jsonDocument('error', mistaken.stdout).error).toMatchObject({ code: 'USAGE', exitCode: 2 });
  });
});
