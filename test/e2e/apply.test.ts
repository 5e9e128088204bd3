/**
 * `apply`, `status` and `rollback` as an admin runs them: the built CLI against an in-process
 * emulator. Ctrl-C ends with exit 6 and a resume command that works when pasted; a second apply on
 * the same journal is refused while the first runs; status reads the journal; rollback shows the
 * undo before it sends it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedTenant } from '../support/generated-tenant.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { jsonDocument } from '../support/json-documents.js';
import { projectRoot, runCli } from '../support/run-cli.js';

const bin = fileURLToPath(new URL('../../bin/mfa-migrate.js', import.meta.url));
const USERS = 300;
/** Slow enough (about 10 s of writes; up to 16 batches of 20 are handed to the gateway at once) that Ctrl-C and a second apply land while it runs. */
const WRITES_PER_SECOND = 60;

let dir: string;
let usersFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-apply-e2e-'));
  usersFile = join(dir, 'users with space.csv');
  const { upns } = generatedTenant(USERS);
  // Every third user has a backup phone: an alternateMobile, which rollback can delete (the mobile
  // becomes the default, which Graph does not let rollback take back).
  const rows = upns.map((upn, index) => `${upn},1,425 555 ${(1000 + index).toString()},1,${index % 3 === 0 ? `206 555 ${(1000 + index).toString()}` : ''},Phone call,Yes`);
  await writeFile(usersFile, `Username,Primary Country Code,Primary Phone,Backup Country Code,Backup Phone,Method,Enabled\n${rows.join('\n')}\n`);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function slowTenant(): Promise<RunningEmulator> {
  return startEmulator({ tenant: generatedTenant(USERS).seed, throttle: { timeScale: 1, writesPerWindow: WRITES_PER_SECOND, writeWindowSeconds: 1 } });
}

function applyArgs(emulator: RunningEmulator, state: string): string[] {
  return ['apply', '--users', usersFile, '--auth', 'emulator', '--graph-url', emulator.url, '--state', state, '--reports', join(dir, 'reports'), '--no-progress', '--write-budget', `${String(WRITES_PER_SECOND)}/1`];
}

/** Starts the CLI and resolves once its stderr shows `marker`, with a way to signal it and await its end. */
async function startCli(args: readonly string[], marker: string): Promise<{ signal: (name: NodeJS.Signals) => void; done: Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => { resolve({ code, stderr }); }));
  child.stdout.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no "${marker}" within 20 s: ${stderr}`)); }, 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { signal: (name) => child.kill(name), done };
}

/** Splits the printed resume command the way a POSIX shell would (it quotes with '…'). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((match) => (match[1] === undefined ? match[2] ?? '' : match[1].replaceAll("'\\''", "'")));
}

describe('mfa-migrate apply', () => {
  it('stops on Ctrl-C with exit 6 and a resume command that finishes the run when pasted', async () => {
    const emulator = await slowTenant();
    const state = join(dir, 'interrupt.db');
    try {
      const running = await startCli(applyArgs(emulator, state), 'Apply run ');
      // A second apply on the same journal is refused while this one runs.
      const second = await runCli(applyArgs(emulator, state));
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('JOURNAL_LOCKED');

      running.signal('SIGINT');
      const stopped = await running.done;
      expect(stopped.code, stopped.stderr).toBe(6);
      const resume = /Resume it with: (mfa-migrate .+)/.exec(stopped.stderr)?.[1];
      expect(resume, stopped.stderr).toBeDefined();
      const writesAtStop = emulator.stats().writes;

      const status = await runCli(['status', '--state', state, '--json']);
      const view = jsonDocument('status', status.stdout);
      expect(view.run).toMatchObject({ command: 'apply', status: 'interrupted' });
      expect(view.operations.remaining).toBeGreaterThan(0);
      expect(view.operations.done).toBe(writesAtStop);

      const words = shellWords(resume ?? '');
      expect(words[0]).toBe('mfa-migrate');
      const resumed = await runCli(words.slice(1), { timeoutMs: 60_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain('(resumed)');
      expect(resumed.stderr).toMatch(/Reports \(phone numbers masked\): \S+report\.html/);
      for (const count of Object.values(emulator.stats().phoneCreates)) expect(count).toBe(1);

      const finished = jsonDocument('status', (await runCli(['status', '--state', state, '--json'])).stdout);
      expect(finished).toMatchObject({ run: { status: 'finished' }, operations: { remaining: 0 } });
    } finally {
      await emulator.close();
    }
  }, 90_000);

  it('rollback shows the undo without writing, then sends it with --execute', async () => {
    const emulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
    const state = join(dir, 'rollback.db');
    try {
      // No write budget here: this tenant does not throttle.
      const applied = await runCli([...applyArgs(emulator, state).slice(0, -2), '--json'], { timeoutMs: 60_000 });
      expect(applied.code, applied.stderr).toBe(0);
      const { runId } = jsonDocument('apply', applied.stdout);
      const writes = emulator.stats().writes;

      const dry = await runCli(['rollback', '--run', runId, '--state', state, '--auth', 'emulator', '--graph-url', emulator.url, '--no-progress']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('Nothing was written.');
      expect(dry.stdout).toContain('--execute');
      expect(emulator.stats().writes).toBe(writes);

      const executed = await runCli(['rollback', '--run', runId, '--state', state, '--auth', 'emulator', '--graph-url', emulator.url, '--reports', join(dir, 'reports'), '--no-progress', '--execute']);
      expect(executed.code, executed.stderr).toBe(0);
      expect(executed.stdout).toMatch(/Rollback run \S+ of apply run/);
      expect(emulator.stats().writes).toBeGreaterThan(writes);
    } finally {
      await emulator.close();
    }
  }, 90_000);
});
