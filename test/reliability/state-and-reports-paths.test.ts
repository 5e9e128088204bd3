/**
 * `--state <file>` and `--reports <dir>` as admins type them (docs/design.md "Common options"):
 * relative with `..`, absolute, with spaces and non-ASCII letters — these must work, with the
 * journal and the reports where the path says and private to the account; a folder given as the
 * journal, a missing folder, a file in the way, a place the account may not write — these must stop
 * with a MigrateError (exit 2 or 3) that names the path and says what to do, never a stack trace.
 * Runs the built CLI (`npm run build` first) with `plan` against the in-process emulator.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { startTestEmulator } from '../support/emulator.js';
import { projectRoot, runCli, type CliResult } from '../support/run-cli.js';

// Journal and report files hold phone numbers: 0600 files in 0700 folders (docs/security.md).
const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_FOLDER_MODE = 0o700;
const PERMISSION_BITS = 0o777;
const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;
const REPORT_FILES = ['issues.csv', 'reconciliation.csv', 'reconciliation.json', 'reconciliation.xlsx', 'report.html'];
const isRoot = process.getuid?.() === 0;
const hasSysfs = process.platform === 'linux' && existsSync('/sys/kernel');
const hasProcfs = process.platform === 'linux' && existsSync('/proc/self');

let emulator: RunningEmulator;
let dir: string;
let users: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-paths-'));
  users = join(dir, 'users.csv');
  await writeFile(users, 'Username,Primary Country Code,Primary Phone,Method\r\nalice.anders@contoso.com,1,425 555 0100,Phone call\r\nbob.brown@contoso.com,1,425 555 0101,Text message\r\n');
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function plan(state: string, reports: string, options: { readonly timeoutMs?: number } = {}): Promise<CliResult> {
  return runCli(
    ['plan', '--users', users, '--auth', 'emulator', '--graph-url', emulator.url, '--state', state, '--reports', reports, '--no-progress'],
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}

/** A stop the admin can act on: our error line with its code and remedy, and no stack frame. */
function expectClearStop(result: CliResult, code: string, exitCode: number, path: string): void {
  expect(result.stderr).toContain(`error ${code}: `);
  expect(result.stderr).toContain(path);
  expect(result.stderr).toMatch(/what to do: \S/);
  expect(result.stderr).not.toMatch(/^\s+at \S/m);
  expect(result.code).toBe(exitCode);
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & PERMISSION_BITS;
}

/** The one run folder plan wrote under `reports`, checked private with its four files. */
async function expectPrivateReports(reports: string): Promise<void> {
  const runs = await readdir(reports);
  expect(runs).toHaveLength(1);
  const runFolder = join(reports, runs[0] ?? '');
  expect(runs[0]).toMatch(RUN_ID);
  expect(await modeOf(runFolder)).toBe(PRIVATE_FOLDER_MODE);
  expect((await readdir(runFolder)).sort()).toEqual(REPORT_FILES);
  for (const file of REPORT_FILES) expect(await modeOf(join(runFolder, file))).toBe(PRIVATE_FILE_MODE);
}

describe('legitimate --state and --reports paths work, privately', () => {
  it('absolute paths with spaces and non-ASCII letters, in folders that do not exist yet for --reports', async () => {
    const folder = join(dir, 'Migration data ü 日本');
    await mkdir(folder);
    const state = join(folder, 'journal Zoë.db');
    const reports = join(folder, 'räpörts dir', 'new', 'deeper');
    const result = await plan(state, reports);
    expect(result.stderr).not.toMatch(/^error /m);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`The plan is stored in ${state}.`);
    expect(await modeOf(state)).toBe(PRIVATE_FILE_MODE);
    await expectPrivateReports(reports);
    // Folders the tool created for --reports are private too.
    expect(await modeOf(join(folder, 'räpörts dir'))).toBe(PRIVATE_FOLDER_MODE);
  });

  it('relative paths with `..`, resolved from the current folder', async () => {
    const folder = join(dir, 'relative');
    await mkdir(join(folder, 'sub'), { recursive: true });
    // From the project folder (the CLI's current folder) into the temp folder and back out of sub/.
    const fromCwd = relative(projectRoot, folder);
    expect(fromCwd.startsWith('..')).toBe(true);
    const result = await plan(join(fromCwd, 'sub', '..', 'rel.db'), join(fromCwd, 'sub', '..', 'reports'));
    expect(result.code).toBe(0);
    expect(existsSync(join(folder, 'rel.db'))).toBe(true);
    await expectPrivateReports(join(folder, 'reports'));
    expect(existsSync(resolve(projectRoot, 'rel.db'))).toBe(false);
  });

  it('the same journal twice: the second plan adds a run', async () => {
    const state = join(dir, 'twice.db');
    const reports = join(dir, 'twice-reports');
    expect((await plan(state, reports)).code).toBe(0);
    expect((await plan(state, reports)).code).toBe(0);
    expect(await readdir(reports)).toHaveLength(2);
  });
});

