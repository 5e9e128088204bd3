import { describe, expect, it } from 'vitest';
import { missingPermissions, READ_GROUP_MEMBERS, READ_METHODS, READ_POLICY, READ_USERS, readTokenClaims, requiredPermissions, WRITE_METHODS, WRITE_TOKEN_INVENTORY } from '../../../src/graph/permissions.js';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

describe('token claims preflight', () => {
  it('reads the roles of an app-only token and the scopes of a delegated one', () => {
    expect(readTokenClaims(jwt({ appid: 'app', tid: 'tenant', roles: ['User.Read.All', 'Policy.Read.All'] }))).toEqual({
      kind: 'application',
      appId: 'app',
      tenantId: 'tenant',
      permissions: new Set(['User.Read.All', 'Policy.Read.All']),
    });
    expect(readTokenClaims(jwt({ azp: 'cli', scp: 'User.Read.All UserAuthenticationMethod.Read.All' }))).toMatchObject({
      kind: 'delegated',
      appId: 'cli',
      permissions: new Set(['User.Read.All', 'UserAuthenticationMethod.Read.All']),
    });
  });

  it('has no claims for a token that is not a JWT or carries neither roles nor scopes', () => {
    expect(readTokenClaims('mfa-migrate-emulator-development-token')).toBeNull();
    expect(readTokenClaims('a.b.c')).toBeNull();
    expect(readTokenClaims(jwt({ appid: 'app' }))).toBeNull();
  });

  it('lists what plan and apply need, with --group and hardware token writes', () => {
    expect(requiredPermissions({ writes: false, group: false, hardwareTokenWrites: false })).toEqual([READ_USERS, READ_METHODS, READ_POLICY]);
    expect(requiredPermissions({ writes: true, group: true, hardwareTokenWrites: true })).toEqual([READ_USERS, WRITE_METHODS, WRITE_TOKEN_INVENTORY, READ_GROUP_MEMBERS]);
  });

  it('counts a more privileged permission as holding the lesser, case-insensitively, and names each one missing', () => {
    const plan = requiredPermissions({ writes: false, group: true, hardwareTokenWrites: false });
    expect(missingPermissions(new Set(['directory.read.all', 'UserAuthenticationMethod.ReadWrite.All', 'Policy.ReadWrite.AuthenticationMethod']), plan)).toEqual([]);
    expect(missingPermissions(new Set(['User.Read.All', 'UserAuthenticationMethod.Read.All']), plan).map((missing) => missing.permission)).toEqual(['Policy.Read.All', 'GroupMember.Read.All']);
    expect(missingPermissions(new Set(['UserAuthenticationMethod.Read.All']), requiredPermissions({ writes: true, group: false, hardwareTokenWrites: false })).map((missing) => missing.permission)).toEqual([
      'User.Read.All',
      'UserAuthenticationMethod.ReadWrite.All',
      'Policy.Read.All',
    ]);
  });
});
