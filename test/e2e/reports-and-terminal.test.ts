/**
 * What an admin and support read after each command, the built CLI spawned against the emulator:
 * validate's reports (written on their worker thread), phone numbers masked on the terminal and
 * in every --json document unless --unmask, --quiet, verify naming the users it found incomplete,
 * and a rollback's own report. The emulator refuses bob's mobile (+1 2065550102), so apply leaves
 * one user not fully migrated for verify to find.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { startTestEmulator } from '../support/emulator.js';
import { jsonDocument } from '../support/json-documents.js';
import { runCli } from '../support/run-cli.js';
import { readWorkbook, recordsOf } from '../support/xlsx.js';

const source = ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com'];
/** National digits of numbers the fixtures hold (alice's and bob's mobiles, grace's number in Entra, bob's office), which masked output never shows. */
const NUMBERS = ['4255550100', '2065550102', '4255559999', '4255550101'];

let emulator: RunningEmulator;
let dir: string;
let tenant: string[];
let state: string[];
let applyRunId: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ faults: 'reject=+12065550102' });
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-reports-e2e-'));
  tenant = ['--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName'];
  state = ['--state', join(dir, 'journal.db'), '--reports', join(dir, 'reports'), '--no-progress'];
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function showsANumber(text: string): string[] {
  const digits = text.replace(/[^\d\n]/g, '');
  return NUMBERS.filter((number) => digits.includes(number));
}

async function csvRows(path: string): Promise<string[][]> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  return text.split('\r\n').filter((row) => row !== '').map((row) => row.split(','));
}

