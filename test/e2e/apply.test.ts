/**
 * `apply`, `status` and `rollback` as an admin runs them: the built CLI against an in-process
 * emulator. Ctrl-C sends nothing more (the emulator's stats prove no request arrives after it
 * beyond those already on the wire), awaits and records what is on the wire, ends within seconds
 * even when the next write window is minutes away, and exits 6 with a resume command that works
 * when pasted; a second Ctrl-C ends at once and the resume is still exact. A second apply on the
 * same journal is refused while the first runs; status reads the journal; rollback shows the undo
 * before it sends it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

function applyArgs(graphUrl: string, state: string): string[] {
  return ['apply', '--users', usersFile, '--auth', 'emulator', '--graph-url', graphUrl, '--state', state, '--reports', join(dir, 'reports'), '--no-progress', '--write-budget', `${String(WRITES_PER_SECOND)}/1`];
}

interface RunningCli {
  readonly signal: (name: NodeJS.Signals) => void;
  readonly done: Promise<{ code: number | null; stderr: string }>;
  /** Resolves once stderr shows `text`. */
  readonly shows: (text: string) => Promise<void>;
}

/** Starts the CLI and resolves once its stderr shows `marker`, with a way to signal it and await its end. */
async function startCli(args: readonly string[], marker: string): Promise<RunningCli> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => { resolve({ code, stderr }); }));
  const shows = (text: string): Promise<void> => waitFor(() => stderr.includes(text), `"${text}" on stderr`, () => stderr);
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
  return { signal: (name) => child.kill(name), done, shows };
}

async function waitFor(condition: () => boolean, what: string, detail: () => string = () => '', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${String(timeoutMs)} ms: ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A loopback proxy in front of the emulator that passes every request on at once but holds the
 * answer to each `$batch` carrying writes for `holdMs`: the writes are made in the emulator while
 * their request is still on the wire for the CLI, as when Graph is slow to answer.
 */
async function holdingProxy(target: string): Promise<{ url: string; holdMs: number; holdReadsMs: number; held: () => number; close: () => Promise<void> }> {
  let held = 0;
  const state = { holdMs: 0, holdReadsMs: 0 };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const writes = incoming.url?.endsWith('/$batch') === true && /"method":"(POST|PATCH|DELETE)"/.test(body.toString('utf8'));
      const upstream = httpRequest(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: incoming.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const hold = writes ? state.holdMs : incoming.url?.endsWith('/$batch') === true ? state.holdReadsMs : 0;
          if (hold > 0) held += 1;
          setTimeout(() => {
            if (hold > 0) held -= 1;
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(Buffer.concat(parts));
          }, hold);
        });
      });
      upstream.on('error', () => outgoing.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    get holdMs() { return state.holdMs; },
    set holdMs(value: number) { state.holdMs = value; },
    get holdReadsMs() { return state.holdReadsMs; },
    set holdReadsMs(value: number) { state.holdReadsMs = value; },
    held: () => held,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }),
  };
}

/** The number of requests the first Ctrl-C message says are awaited. */
function awaitedRequests(stderr: string): number {
  if (stderr.includes('no request is waiting for an answer')) return 0;
  const match = /waiting for the (\d+) requests? already sent/.exec(stderr);
  if (match?.[1] === undefined) throw new Error(`no Stopping message: ${stderr}`);
  return Number(match[1]);
}

