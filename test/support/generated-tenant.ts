/**
 * The sample tenant (fixtures/tenant.json) grown by generated users, for the tests and benchmarks
 * that need thousands of users in the emulator.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function fixturePath(): string {
  // From test/support/ when run from source, from dist/test/support/ when built for the benchmarks.
  for (const relative of ['../../fixtures/tenant.json', '../../../fixtures/tenant.json']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('fixtures/tenant.json not found above test/support.');
}

/** The sample tenant plus `count` generated users (every fifth with a mobile phone, every seventh with an Authenticator). */
export function generatedTenant(count: number): { seed: Record<string, unknown>; upns: string[] } {
  const seed = JSON.parse(readFileSync(fixturePath(), 'utf8')) as Record<string, unknown> & { users: Record<string, unknown>[] };
  const upns: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    const suffix = n.toString().padStart(12, '0');
    const upn = `bench.user${n}@contoso.com`;
    upns.push(upn);
    seed.users.push({
      id: `b0b0b0b0-0000-4000-8000-${suffix}`,
      userPrincipalName: upn,
      displayName: `Bench User ${n}`,
      givenName: 'Bench',
      surname: `User ${n}`,
      mail: upn,
      onPremisesSamAccountName: `bench${n}`,
      onPremisesSecurityIdentifier: `S-1-5-21-1-2-3-${100_000 + n}`,
      accountEnabled: true,
      employeeId: `B${n}`,
      ...(n % 5 === 0 ? { phoneMethods: [{ phoneType: 'mobile', phoneNumber: `+1 42555${(n % 100_000).toString().padStart(5, '0')}` }] } : {}),
      ...(n % 7 === 0
        ? {
            microsoftAuthenticatorMethods: [
              { id: `c0c0c0c0-0000-4000-8000-${suffix}`, displayName: 'Pixel 8', deviceTag: 'SoftwareTokenActivated', phoneAppVersion: '6.2401.0', createdDateTime: '2024-01-02T03:04:05Z' },
            ],
          }
        : {}),
    });
  }
  return { seed, upns };
}
