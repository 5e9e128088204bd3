/**
 * Every command the tool prints works when pasted into a shell: the built CLI behind an
 * `mfa-migrate` on PATH, the printed lines run by `sh -c` exactly as printed, with a journal and a
 * reports folder whose names hold a space and a quote. Also: offline commands accept the sign-in
 * options an admin pastes into every command, and `--help` says what is required, shows an
 * example and the exit codes, and offers each command only the options it uses.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { startTestEmulator } from '../support/emulator.js';
import { projectRoot, runCli } from '../support/run-cli.js';

const bin = fileURLToPath(new URL('../../bin/mfa-migrate.js', import.meta.url));

let dir: string;
let binDir: string;
let emulator: RunningEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-pasted-'));
  binDir = join(dir, 'bin');
  await mkdir(binDir);
  // What `npm install -g` gives the admin: an `mfa-migrate` on PATH.
  await writeFile(join(binDir, 'mfa-migrate'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  await chmod(join(binDir, 'mfa-migrate'), 0o755);
  emulator = await startTestEmulator({ throttle: 'off' });
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a printed command line through sh, as an admin pasting it would, from the project folder. */
function paste(commandLine: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', commandLine], { cwd: projectRoot, env: { ...process.env, PATH: `${binDir}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

function printed(text: string, after: string): string {
  const line = text.split('\n').find((candidate) => candidate.includes(after));
  const command = line === undefined ? undefined : /(mfa-migrate .+)$/.exec(line.slice(line.indexOf(after) + after.length))?.[1];
  if (command === undefined) throw new Error(`no command after "${after}" in:\n${text}`);
  return command;
}

describe('printed commands, pasted', () => {
  it('plan → the printed apply --plan → the printed rollback: each works pasted, with a journal path holding a space and a quote', async () => {
    const state = join(dir, "Ann's journal.db");
    const reports = join(dir, 'my reports');
    const source = ['--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com'];
    const planned = await runCli(['plan', ...source, '--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName', '--state', state, '--reports', reports, '--no-progress']);
    expect(planned.code, planned.stderr).toBe(0);

    const applyLine = printed(planned.stderr, 'To execute exactly this plan (its exports, options and tenant are in the journal): ');
    expect(applyLine).toMatch(/^mfa-migrate apply --plan \S+ --state '.*Ann'\\''s journal\.db'$/);
    const applied = await paste(`${applyLine} --reports '${reports}' --no-progress`);
    expect(applied.code, applied.stderr).toBe(0);
    expect(emulator.stats().writes).toBeGreaterThan(0);

    const undoLine = printed(applied.stderr, 'Undo this run with: ');
    const writes = emulator.stats().writes;
    const dry = await paste(`${undoLine} --reports '${reports}' --no-progress`);
    expect(dry.code, dry.stderr).toBe(0);
    // It read the emulator the run wrote to (no --graph-url or --auth given), and wrote nothing.
    expect(dry.stdout).toMatch(/delete|undo|remove/i);
    expect(emulator.stats().writes).toBe(writes);
  }, 120_000);

  it('validate accepts the sign-in options pasted with the exports, and says at debug level that it ignores them', async () => {
    const result = await runCli(['validate', '--users', 'fixtures/users.csv', '--upn-suffix', 'contoso.com', '--auth', 'Secret', '--tenant-id', 'contoso.onmicrosoft.com', '--cloud', 'USGov', '--log-level', 'debug', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('validate does not talk to Graph: --tenant-id, --auth, --cloud ignored.');
  });
});

describe('--help', () => {
  it('marks required options, shows an example and the exit codes', async () => {
    const help = await runCli(['validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--users <file>\s+\(required\)/);
    expect(help.stdout).toContain('Example:\n  mfa-migrate validate --users users.csv');
    expect(help.stdout).toContain('Exit codes:\n  0  done\n  2  usage error');
    expect(help.stdout).not.toContain('--auth');
  });

  it('offers each command only the options it uses', async () => {
    expect((await runCli(['verify', '--help'])).stdout).not.toContain('--write-budget');
    expect((await runCli(['rollback', '--help'])).stdout).not.toContain('--group');
    expect((await runCli(['apply', '--help'])).stdout).toContain('--resume <run>');
  });

  it('with no command at all prints the help on stderr and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: mfa-migrate [options] [command]');
  });
});
