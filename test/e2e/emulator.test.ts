import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/run-cli.js';

const bin = fileURLToPath(new URL('../../bin/mfa-migrate.js', import.meta.url));
const entry = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

describe('mfa-migrate emulator (built CLI)', () => {
  it('prints its base URL first, serves Graph below it, and exits 0 on SIGTERM', async () => {
    if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the e2e tests.');
    const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--tenant', 'fixtures/tenant.json', '--throttle', 'realistic'], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0] ?? '');
      });
      child.on('close', () => { reject(new Error(`the emulator exited early: ${stderr}`)); });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'dave@contoso.com'")}&$select=id`, {
      headers: { authorization: 'Bearer emulator' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ value: [{ id: 'a1b2c3d4-0000-4000-8000-000000000004' }] });
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGTERM');
    });
    clearTimeout(killer);
    expect(code).toBe(0);
    expect(stderr).toContain('Emulator stopped.');
  });
});
