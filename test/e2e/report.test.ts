/**
 * Reports as an admin gets them: `plan` writes them when it finishes and prints where, and
 * `mfa-migrate report` rewrites any run's from the journal alone — the built CLI spawned, files
 * and exit codes checked.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { openJournal } from '../../src/journal/journal.js';
import { systemClock } from '../../src/clock.js';
import { startTestEmulator } from '../support/emulator.js';
import { jsonDocument } from '../support/json-documents.js';
import { runCli } from '../support/run-cli.js';

let emulator: RunningEmulator;
let dir: string;
let state: string;
let reports: string;
let planRunId: string;
let planStderr: string;

const REPORT_FILES = ['report.html', 'reconciliation.csv', 'reconciliation.json', 'issues.csv', 'reconciliation.xlsx'] as const;

const source = ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com'];

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-report-e2e-'));
  state = join(dir, 'mfa-migrate.db');
  reports = join(dir, 'reports');
  const plan = await runCli(['plan', ...source, '--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName', '--state', state, '--reports', reports, '--json', '--no-progress']);
  expect(plan.code, plan.stderr).toBe(0);
  planRunId = jsonDocument('plan', plan.stdout).runId;
  planStderr = plan.stderr;
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('reports', () => {
  it('plan writes its reports when it finishes and prints the path of report.html', async () => {
    const html = join(reports, planRunId, 'report.html');
    expect(planStderr).toContain(`Reports (phone numbers masked): ${html}`);
    for (const name of REPORT_FILES) expect(existsSync(join(reports, planRunId, name)), name).toBe(true);
    expect((await stat(join(reports, planRunId))).mode & 0o777).toBe(0o700);
  });

  it('report rewrites the latest run\'s reports from the journal and prints their paths as JSON', async () => {
    const result = await runCli(['report', '--state', state, '--reports', reports, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = jsonDocument('report', result.stdout);
    expect(document).toMatchObject({ runId: planRunId, phoneNumbers: 'masked', reports: { html: join(reports, planRunId, 'report.html') } });
    expect(document.users).toBeGreaterThan(20);
    const json = JSON.parse(await readFile(document.reports.reconciliationJson, 'utf8')) as { run: { id: string }; users: { line: number; phones: { mobile: { after: string | null } } }[] };
    expect(json.run.id).toBe(planRunId);
    // alice.anders, (425) 555-0100 in the export.
    expect(json.users.find((user) => user.line === 2)?.phones.mobile.after).toBe('+1 ••••••0100');
    expect(await readFile(document.reports.html, 'utf8')).not.toContain('4255550100');
  });

  it('without --json, prints only the path of report.html on stdout', async () => {
    const result = await runCli(['report', '--run', planRunId, '--state', state, '--reports', reports]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(reports, planRunId, 'report.html')}\n`);
    expect(result.stderr).toContain('phone numbers masked');
  });

  it('--unmask writes phone numbers in full into <run>-unmasked/, and never over the masked reports already shared', async () => {
    const masked = join(reports, planRunId);
    const before = new Map(await Promise.all(REPORT_FILES.map(async (name) => [name, await readFile(join(masked, name))] as const)));
    const result = await runCli(['report', '--run', planRunId, '--state', state, '--reports', reports, '--unmask', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = jsonDocument('report', result.stdout);
    expect(document).toMatchObject({ phoneNumbers: 'unmasked', reports: { dir: join(reports, `${planRunId}-unmasked`), xlsx: join(reports, `${planRunId}-unmasked`, 'reconciliation.xlsx') } });
    expect(await readFile(join(reports, `${planRunId}-unmasked`, 'reconciliation.json'), 'utf8')).toContain('"+1 4255550100"');
    for (const name of REPORT_FILES) expect((await readFile(join(masked, name))).equals(before.get(name) ?? Buffer.alloc(0)), name).toBe(true);
    expect(await readFile(join(masked, 'reconciliation.json'), 'utf8')).not.toContain('4255550100');
    expect(result.stderr).toContain('in a folder of their own');
    // Masked again afterwards: the masked folder, never the unmasked one.
    const again = await runCli(['report', '--run', planRunId, '--state', state, '--reports', reports, '--json']);
    expect(jsonDocument('report', again.stdout).reports.dir).toBe(masked);
  });

  it('exits 2 with RUN_NOT_FOUND for a run the journal does not hold', async () => {
    const result = await runCli(['report', '--run', '20200101-000000-abcd', '--state', state, '--reports', reports, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('RUN_NOT_FOUND');
    expect(jsonDocument('error', result.stdout).error.code).toBe('RUN_NOT_FOUND');
  });

  it('exits 2 with JOURNAL_NOT_FOUND for a --state that does not exist, and creates none', async () => {
    const missing = join(dir, 'typo.db');
    const result = await runCli(['report', '--state', missing, '--reports', reports]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('JOURNAL_NOT_FOUND');
    expect(existsSync(missing)).toBe(false);
  });

  it('exits 2 with JOURNAL_EMPTY for a journal without runs', async () => {
    const empty = join(dir, 'empty.db');
    openJournal(empty, { clock: systemClock }).close();
    const result = await runCli(['report', '--state', empty, '--reports', reports]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/JOURNAL_EMPTY.*\n {2}what to do: Run `mfa-migrate plan`/);
  });
});
