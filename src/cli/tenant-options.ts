/**
 * Tenant options (docs/design.md "Tenant options") for the commands that talk to Graph, declared
 * once and checked strictly, then turned into the gateway's GraphConfig. A wrong or missing value
 * is a usage error (exit 2) that says what to give. Secrets come only from the environment (as
 * @azure/identity's EnvironmentCredential reads them), never from the command line, where shell
 * history and process lists would keep them.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import { CLOUD_ALIASES, CLOUD_NAMES, type CloudName } from '../graph/clouds.js';
import { choicesOf } from './options.js';
import { MATCH_ATTRIBUTES, resolveGraphConfig, type AppPoolConfig, type GraphConfig, type MatchAttributeOption } from '../graph/config.js';
import { TENANT_WRITE_WINDOW_MS, TENANT_WRITES_PER_WINDOW } from '../graph/limits.js';
import { readAppPoolFile } from './app-pool-file.js';
import { AUTH_MODES, type AuthMode, type AuthSettings } from '../graph/credentials.js';
import { Secret } from '../secret.js';

/** The tenant options as commander parses them. */
export interface TenantOptions {
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly auth: AuthMode;
  readonly cloud: CloudName;
  readonly graphUrl?: string;
  readonly group?: string;
  readonly only?: string;
  readonly matchAttribute?: MatchAttributeOption;
  readonly writeBudget?: string;
  readonly appPool?: string;
  readonly tenantWriteBudget?: string;
}

/** What the tenant options decide, for the command to hand to the gateway and the plan step. */
export interface TenantSettings {
  readonly graph: GraphConfig;
  /** `--group`: an object id or display name; null for every user. */
  readonly group: string | null;
  /** `--only`: a file of usernames, one a line; null for every user. */
  readonly only: string | null;
}

/** How to sign in and which Graph to talk to: every command that talks to Graph. */
function signInOptions(): Option[] {
  return [
    new Option('--tenant-id <id>', 'Entra tenant ID or verified domain').env('AZURE_TENANT_ID'),
    new Option('--client-id <id>', 'application (client) ID of the app registration, or of a user-assigned managed identity').env('AZURE_CLIENT_ID'),
    choicesOf(
      new Option('--auth <mode>', 'how to sign in: secret (AZURE_CLIENT_SECRET), certificate (AZURE_CLIENT_CERTIFICATE_PATH), device-code, azure-cli, managed-identity, default (DefaultAzureCredential), emulator (development token, loopback --graph-url only)'),
      AUTH_MODES,
      { 'client-secret': 'secret', devicecode: 'device-code', cli: 'azure-cli', az: 'azure-cli', 'managed-service-identity': 'managed-identity', msi: 'managed-identity' },
    ).default('default'),
    choicesOf(new Option('--cloud <cloud>', 'Microsoft cloud of the tenant (Graph and sign-in endpoints); the names of Graph PowerShell (-Environment) and az (cloud set) work too'), CLOUD_NAMES, CLOUD_ALIASES).default('global'),
    // The environment variable lets a rehearsal run the real-tenant commands unchanged against the emulator.
    new Option('--graph-url <url>', 'a Graph emulator\'s root URL instead of the cloud\'s Graph, e.g. http://127.0.0.1:8080').env('MFA_MIGRATE_GRAPH_URL'),
    new Option('--app-pool <file>', 'spread requests over several app registrations of the tenant, listed in this JSON file with how each signs in (a certificate path, or the NAME of an environment variable holding its secret; never a secret itself); instead of --auth and --client-id'),
  ];
}

/** Which users of the exports a run covers, and how users the UPN does not find are matched: the commands that plan. */
function scopeOptions(): Option[] {
  return [
    new Option('--group <id|name>', 'only users who are members of this group, nested groups included'),
    new Option('--only <file>', 'only the usernames listed in this file, one a line'),
    choicesOf(new Option('--match-attribute <attribute>', 'when the UPN finds nobody in Entra, match users by this attribute'), MATCH_ATTRIBUTES, { samaccountname: 'onPremisesSamAccountName', sid: 'onPremisesSecurityIdentifier', email: 'mail' }),
  ];
}

function writeOptions(): Option[] {
  return [
    new Option('--write-budget <writes/seconds>', 'writes this run may send per window (per app with --app-pool); default 3000/150, Graph\'s limit per app and tenant — lower it when other tools write to the tenant at the same time'),
    new Option(
      '--tenant-write-budget <writes/seconds>',
      `writes all apps of --app-pool together may send per window; default ${String(DEFAULT_TENANT_WRITE_BUDGET.writesPerWindow)}/${String(DEFAULT_TENANT_WRITE_BUDGET.writeWindowMs / 1000)}, below Graph's ${String(TENANT_WRITES_PER_WINDOW)} per 5 minutes for all apps of a tenant, leaving room for Entra Connect, provisioning and other tools that write to the tenant`,
    ),
  ];
}