describe('a --state the journal cannot live at stops with exit 3, naming it', () => {
  it('an existing folder', async () => {
    const state = join(dir, 'a-folder');
    await mkdir(state);
    expectClearStop(await plan(state, join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, state);
    expect(existsSync(join(dir, 'unused-reports'))).toBe(false);
  });

  it('a file in a folder that does not exist', async () => {
    const state = join(dir, 'no-such-folder', 'journal.db');
    expectClearStop(await plan(state, join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, state);
  });

  it('a path through a file', async () => {
    const file = join(dir, 'plain-file.txt');
    await writeFile(file, 'not a folder');
    const state = join(file, 'journal.db');
    expectClearStop(await plan(state, join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, state);
  });

  it('a file that is not a journal (an export given by mistake), which is left as it was', async () => {
    const state = join(dir, 'users-copy.csv');
    const text = 'Username,Primary Phone\r\nalice,425 555 0100\r\n'.repeat(20);
    await writeFile(state, text);
    expectClearStop(await plan(state, join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, state);
    expect((await stat(state)).size).toBe(Buffer.byteLength(text));
  });

  it('a device, not a file', async () => {
    expectClearStop(await plan('/dev/null', join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, '/dev/null');
  });

  it.runIf(hasSysfs)('a place no account may write (/sys)', async () => {
    expectClearStop(await plan('/sys/mfa-migrate.db', join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, '/sys/mfa-migrate.db');
  });

  it.runIf(!isRoot)('a folder this account may not write', async () => {
    const locked = join(dir, 'locked-state');
    await mkdir(locked, { mode: 0o500 });
    try {
      const state = join(locked, 'journal.db');
      expectClearStop(await plan(state, join(dir, 'unused-reports')), 'JOURNAL_UNREADABLE', 3, state);
    } finally {
      await chmod(locked, PRIVATE_FOLDER_MODE);
    }
  });
});

describe('a --reports folder that cannot be written stops with exit 3 after the plan is stored', () => {
  it('a file where the folder must be', async () => {
    const file = join(dir, 'reports-is-a-file');
    await writeFile(file, 'x');
    const result = await plan(join(dir, 'reports-file.db'), file);
    expectClearStop(result, 'REPORT_WRITE_FAILED', 3, file);
    // The remedy is the command that writes the reports again from the journal.
    expect(result.stderr).toMatch(/mfa-migrate report --run \d{8}-\d{6}-[0-9a-f]{4} --state /);
  });

  it.runIf(hasSysfs)('a place no account may write (/sys)', async () => {
    expectClearStop(await plan(join(dir, 'reports-sys.db'), '/sys/mfa-migrate-reports'), 'REPORT_WRITE_FAILED', 3, '/sys/mfa-migrate-reports');
  });

  it.runIf(!isRoot)('a folder this account may not write', async () => {
    const locked = join(dir, 'locked-reports');
    await mkdir(locked, { mode: 0o500 });
    try {
      expectClearStop(await plan(join(dir, 'reports-locked.db'), locked), 'REPORT_WRITE_FAILED', 3, locked);
    } finally {
      await chmod(locked, PRIVATE_FOLDER_MODE);
    }
  });
});

describe('paths that once went wrong', () => {
  // Node's recursive mkdir loops for ever when a parent answers ENOENT for a child it cannot
  // hold (procfs): ensurePrivateFolder makes one level at a time.
  it.runIf(hasProcfs)('--reports under /proc stops with exit 3 (it once spun at 100% CPU for ever)', async () => {
    const result = await plan(join(dir, 'reports-proc.db'), '/proc/mfa-migrate-reports', { timeoutMs: 8_000 });
    expectClearStop(result, 'REPORT_WRITE_FAILED', 3, '/proc/mfa-migrate-reports');
  }, 15_000);

  // SQLite reads ':memory:' as its in-memory database: openJournal opens every --state as a file.
  it('--state :memory: is a file name (it was once kept in memory and lost)', async () => {
    const literal = resolve(projectRoot, ':memory:');
    try {
      const result = await plan(':memory:', join(dir, 'memory-reports'));
      expect(result.code).toBe(0);
      expect(existsSync(literal)).toBe(true);
      expect(await modeOf(literal)).toBe(PRIVATE_FILE_MODE);
    } finally {
      await rm(literal, { force: true });
      await rm(`${literal}-wal`, { force: true });
      await rm(`${literal}-shm`, { force: true });
    }
  });

  // A file that already exists (made by the admin, copied under another umask) is made 0600.
  it('an existing world-readable --state file is made private', async () => {
    const state = join(dir, 'made-by-admin.db');
    await writeFile(state, '', { mode: 0o644 });
    await chmod(state, 0o644);
    expect((await plan(state, join(dir, 'admin-reports'))).code).toBe(0);
    expect(await modeOf(state)).toBe(PRIVATE_FILE_MODE);
  });

  // An unset shell variable (`--reports "$DIR"`) would put the files in the current folder.
  it.each(['--state', '--reports'])('an empty %s is refused with exit 2', async (option) => {
    const result = await plan(option === '--state' ? '' : join(dir, 'empty.db'), option === '--reports' ? '' : join(dir, 'empty-reports'));
    expectClearStop(result, 'OPTION_INVALID', 2, `${option} is empty`);
    expect(existsSync(join(dir, 'empty.db'))).toBe(false);
  });

  // The command in REPORT_WRITE_FAILED's remedy must paste back when the path has a space.
  it('a remedy that prints a command quotes a --state path with spaces', async () => {
    const file = join(dir, 'in-the-way');
    await writeFile(file, 'x');
    const state = join(dir, 'my journal.db');
    const result = await plan(state, file);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`--state '${state}'`);
  });
});
