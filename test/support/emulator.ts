/**
 * Starts the Graph emulator in-process on 127.0.0.1:0 from the sample tenant (fixtures/tenant.json),
 * optionally changed for one test, and calls it with plain fetch the way the gateway will.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';

export const tenantFixturePath = fileURLToPath(new URL('../../fixtures/tenant.json', import.meta.url));

/** A fresh copy of the sample seed document, to change for one test. */
export function sampleSeed(): Record<string, unknown> & { users: Record<string, unknown>[]; app: Record<string, unknown> } {
  return JSON.parse(readFileSync(tenantFixturePath, 'utf8')) as Record<string, unknown> & { users: Record<string, unknown>[]; app: Record<string, unknown> };
}

export function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  return startEmulator({ tenant: tenantFixturePath, ...options });
}

/** A Graph JSON answer as tests read it: any property may be asked for; errors and collections are typed. */
export interface GraphBody {
  readonly [property: string]: unknown;
  readonly error: { readonly code: string; readonly message: string; readonly innerError: Readonly<Record<string, unknown>> };
  readonly value: readonly Readonly<Record<string, unknown>>[];
}

export interface GraphCall {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON object ({} when the answer is empty or not JSON). */
  readonly body: GraphBody;
  /** The raw answer. */
  readonly text: string;
}

/** One Graph request with a development bearer token (any non-empty token over http). */
export async function callGraph(
  emulator: RunningEmulator,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
): Promise<GraphCall> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers['authorization'] = `Bearer ${options.token ?? 'development-token'}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Empty (204) or text/plain ($count): read `text`.
  }
  return { status: response.status, headers: response.headers, body: (typeof body === 'object' && body !== null ? body : {}) as GraphBody, text };
}

/** Sample-tenant ids used across tests. */
export const ids = {
  alice: 'a1b2c3d4-0000-4000-8000-000000000001',
  bob: 'a1b2c3d4-0000-4000-8000-000000000002',
  carol: 'a1b2c3d4-0000-4000-8000-000000000003',
  dave: 'a1b2c3d4-0000-4000-8000-000000000004',
  grace: 'a1b2c3d4-0000-4000-8000-000000000007',
  heidi: 'a1b2c3d4-0000-4000-8000-000000000008',
  judy: 'a1b2c3d4-0000-4000-8000-000000000010',
  rupert: 'a1b2c3d4-0000-4000-8000-000000000017',
  trent: 'a1b2c3d4-0000-4000-8000-000000000019',
  victor: 'a1b2c3d4-0000-4000-8000-000000000020',
  yolanda: 'a1b2c3d4-0000-4000-8000-000000000023',
  mfaGroup: 'd1e2f3a4-0000-4000-8000-000000000001',
  financeGroup: 'd1e2f3a4-0000-4000-8000-000000000002',
  readOnlyApp: 'c0ffee00-0000-4000-8000-000000000002',
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;