function addAll(command: Command, options: readonly Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}

/** apply: sign-in, scope and the write budget. */
export function addTenantOptions(command: Command): Command {
  return addAll(command, [...signInOptions(), ...scopeOptions(), ...writeOptions()]);
}

/**
 * plan and verify read and plan, never write: sign-in and scope. `--write-budget` is accepted
 * hidden (and ignored), so the options pasted into every command do not fail here.
 */
export function addReadTenantOptions(command: Command): Command {
  return addAll(command, [...signInOptions(), ...scopeOptions(), ...writeOptions().map((option) => option.hideHelp())]);
}

/** rollback writes the undo of one run's users: sign-in and the write budget; the scope options are accepted hidden (the run's users are the scope). */
export function addUndoTenantOptions(command: Command): Command {
  return addAll(command, [...signInOptions(), ...writeOptions(), ...scopeOptions().map((option) => option.hideHelp())]);
}

/**
 * validate, status and report never talk to Graph, but an admin pastes the same options into
 * every command (`S="--users … --auth secret"; mfa-migrate validate $S`): they are accepted,
 * hidden from help, and ignored — said at debug level.
 */
export function addIgnoredTenantOptions(command: Command): Command {
  return addAll(command, [...signInOptions(), ...scopeOptions(), ...writeOptions()].map((option) => option.hideHelp()));
}

const TENANT_OPTION_FLAGS = {
  tenantId: '--tenant-id', clientId: '--client-id', auth: '--auth', cloud: '--cloud', graphUrl: '--graph-url', appPool: '--app-pool',
  group: '--group', only: '--only', matchAttribute: '--match-attribute', writeBudget: '--write-budget', tenantWriteBudget: '--tenant-write-budget',
} as const;

/** The debug line of an offline command given sign-in options, or null when none was given. */
export function ignoredTenantOptionsNote(command: Command): string | null {
  const given = Object.entries(TENANT_OPTION_FLAGS).filter(([name]) => {
    const source = command.getOptionValueSource(name);
    return source === 'cli' || source === 'env';
  });
  return given.length === 0 ? null : `${command.name()} does not talk to Graph: ${given.map(([, flag]) => flag).join(', ')} ignored.`;
}

/**
 * `--tenant-write-budget` when not given: five sixths of Graph's tenant-wide write quota
 * (concepts/throttling-limits.md, "Identity and access service limits": 18,000 writes per 5
 * minutes for all applications of a tenant). The rest, 3,000 per 5 minutes, is left to what else
 * writes to the directory while a migration runs — Entra Connect sync, provisioning, admins'
 * tools — which would otherwise meet 429s the migration caused.
 */
export const DEFAULT_TENANT_WRITE_BUDGET = { writesPerWindow: 15_000, writeWindowMs: TENANT_WRITE_WINDOW_MS } as const;

/** `--write-budget 3000/150` → the governor's write window (the same for `--tenant-write-budget`). */
function writeBudget(value: string | undefined, option = '--write-budget', example = 'e.g. --write-budget 1500/150 for half of Graph\'s write limit'): { readonly writesPerWindow: number; readonly writeWindowMs: number } | null {
  if (value === undefined) return null;
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  const writes = match === null ? NaN : Number(match[1]);
  const seconds = match === null ? NaN : Number(match[2]);
  if (!(writes >= 1 && seconds > 0)) {
    throw usageError('OPTION_INVALID', `${option} "${value}" is not <writes>/<seconds>`, `Give writes per window in seconds, ${example}.`);
  }
  return { writesPerWindow: writes, writeWindowMs: seconds * 1000 };
}

