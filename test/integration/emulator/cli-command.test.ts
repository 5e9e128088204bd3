import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerEmulatorCommand } from '../../../src/cli/commands/emulator.js';
import type { CliIo } from '../../../src/cli/io.js';
import { MigrateError } from '../../../src/errors.js';
import { capturedIo, type CapturedIo } from '../../support/captured-io.js';
import { ids, sampleSeed, tenantFixturePath } from '../../support/emulator.js';

type FakeIo = CapturedIo;
const fakeIo = (): FakeIo => capturedIo();

function run(io: CliIo, args: string[]): Promise<unknown> {
  const program = new Command('mfa-migrate').exitOverride();
  registerEmulatorCommand(program, io);
  for (const command of program.commands) command.exitOverride();
  return program.parseAsync(args, { from: 'user' });
}

async function firstLine(io: FakeIo): Promise<string> {
  for (let i = 0; i < 200 && !io.out().includes('\n'); i += 1) await sleep(10);
  return io.out().split('\n')[0] ?? '';
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('mfa-migrate emulator (in-process, commander + fake io)', () => {
  it('prints the base URL first on stdout, serves Graph, and stops cleanly on interrupt', async () => {
    const io = fakeIo();
    const running = run(io, ['emulator', '--tenant', tenantFixturePath, '--port', '0', '--throttle', 'off', '--faults', 'seed=3,latency=1-2']);
    const url = await firstLine(io);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/v1.0/users/${ids.alice}`, { headers: { authorization: 'Bearer emulator' } });
    expect(response.status).toBe(200);
    expect(io.err()).toContain(`from ${tenantFixturePath}`);
    expect(io.err()).toContain('Press Ctrl-C to stop.');
    io.interrupt();
    await running;
    expect(io.err()).toContain('Emulator stopped.');
    await expect(fetch(`${url}/v1.0/users/${ids.alice}`)).rejects.toThrow();
  });

  it('serves https and says how to trust its certificate', async () => {
    const io = fakeIo();
    const running = run(io, ['emulator', '--tenant', tenantFixturePath, '--https']);
    const url = await firstLine(io);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(io.err()).toMatch(/trust: {5}NODE_EXTRA_CA_CERTS=.*emulator-ca\.pem/);
    io.interrupt();
    await running;
  });

  it('refuses bad option values with usage errors (exit code 2)', async () => {
    for (const [args, code] of [
      [['--port', '70000'], 'EMULATOR_PORT_INVALID'],
      [['--faults', 'seed=1,5xx=2'], 'EMULATOR_FAULTS_INVALID'],
      [['--faults', 'jitter=5'], 'EMULATOR_FAULTS_INVALID'],
      [['--throttle', 'sometimes'], 'EMULATOR_THROTTLE_INVALID'],
    ] as const) {
      const failure = await run(fakeIo(), ['emulator', '--tenant', tenantFixturePath, ...args]).catch((error: unknown) => error);
      expect(failure, args.join(' ')).toBeInstanceOf(MigrateError);
      expect(failure).toMatchObject({ code, exitCode: 2 });
    }
  });

  it('refuses an invalid seed with exit code 3, naming the file, the JSON path and the remedy', async () => {
    const seed = sampleSeed();
    delete seed.users[3]?.['userPrincipalName'];
    const file = join(folder, 'broken-tenant.json');
    await writeFile(file, JSON.stringify(seed));
    const failure = await run(fakeIo(), ['emulator', '--tenant', file]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrateError);
    const error = failure as MigrateError;
    expect(error.exitCode).toBe(3);
    expect(error.code).toBe('EMULATOR_SEED_INVALID');
    expect(error.file).toBe(file);
    expect(error.message).toBe(`${file}: $.users[3].userPrincipalName is required but missing.`);
    expect(error.remedy).toContain('schemas/emulator-tenant.schema.json');

    const missing = await run(fakeIo(), ['emulator', '--tenant', join(folder, 'nope.json')]).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'EMULATOR_SEED_UNREADABLE', exitCode: 3 });
  });

  it('reads a throttle file, refusing unknown keys (exit code 3)', async () => {
    const good = join(folder, 'limits.json');
    await writeFile(good, JSON.stringify({ timeScale: 0.5, writesPerWindow: 10 }));
    const io = fakeIo();
    const running = run(io, ['emulator', '--tenant', tenantFixturePath, '--throttle', good]);
    expect(await firstLine(io)).toMatch(/^http:/);
    expect(io.err()).toContain(`throttle:  ${good}`);
    io.interrupt();
    await running;

    const bad = join(folder, 'typo.json');
    await writeFile(bad, JSON.stringify({ writesPerWindwo: 10 }));
    const failure = await run(fakeIo(), ['emulator', '--tenant', tenantFixturePath, '--throttle', bad]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'EMULATOR_THROTTLE_FILE_INVALID', exitCode: 3 });
    expect((failure as Error).message).toContain('"writesPerWindwo" is not a throttle setting');
  });
});

describe('mfa-migrate emulator port conflicts', () => {
  it('refuses a port already in use with a usage error naming it', async () => {
    const io = fakeIo();
    const running = run(io, ['emulator', '--tenant', tenantFixturePath]);
    const url = await firstLine(io);
    const port = new URL(url).port;
    const failure = await run(fakeIo(), ['emulator', '--tenant', tenantFixturePath, '--port', port]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'EMULATOR_PORT_IN_USE', exitCode: 2 });
    expect((failure as Error).message).toContain(`Port ${port}`);
    io.interrupt();
    await running;
  });
});
