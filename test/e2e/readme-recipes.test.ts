/**
 * The README's recipes, run verbatim: each command line of the "On a real tenant" block through
 * bash, as an admin pastes it, in a folder holding the exports under the names the recipe uses,
 * with `mfa-migrate` on PATH and the environment the README's rehearsal paragraph describes (an
 * https emulator as Graph, a client secret sign-in). Only `RUN` is replaced, by the run id the
 * commands before printed. The emulator recipe ("Rehearse against the emulator") runs as written
 * too, on its port, and so does the staged migration's (two waves by group, then `sync --every
 * 15m` until the admin's Ctrl-C after its first cycle).
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { sampleSeed } from '../support/emulator.js';
import { projectRoot } from '../support/run-cli.js';

const bin = fileURLToPath(new URL('../../bin/mfa-migrate.js', import.meta.url));

/** The first ```sh block after `heading` in README.md, as lines, comments and blank lines dropped. */
async function recipe(heading: string): Promise<string[]> {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`README.md has no sh block after "${heading}"`);
  // A command's own comment starts at two spaces and a '#'; a line continued with '\' is one command.
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let binDir: string;
let emulator: RunningEmulator;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-readme-'));
  binDir = join(dir, 'bin');
  await mkdir(binDir);
  await writeFile(join(binDir, 'mfa-migrate'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  await chmod(join(binDir, 'mfa-migrate'), 0o755);
  for (const name of ['users.csv', 'devices.csv', 'tokens.csv']) await copyFile(join(projectRoot, 'fixtures', name), join(dir, name));
  const seed = sampleSeed();
  emulator = await startEmulator({ tenant: seed, throttle: 'off', https: true });
  env = {
    ...process.env,
    PATH: `${binDir}:${process.env['PATH'] ?? ''}`,
    NO_COLOR: '1',
    MFA_MIGRATE_GRAPH_URL: emulator.url,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath ?? '',
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: String(seed.app['clientId']),
    AZURE_CLIENT_SECRET: String(seed.app['clientSecret']),
  };
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function bash(script: string, cwd: string, timeoutMs = 60_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env, timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('README recipes, verbatim', () => {
  it('"On a real tenant": validate → plan → apply --plan → status → verify → verify $S → report → rollback, every command exit 0', async () => {
    const lines = await recipe('## On a real tenant');
    const [assignment, ...commands] = lines;
    expect(assignment).toMatch(/^S="--users users\.csv /);
    expect(commands.length).toBeGreaterThanOrEqual(8);
    const runs: { plan: string | null; apply: string | null } = { plan: null, apply: null };
    for (const command of commands) {
      // RUN is the plan's run id for apply --plan, else the apply run's.
      const run = command.includes(' apply ') || command.startsWith('mfa-migrate apply') ? runs.plan : runs.apply;
      const line = command.replaceAll('RUN', run ?? 'RUN');
      const outcome = await bash(`${assignment ?? ''}\n${line}`, dir);
      expect(outcome.code, `${line}\n${outcome.stderr}`).toBe(0);
      runs.plan = /Plan run (\S+?):/.exec(outcome.stderr)?.[1] ?? runs.plan;
      runs.apply = /Apply run (\S+?):/.exec(outcome.stderr)?.[1] ?? runs.apply;
    }
    expect(runs.apply).not.toBeNull();
    // The recipe reached the emulator, signed in with the secret, and wrote.
    expect(emulator.stats().writes).toBeGreaterThan(0);
  }, 300_000);

  it('"Rehearse against the emulator": the emulator on its port, then plan against it, as written', async () => {
    const lines = await recipe('Rehearse against the emulator:');
    expect(lines[0]).toMatch(/emulator --tenant fixtures\/tenant\.json --port (\d+) &$/);
    const port = /--port (\d+)/.exec(lines[0] ?? '')?.[1] ?? '';
    // A folder that looks like the clone (bin/ and fixtures/ linked), so the journal and reports
    // the recipe writes land there, not in the project.
    const clone = join(dir, 'clone');
    await mkdir(clone);
    await symlink(join(projectRoot, 'bin'), join(clone, 'bin'));
    await symlink(join(projectRoot, 'fixtures'), join(clone, 'fixtures'));
    const script = [
      lines[0] ?? '',
      'EMULATOR=$!',
      // Wait until the emulator listens, as an admin would wait for its first line.
      `for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; sleep 0.2; done`,
      ...lines.slice(1),
      'CODE=$?',
      'kill $EMULATOR',
      'exit $CODE',
    ].join('\n');
    const outcome = await bash(script, clone, 120_000);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toMatch(/Plan run \S+:/);
  }, 180_000);

  it('"Staged migrations": apply wave 1 and wave 2 by group, then sync --every 15m until Ctrl-C, as written', async () => {
    const lines = await recipe('## Staged migrations: `sync`');
    const [assignment, ...commands] = lines;
    expect(assignment).toMatch(/^S="--users users\.csv /);
    expect(commands).toHaveLength(3);
    // The tenant holds the recipe's two groups: the fixture's users split between them.
    const seed = sampleSeed();
    const userIds = seed.users.map((user) => String(user['id']));
    const half = Math.ceil(userIds.length / 2);
    seed['groups'] = [
      ...(seed['groups'] as unknown[]),
      { id: 'd1e2f3a4-0000-4000-8000-0000000000a1', displayName: 'MFA wave 1', members: userIds.slice(0, half) },
      { id: 'd1e2f3a4-0000-4000-8000-0000000000a2', displayName: 'MFA wave 2', members: userIds.slice(half) },
    ];
    const staged = await startEmulator({ tenant: seed, throttle: 'off', https: true });
    const folder = join(dir, 'staged');
    await mkdir(folder);
    for (const name of ['users.csv', 'devices.csv', 'tokens.csv']) await copyFile(join(projectRoot, 'fixtures', name), join(folder, name));
    const stagedEnv = { ...env, MFA_MIGRATE_GRAPH_URL: staged.url, NODE_EXTRA_CA_CERTS: staged.caCertPath ?? '', AZURE_TENANT_ID: staged.tenantId };
    try {
      for (const command of commands.slice(0, 2)) {
        const outcome = await new Promise<Outcome>((resolve) => {
          execFile('bash', ['-c', `${assignment ?? ''}\n${command}`], { cwd: folder, env: stagedEnv, timeout: 60_000 }, (error, stdout, stderr) => {
            resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
          });
        });
        expect(outcome.code, `${command}\n${outcome.stderr}`).toBe(0);
        expect(outcome.stderr, command).toMatch(/Apply run \S+:/);
      }
      const writesBeforeSync = staged.stats().writes;
      // The sync line runs until Ctrl-C: the admin presses it once the first cycle's line shows.
      const sync = spawn('bash', ['-c', `${assignment ?? ''}\n${commands[2] ?? ''}`], { cwd: folder, env: stagedEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      sync.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
      sync.stdout.resume();
      const exited = new Promise<number | null>((resolve) => sync.on('close', (code) => { resolve(code); }));
      const deadline = Date.now() + 60_000;
      while (!/ — next run at /.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stderr).toMatch(/ sync \S+: \d+ to check .* — next run at /);
      // Ctrl-C reaches the terminal's whole foreground group: bash and mfa-migrate.
      process.kill(-(sync.pid ?? 0), 'SIGINT');
      expect(await exited, stderr).toBe(0);
      expect(stderr).toContain('Stopped between cycles');
      // The waves migrated everyone the groups hold: the first sync cycle had nothing new to write.
      expect(staged.stats().writes).toBe(writesBeforeSync);
    } finally {
      await staged.close();
    }
  }, 180_000);
});