/** `--app-pool`: the pool file's apps and the tenant's write budget; refuses what would sign in another way beside it. */
function appPoolFrom(options: TenantOptions, env: Readonly<Record<string, string | undefined>>): AppPoolConfig | null {
  const tenantBudget = writeBudget(options.tenantWriteBudget, '--tenant-write-budget', 'e.g. --tenant-write-budget 15000/300');
  if (options.appPool === undefined) {
    if (tenantBudget !== null) {
      throw usageError('OPTION_INVALID', '--tenant-write-budget is given without --app-pool', 'It caps the writes of all apps of an app pool together; with one app use --write-budget, or add --app-pool <file>.');
    }
    return null;
  }
  if (options.appPool.trim() === '') throw usageError('OPTION_INVALID', '--app-pool is empty', 'Give the path of the JSON file listing the app registrations.');
  if (options.auth !== 'default') {
    throw usageError('OPTION_INVALID', `--auth ${options.auth} and --app-pool cannot be given together`, 'Each app of --app-pool signs in as its entry in the file says (a secret in a named environment variable, or a certificate); leave --auth out.');
  }
  if (options.clientId !== undefined && options.clientId !== env['AZURE_CLIENT_ID']) {
    throw usageError('OPTION_INVALID', '--client-id and --app-pool cannot be given together', 'List every app, with its client ID, in the --app-pool file; leave --client-id out.');
  }
  const tenant = required(tenantId(options.tenantId), '--app-pool: the tenant', 'Give --tenant-id <tenant ID or domain>, or set AZURE_TENANT_ID: every app of the pool signs in to that tenant.');
  const { apps } = readAppPoolFile(options.appPool, tenant, env);
  return { apps, tenantWrites: tenantBudget ?? DEFAULT_TENANT_WRITE_BUDGET };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

function tenantId(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  if (!GUID.test(trimmed) && !DOMAIN.test(trimmed)) {
    throw usageError('OPTION_INVALID', `--tenant-id "${value ?? ''}" is neither a tenant ID nor a domain`, 'Give the Tenant ID (a GUID) or a verified domain such as contoso.onmicrosoft.com, from the Entra admin center Overview page.');
  }
  return trimmed;
}

function clientId(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  if (!GUID.test(trimmed)) {
    throw usageError('OPTION_INVALID', `--client-id "${value ?? ''}" is not an application (client) ID`, 'Give the Application (client) ID, a GUID shown on the app registration\'s Overview page.');
  }
  return trimmed;
}

function required<T>(value: T | null, what: string, remedy: string): T {
  if (value === null) throw usageError('OPTION_MISSING', `${what} is missing`, remedy);
  return value;
}

function environmentValue(env: Readonly<Record<string, string | undefined>>, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value;
}

/** The credential settings of `--auth`, with every value it needs present. */
export function authSettingsFrom(options: Pick<TenantOptions, 'auth' | 'tenantId' | 'clientId'>, env: Readonly<Record<string, string | undefined>>): AuthSettings {
  const tenant = tenantId(options.tenantId);
  const client = clientId(options.clientId);
  const needTenant = (): string => required(tenant, `--auth ${options.auth}: the tenant`, 'Give --tenant-id <tenant ID or domain>, or set AZURE_TENANT_ID.');
  const needClient = (): string => required(client, `--auth ${options.auth}: the application (client) ID`, 'Give --client-id <application ID>, or set AZURE_CLIENT_ID.');
  switch (options.auth) {
    case 'secret': {
      const secret = environmentValue(env, 'AZURE_CLIENT_SECRET');
      return {
        mode: 'secret',
        tenantId: needTenant(),
        clientId: needClient(),
        clientSecret: new Secret(required(secret, '--auth secret: the client secret', 'Set the environment variable AZURE_CLIENT_SECRET to the secret\'s Value (it is never taken from the command line).')),
      };
    }
    case 'certificate': {
      const path = environmentValue(env, 'AZURE_CLIENT_CERTIFICATE_PATH');
      const password = environmentValue(env, 'AZURE_CLIENT_CERTIFICATE_PASSWORD');
      return {
        mode: 'certificate',
        tenantId: needTenant(),
        clientId: needClient(),
        certificatePath: required(path, '--auth certificate: the certificate', 'Set AZURE_CLIENT_CERTIFICATE_PATH to a PEM or PFX file holding the certificate and its private key (and AZURE_CLIENT_CERTIFICATE_PASSWORD if it is protected).'),
        certificatePassword: password === null ? null : new Secret(password),
      };
    }
    case 'device-code':
      return { mode: 'device-code', tenantId: needTenant(), clientId: client };
    case 'azure-cli':
      return { mode: 'azure-cli', tenantId: tenant };
    case 'managed-identity':
      return { mode: 'managed-identity', clientId: client };
    case 'default':
      return { mode: 'default', tenantId: tenant, clientId: client };
    case 'emulator':
      return { mode: 'emulator' };
  }
}

/** Parsed tenant options → the gateway's config and the user filters; usage errors name the fix. */
export function tenantSettingsFrom(options: TenantOptions, env: Readonly<Record<string, string | undefined>> = process.env): TenantSettings {
  const group = options.group?.trim() ?? '';
  if (options.group !== undefined && group === '') {
    throw usageError('OPTION_INVALID', '--group is empty', 'Give the group\'s object ID or its display name, e.g. --group "MFA Server users".');
  }
  const only = options.only?.trim() ?? '';
  if (options.only !== undefined && only === '') {
    throw usageError('OPTION_INVALID', '--only is empty', 'Give the path of a file with one username a line.');
  }
  const budget = writeBudget(options.writeBudget);
  const appPool = appPoolFrom(options, env);
  const graph = resolveGraphConfig({
    cloud: options.cloud,
    graphUrl: options.graphUrl ?? null,
    // With a pool, `auth` is the first app's: what names the signed-in principal where one is asked for.
    auth: appPool?.apps[0]?.auth ?? authSettingsFrom(options, env),
    appPool,
    matchAttribute: options.matchAttribute ?? null,
    ...(budget === null ? {} : { limits: budget }),
  });
  return { graph, group: group === '' ? null : group, only: only === '' ? null : only };
}
