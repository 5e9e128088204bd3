/**
 * An app pool against the emulator: apps added to a seed with the main app's permissions, and the
 * pool config the CLI would build from an `--app-pool` file for them.
 */
import type { AppPoolConfig } from '../../src/graph/config.js';
import { TENANT_WRITE_WINDOW_MS, TENANT_WRITES_PER_WINDOW } from '../../src/graph/limits.js';
import { Secret } from '../../src/secret.js';

export interface PoolApp {
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** `count` apps, numbered from 1; their client ids do not collide with the sample seed's. */
export function poolApps(count: number): PoolApp[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `migration-${String(index + 1)}`,
    clientId: `a9900000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
    clientSecret: `pool-app-${String(index + 1)}-secret`,
  }));
}

/** The seed with the pool's apps added to `additionalApps`, each holding the seed app's roles (or `roles`). */
export function seedWithPool<T extends Record<string, unknown>>(seed: T, apps: readonly PoolApp[], roles?: Readonly<Record<string, readonly string[]>>): T {
  const existing = Array.isArray(seed['additionalApps']) ? (seed['additionalApps'] as unknown[]) : [];
  const app = seed['app'];
  const appRoles: unknown = typeof app === 'object' && app !== null && 'roles' in app ? app.roles : [];
  return {
    ...seed,
    additionalApps: [
      ...existing,
      ...apps.map((pooled) => ({ clientId: pooled.clientId, clientSecret: pooled.clientSecret, displayName: pooled.name, roles: roles?.[pooled.name] ?? appRoles })),
    ],
  };
}

/** What `--app-pool` gives the gateway for these apps: each signs in with its secret; the tenant budget Graph's whole quota unless given. */
export function poolConfig(tenantId: string, apps: readonly PoolApp[], tenantWrites: AppPoolConfig['tenantWrites'] = { writesPerWindow: TENANT_WRITES_PER_WINDOW, writeWindowMs: TENANT_WRITE_WINDOW_MS }): AppPoolConfig {
  return {
    apps: apps.map((app) => ({
      name: app.name,
      auth: { mode: 'secret', tenantId, clientId: app.clientId, clientSecret: new Secret(app.clientSecret) },
      credentialSource: `the environment variable ${app.name.toUpperCase().replace(/-/g, '_')}_SECRET`,
    })),
    tenantWrites,
  };
}