/** Splits the printed resume command the way a POSIX shell would (it quotes with '…'). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((match) => (match[1] === undefined ? match[2] ?? '' : match[1].replaceAll("'\\''", "'")));
}

describe('mfa-migrate apply', () => {
  it('stops on Ctrl-C: nothing leaves after it but what is on the wire, which is recorded; exit 6 and a resume command that finishes the run when pasted', async () => {
    const emulator = await slowTenant();
    const proxy = await holdingProxy(emulator.url);
    const state = join(dir, 'interrupt.db');
    try {
      const running = await startCli(applyArgs(proxy.url, state), 'Apply run ');
      // A second apply on the same journal is refused while this one runs.
      const second = await runCli(applyArgs(proxy.url, state));
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('JOURNAL_LOCKED');

      // Writes under way, and one of their answers on the wire: then Ctrl-C.
      proxy.holdMs = 800;
      await waitFor(() => emulator.stats().writes > 0 && proxy.held() > 0, 'write request on the wire');
      const atSignal = emulator.stats();
      const signalledAt = Date.now();
      running.signal('SIGINT');
      const stopped = await running.done;
      const endedAfterMs = Date.now() - signalledAt;
      expect(stopped.code, stopped.stderr).toBe(6);
      const awaited = awaitedRequests(stopped.stderr);
      expect(awaited).toBeGreaterThan(0);
      const atEnd = emulator.stats();
      // No request reached Graph after the interrupt beyond those the CLI said were on the wire.
      expect(atEnd.requests - atSignal.requests).toBeLessThanOrEqual(awaited);
      expect(atEnd.writeAttempts - atSignal.writeAttempts).toBeLessThanOrEqual(awaited * 20);
      expect(endedAfterMs).toBeLessThan(5_000);
      const resume = /Resume it with: (mfa-migrate .+)/.exec(stopped.stderr)?.[1];
      expect(resume, stopped.stderr).toBeDefined();

      // What was on the wire was awaited and recorded: every write the emulator made is `done`, none left in doubt.
      const status = await runCli(['status', '--state', state, '--json']);
      const view = jsonDocument('status', status.stdout);
      expect(view.run).toMatchObject({ command: 'apply', status: 'interrupted' });
      expect(view.operations.remaining).toBeGreaterThan(0);
      expect(view.operations.done).toBe(atEnd.writes);

      proxy.holdMs = 0;
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
      await proxy.close();
      await emulator.close();
    }
  }, 90_000);

  it('ends within seconds of Ctrl-C when the next write window is ten minutes away, sending nothing more', async () => {
    const emulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
    const state = join(dir, 'far-window.db');
    try {
      // 40 writes per 10 minutes: two batches leave, then the governor waits for the window.
      const args = [...applyArgs(emulator.url, state).slice(0, -2), '--write-budget', '40/600'];
      const running = await startCli(args, 'Apply run ');
      await waitFor(() => emulator.stats().writes >= 40, '40 writes');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const atSignal = emulator.stats();
      const signalledAt = Date.now();
      running.signal('SIGINT');
      const stopped = await running.done;
      expect(stopped.code, stopped.stderr).toBe(6);
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(awaitedRequests(stopped.stderr)).toBe(0);
      expect(emulator.stats().requests).toBe(atSignal.requests);
      expect(stopped.stderr).toMatch(/Resume it with: mfa-migrate apply /);
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('a second Ctrl-C ends at once while answers are still on the wire, and the resume reads them back instead of writing twice', async () => {
    const emulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
    const proxy = await holdingProxy(emulator.url);
    const state = join(dir, 'second-interrupt.db');
    try {
      const args = applyArgs(proxy.url, state).slice(0, -2);
      const running = await startCli(args, 'Apply run ');
      // Every write answer is held for 30 s: the first Ctrl-C has requests to wait for.
      proxy.holdMs = 30_000;
      await waitFor(() => proxy.held() > 0, 'write request on the wire');
      running.signal('SIGINT');
      await running.shows('already sent to be answered and recorded');
      const signalledAt = Date.now();
      running.signal('SIGINT');
      const ended = await running.done;
      expect(Date.now() - signalledAt).toBeLessThan(3_000);
      expect(ended.code, ended.stderr).toBe(6);
      expect(ended.stderr).toContain('Ended at once');
      const resume = /Resume with:\s+(mfa-migrate .+)/.exec(ended.stderr)?.[1];
      expect(resume, ended.stderr).toBeDefined();

      // The held writes were made in Entra; the resume finds them there and sends only the rest.
      proxy.holdMs = 0;
      const resumed = await runCli(shellWords(resume ?? '').slice(1), { timeoutMs: 60_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/\d+ writes found applied in Entra/);
      for (const count of Object.values(emulator.stats().phoneCreates)) expect(count).toBe(1);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  }, 90_000);

  it('status shows an apply killed mid-run as interrupted (its process is gone) with the command that resumes it, not as running', async () => {
    const emulator = await slowTenant();
    const state = join(dir, 'killed.db');
    try {
      const args = applyArgs(emulator.url, state);
      const running = await startCli(args, 'Apply run ');
      await waitFor(() => emulator.stats().writes > 0, 'writes');
      running.signal('SIGKILL');
      await running.done;
      const json = JSON.parse((await runCli(['status', '--state', state, '--json'])).stdout) as { run: { id: string; status: string; recordedStatus: string; writerGone: boolean }; secondsLeft: number | null; resumeCommand: string };
      expect(json.run).toMatchObject({ status: 'interrupted', recordedStatus: 'running', writerGone: true });
      expect(json.secondsLeft).toBeNull();
      // The short form: the exports, options and Graph come from the journal.
      expect(shellWords(json.resumeCommand).slice(1)).toEqual(['apply', '--resume', json.run.id, '--state', state]);
      const text = (await runCli(['status', '--state', state])).stdout;
      expect(text).toMatch(/^apply run \S+: interrupted \(its process \d+ on \S+ is gone\)/);
      expect(text).toContain(`Interrupted. Resume it with:\n  ${json.resumeCommand}`);
      // Pasted as printed (with the emulator's --write-budget of the first run, which the journal does not decide), it finishes the run.
      const resumed = await runCli([...shellWords(json.resumeCommand).slice(1), '--no-progress', '--write-budget', `${String(WRITES_PER_SECOND)}/1`], { timeoutMs: 60_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`Resuming apply run ${json.run.id}`);
    } finally {
      await emulator.close();
    }
  }, 60_000);

  it('plan stopped with Ctrl-C while reading ends with exit 6 and is recorded interrupted, with the command to run it again', async () => {
    const emulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
    const proxy = await holdingProxy(emulator.url);
    const state = join(dir, 'plan-interrupted.db');
    try {
      proxy.holdReadsMs = 1_000;
      const args = ['plan', '--users', usersFile, '--auth', 'emulator', '--graph-url', proxy.url, '--state', state, '--reports', join(dir, 'reports'), '--no-progress'];
      const running = await startCli(args, 'Plan run ');
      await waitFor(() => proxy.held() > 0, 'a read on the wire');
      running.signal('SIGINT');
      const stopped = await running.done;
      expect(stopped.code, stopped.stderr).toBe(6);
      expect(stopped.stderr).toContain('INTERRUPTED');
      expect(stopped.stderr).toMatch(/Run it again to continue: mfa-migrate plan /);
      const text = (await runCli(['status', '--state', state])).stdout;
      expect(text).toMatch(/^plan run \S+: interrupted/);
      expect(text).toContain('Stopped before it finished. Run it again with:');
    } finally {
      await proxy.close();
      await emulator.close();
    }
  }, 60_000);

  it('rollback shows the undo without writing, then sends it with --execute', async () => {
    const emulator = await startEmulator({ tenant: generatedTenant(USERS).seed, throttle: 'off' });
    const state = join(dir, 'rollback.db');
    try {
      // No write budget here: this tenant does not throttle.
      const applied = await runCli([...applyArgs(emulator.url, state).slice(0, -2), '--json'], { timeoutMs: 60_000 });
      expect(applied.code, applied.stderr).toBe(0);
      const { runId } = jsonDocument('apply', applied.stdout);
      const writes = emulator.stats().writes;

      // Another Graph than the run wrote to is refused before anything is read or written.
      const elsewhere = await runCli(['rollback', '--run', runId, '--state', state, '--auth', 'emulator', '--graph-url', 'http://127.0.0.1:9', '--no-progress', '--execute']);
      expect(elsewhere.code, elsewhere.stderr).toBe(2);
      expect(elsewhere.stderr).toContain('ROLLBACK_OTHER_TENANT');

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