describe('validate writes its reports', () => {
  it('issues.csv, report.html and reconciliation.xlsx into <reports>/validate-<id>/, masked, and names them', async () => {
    const reports = join(dir, 'validate-reports');
    const result = await runCli(['validate', ...source, '--reports', reports, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const [folder = ''] = await readdir(reports);
    expect(folder).toMatch(/^validate-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect((await readdir(join(reports, folder))).sort()).toEqual(['issues.csv', 'reconciliation.xlsx', 'report.html']);
    expect(result.stderr).toContain(`Reports (phone numbers masked): ${join(reports, folder, 'report.html')} (for Excel: ${join(reports, folder, 'reconciliation.xlsx')})`);
    expect((await stat(join(reports, folder))).mode & 0o777).toBe(0o700);

    const [header = [], ...rows] = await csvRows(join(reports, folder, 'issues.csv'));
    expect(header).toContain('whoMustAct');
    const codes = rows.map((row) => row[header.indexOf('code')]);
    expect(codes).toEqual(expect.arrayContaining(['PHONE_INVALID', 'EXTENSION_UNSUPPORTED', 'TOKEN_SERIAL_CONFLICT', 'DUPLICATE_USER']));
    const html = await readFile(join(reports, folder, 'report.html'), 'utf8');
    expect(html).toContain('This is <code>validate</code>');
    // Carol Clarke (line 4) has findings; Yolanda (line 26) has none and is only counted.
    expect(html).toContain('"Carol Clarke"');
    expect(html).not.toContain('yolanda.young@contoso.com');
    const sheets = await readWorkbook(join(reports, folder, 'reconciliation.xlsx'));
    expect(sheets.map((sheet) => sheet.name)).toEqual(['issues', 'codes', 'run']);
    expect(recordsOf(sheets[0] ?? { name: '', rows: [], frozenRows: 0, autoFilter: null })).toHaveLength(rows.length);
    for (const file of ['issues.csv', 'report.html']) expect(showsANumber(await readFile(join(reports, folder, file), 'utf8')), file).toEqual([]);
  });

  it('with --unmask, into validate-<id>-unmasked/, and the terminal and --json show numbers in full too', async () => {
    const reports = join(dir, 'validate-unmasked');
    const result = await runCli(['validate', ...source, '--reports', reports, '--unmask', '--json', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const [folder = ''] = await readdir(reports);
    expect(folder).toMatch(/^validate-.*-unmasked$/);
    expect(jsonDocument('validate', result.stdout).users.find((user) => user.line === 2)?.phones.mobile).toBe('+1 4255550100');
    expect(await readFile(join(reports, folder, 'report.html'), 'utf8')).toContain('+1 4255550101x123');
  });

  it('masks phone numbers on the terminal and in --json without --unmask', async () => {
    const text = await runCli(['validate', ...source, '--reports', join(dir, 'validate-text'), '--no-progress']);
    expect(text.stderr).toMatch(/phone "\(•••\) •••-\d{4}"/);
    expect(showsANumber(text.stderr + text.stdout)).toEqual([]);
    const json = await runCli(['validate', ...source, '--reports', join(dir, 'validate-json'), '--json', '--no-progress']);
    const document = jsonDocument('validate', json.stdout);
    expect(document.users.find((user) => user.line === 2)?.phones.mobile).toBe('+1 ••••••0100');
    expect(showsANumber(json.stdout)).toEqual([]);
  });

  it('leaves no report folder behind when the exports stop it (exit 3)', async () => {
    const reports = join(dir, 'validate-stopped');
    const result = await runCli(['validate', '--users', join(dir, 'no-such-users.csv'), '--reports', reports, '--no-progress']);
    expect(result.code).toBe(3);
    expect(await readdir(reports)).toEqual([]);
  });

  it('exits 3 with REPORT_WRITE_FAILED when --reports cannot hold the folder, and says to run validate again', async () => {
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, 'not a folder');
    const result = await runCli(['validate', ...source, '--reports', blocked, '--no-progress']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('REPORT_WRITE_FAILED');
    expect(result.stderr).toContain('run validate again');
  });
});

describe('plan and apply on the terminal', () => {
  it('plan masks every number in its lines and in --json, names writes in plain words, and shows them with --unmask', async () => {
    const text = await runCli(['plan', ...source, ...tenant, ...state]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("keep Entra's mobile +1 ••••••9999, not the export's +1 ••••••0105 (phoneConflict)");
    expect(text.stderr).toMatch(/set default sign-in method \(setPreferredMethod\) +\d+/);
    expect(showsANumber(text.stdout + text.stderr)).toEqual([]);

    const json = await runCli(['plan', ...source, ...tenant, ...state, '--json']);
    const document = jsonDocument('plan', json.stdout);
    const grace = document.users.find((user) => user.line === 8);
    expect(grace?.before?.phones.map((phone) => phone.phoneNumber)).toEqual(['+1 ••••••9999']);
    expect(grace?.operations[0]).toMatchObject({ kind: 'phoneConflict', phoneNumber: '+1 ••••••0105', previousPhoneNumber: '+1 ••••••9999' });
    expect(showsANumber(json.stdout)).toEqual([]);

    const unmasked = await runCli(['plan', ...source, ...tenant, ...state, '--unmask']);
    expect(unmasked.stdout).toContain("keep Entra's mobile +1 4255559999");
  });

  it('--quiet prints the summary only', async () => {
    const quiet = await runCli(['plan', ...source, ...tenant, ...state, '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toContain('Planned 29 users');
  });

  it('apply --quiet: no line per user, the summary and exit 4 for the user Graph refused', async () => {
    const applied = await runCli(['apply', ...source, ...tenant, ...state, '--quiet'], { timeoutMs: 60_000 });
    expect(applied.code, applied.stderr).toBe(4);
    expect(applied.stdout).toBe('');
    const summary = /Apply run (\S+) .*: (\d+) writes done, (\d+) failed/.exec(applied.stderr);
    expect(Number(summary?.[3])).toBeGreaterThan(0);
    applyRunId = summary?.[1] ?? '';
    expect(showsANumber(applied.stderr)).toEqual([]);
  }, 70_000);
});

describe('verify names the users it found incomplete', () => {
  it('lists them — status and what is missing — then points at the report', async () => {
    const result = await runCli(['verify', '--run', applyRunId, ...tenant, ...state]);
    expect(result.code).toBe(4);
    const lines = result.stdout.split('\n');
    const bob = lines.findIndex((line) => line.includes('bob.brown@contoso.com'));
    expect(lines[bob]).toMatch(/^ {2}line 3 {2}bob\.brown@contoso\.com \(Bob Brown\) {2}(failed|partial)$/);
    expect(lines[bob + 1]).toMatch(/^ {6}METHOD_MISSING the mobile phone \+1 ••••••0102 is not in Entra/);
    const reportPath = /every user in the report: (\S+)/.exec(result.stdout)?.[1] ?? '';
    expect(existsSync(reportPath)).toBe(true);
    expect(result.stdout).toContain('The migration is NOT complete: see the user above');
    expect(showsANumber(result.stdout)).toEqual([]);
  });
});

describe('a rollback writes its own report', () => {
  it('its statuses and undo steps, not the migration\'s findings', async () => {
    const result = await runCli(['rollback', '--run', applyRunId, '--execute', ...tenant, ...state], { timeoutMs: 60_000 });
    expect([0, 4], result.stderr).toContain(result.code);
    const html = /Reports \(phone numbers masked\): (\S+)/.exec(result.stderr)?.[1] ?? '';
    const json = JSON.parse(await readFile(join(html, '..', 'reconciliation.json'), 'utf8')) as { run: { command: string }; users: { status: string; issues: { code: string }[] }[] };
    expect(json.run.command).toBe('rollback');
    expect(new Set(json.users.map((user) => user.status))).toEqual(new Set(['restored', 'kept']));
    expect(new Set(json.users.flatMap((user) => user.issues.map((issue) => issue.code)))).toEqual(new Set(['UNDO_KEPT']));
    expect(await readFile(html, 'utf8')).toContain('Rollback report');
  }, 70_000);
});
