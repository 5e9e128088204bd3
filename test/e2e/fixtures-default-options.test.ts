/**
 * The README's flow on the bundled fixtures with nothing but the options it shows: the built CLI
 * against the emulator seeded with fixtures/tenant.json. apply exits 0 (every user it can migrate
 * is migrated, judy.jones's hardware token included), and a second apply sends no write.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { startTestEmulator } from '../support/emulator.js';
import { runCli } from '../support/run-cli.js';

let dir: string;
let emulator: RunningEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-fixtures-e2e-'));
  emulator = await startTestEmulator({ throttle: 'off' });
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function applyArgs(): string[] {
  return [
    'apply', '--users', 'fixtures/users.csv', '--devices', 'fixtures/devices.csv', '--tokens', 'fixtures/tokens.csv', '--upn-suffix', 'contoso.com',
    '--auth', 'emulator', '--graph-url', emulator.url, '--match-attribute', 'onPremisesSamAccountName',
    '--state', join(dir, 'journal.db'), '--reports', join(dir, 'reports'), '--no-progress', '--json',
  ];
}

interface ApplyDocument {
  readonly summary: { readonly operationsByKind: Readonly<Record<string, Readonly<Record<string, number>>>> };
  readonly users: readonly { readonly username: string; readonly status: string; readonly operations: readonly { readonly kind: string; readonly status: string }[] }[];
}

describe('the bundled fixtures with default options', () => {
  it('apply exits 0 with the token user migrated, and a second apply sends no write', async () => {
    const first = await runCli(applyArgs(), { timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    const document = JSON.parse(first.stdout) as ApplyDocument;
    const statuses = Object.values(document.summary.operationsByKind).flatMap((byStatus) => Object.keys(byStatus));
    expect(statuses).not.toContain('failed');
    expect(statuses).not.toContain('skipped');
    const judy = document.users.find((user) => user.username === 'judy.jones@contoso.com');
    expect(judy?.status).toBe('migrated');
    expect(judy?.operations.map((operation) => `${operation.kind} ${operation.status}`)).toEqual(
      expect.arrayContaining(['activateHardwareToken done', 'setPreferredMethod done']),
    );
    const state = emulator.state() as { hardwareOathDevices: { serialNumber: string; status: string }[] };
    expect(state.hardwareOathDevices.find((device) => device.serialNumber === 'TOTP0001')?.status).toBe('activated');

    const writes = emulator.stats().writes;
    const second = await runCli(applyArgs(), { timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout) as ApplyDocument;
    expect(Object.values(again.summary.operationsByKind).flatMap((byStatus) => Object.keys(byStatus)).filter((status) => status !== 'conflict')).toEqual([]);
    expect(emulator.stats().writes).toBe(writes);
  }, 120_000);
});
