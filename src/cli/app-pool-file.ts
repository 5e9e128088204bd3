/**
 * `--app-pool <file>`: the app registrations of one tenant a command spreads its requests over,
 * read from a small JSON file that says how each signs in — a certificate file, or the NAME of an
 * environment variable holding its client secret — and never holds a secret itself: a file that
 * does (a secret, a password, a private key) is refused before anything else happens, since it
 * may already have been copied, committed or backed up with it.
 *
 *     { "apps": [
 *         { "name": "migration-1", "clientId": "…", "clientSecretVariable": "MFA_APP1_SECRET" },
 *         { "name": "migration-2", "clientId": "…", "certificatePath": "/etc/mfa/app2.pem",
 *           "certificatePasswordVariable": "MFA_APP2_CERT_PASSWORD" } ] }
 *
 * Every app signs in to the tenant of `--tenant-id` (AZURE_TENANT_ID) and needs the permissions the
 * command needs; preflight checks each (docs/design.md "Permissions and preflight").
 */
import { readFileSync } from 'node:fs';
import { MigrateError, usageError } from '../errors.js';
import type { PoolAppConfig } from '../graph/config.js';
import { isRecord } from '../json-value.js';
import { Secret } from '../secret.js';

/** More apps than this add nothing: three reach the tenant's write quota (3 × 3,000 per 150 s = 18,000 per 5 min). */
export const MAX_POOL_APPS = 10;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** POSIX: the name of an environment variable. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const APP_KEYS = ['name', 'clientId', 'clientSecretVariable', 'certificatePath', 'certificatePasswordVariable'] as const;
/** Property names that can only mean a secret written into the file (compared without case, `_` or `-`). */
const SECRET_KEYS = new Set(['clientsecret', 'clientsecretvalue', 'secret', 'secretvalue', 'password', 'certificatepassword', 'privatekey', 'key']);
/**
 * What a secret value looks like: an Entra client secret (three characters, a digit, `Q~`, then
 * 31+ more: the form the admin center generates), a PEM private key, or a long Base64 blob (a
 * PFX file's content).
 */
const SECRET_VALUES: readonly RegExp[] = [/[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{31,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /^[A-Za-z0-9+/=\s]{200,}$/];

export interface AppPoolFile {
  readonly path: string;
  readonly apps: readonly PoolAppConfig[];
}

function unreadable(path: string, cause: unknown): MigrateError {
  const code = isRecord(cause) && typeof cause['code'] === 'string' ? cause['code'] : 'error';
  return new MigrateError({
    code: 'APP_POOL_UNREADABLE',
    message: `--app-pool ${path}: the file cannot be read (${code}).`,
    remedy: 'Check the path given to --app-pool: a JSON file listing the app registrations, e.g. {"apps": [{"name": "migration-1", "clientId": "…", "clientSecretVariable": "MFA_APP1_SECRET"}]}.',
    file: path,
    cause,
  });
}

function invalid(path: string, problem: string): MigrateError {
  return new MigrateError({
    code: 'APP_POOL_INVALID',
    message: `--app-pool ${path}: ${problem}.`,
    remedy: 'Write the file as {"apps": [{"name", "clientId", and either "clientSecretVariable" (the NAME of an environment variable holding the secret) or "certificatePath" (with "certificatePasswordVariable" when the key is protected)}]}; the README section "More than one app registration" shows one.',
    file: path,
  });
}

function holdsSecret(path: string, where: string): MigrateError {
  return new MigrateError({
    code: 'APP_POOL_HOLDS_SECRET',
    message: `--app-pool ${path}: ${where} holds a secret; the file must only name where each app's secret is, never hold one. Nothing was sent.`,
    remedy: 'Remove the secret from the file and rotate it in the Entra admin center (the file may have been copied or backed up with it); put the new secret in an environment variable and give its NAME as "clientSecretVariable", or sign the app in with "certificatePath".',
    file: path,
  });
}

/** Any property whose name means a secret, or any text that looks like one, anywhere in the document; its JSON path. */
function secretIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return SECRET_VALUES.some((pattern) => pattern.test(value)) ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = secretIn(item, `${path}[${String(index)}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (!isRecord(value)) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (SECRET_KEYS.has(key.replace(/[_-]/g, '').toLowerCase()) && item !== null && item !== '') return at;
    const found = secretIn(item, at);
    if (found !== null) return found;
  }
  return null;
}

function text(entry: Readonly<Record<string, unknown>>, key: string, at: string, path: string): string | null {
  const value = entry[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw invalid(path, `${at}.${key} must be a non-empty string`);
  return value.trim();
}

function variableName(entry: Readonly<Record<string, unknown>>, key: string, at: string, path: string): string | null {
  const name = text(entry, key, at, path);
  if (name !== null && !VARIABLE_NAME.test(name)) {
    // A value that is not a variable's name may be the secret itself, pasted in the wrong place.
    throw new MigrateError({
      code: 'APP_POOL_HOLDS_SECRET',
      message: `--app-pool ${path}: ${at}.${key} is not the name of an environment variable (letters, digits and _); if it is the secret itself, it must not be in the file.`,
      remedy: 'Give the NAME of the environment variable that holds the secret (e.g. "MFA_APP1_SECRET") and set that variable before running; if the secret was written into the file, rotate it in the Entra admin center.',
      file: path,
    });
  }
  return name;
}

function nonEmpty(env: Readonly<Record<string, string | undefined>>, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value;
}

/** Reads and checks the pool file; each app's secret is taken from the environment variable it names. */
export function readAppPoolFile(path: string, tenantId: string, env: Readonly<Record<string, string | undefined>>): AppPoolFile {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (cause) {
    throw unreadable(path, cause);
  }
  let document: unknown;
  try {
    document = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (cause) {
    // JSON.parse quotes the text near the error, which may be a secret: say only where it is.
    if (SECRET_VALUES.some((pattern) => pattern.test(content))) throw holdsSecret(path, 'the file');
    const position = /position (\d+)/.exec(cause instanceof Error ? cause.message : '')?.[1];
    const line = position === undefined ? null : content.slice(0, Number(position)).split('\n').length;
    throw invalid(path, `not valid JSON${line === null ? '' : ` (line ${String(line)})`}`);
  }
  const secretAt = secretIn(document, '$');
  if (secretAt !== null) throw holdsSecret(path, secretAt);
  if (!isRecord(document) || !Array.isArray(document['apps'])) throw invalid(path, '$.apps must be a list of the app registrations');
  const unknownTop = Object.keys(document).filter((key) => key !== 'apps' && key !== '$schema');
  if (unknownTop.length > 0) throw invalid(path, `$.${unknownTop[0] ?? ''} is not a property of an app pool (known: apps)`);
  const entries: unknown[] = document['apps'];
  if (entries.length === 0) throw invalid(path, '$.apps is empty');
  if (entries.length > MAX_POOL_APPS) throw invalid(path, `$.apps lists ${String(entries.length)} apps; at most ${String(MAX_POOL_APPS)} (three already reach the tenant's write quota)`);

  const apps = entries.map((entry, index): PoolAppConfig => {
    const at = `$.apps[${String(index)}]`;
    if (!isRecord(entry)) throw invalid(path, `${at} must be an object`);
    const unknown = Object.keys(entry).find((key) => !(APP_KEYS as readonly string[]).includes(key));
    if (unknown !== undefined) throw invalid(path, `${at}.${unknown} is not a property of an app (known: ${APP_KEYS.join(', ')})`);
    const clientId = text(entry, 'clientId', at, path);
    if (clientId === null || !GUID.test(clientId)) throw invalid(path, `${at}.clientId must be the Application (client) ID, a GUID`);
    const name = text(entry, 'name', at, path) ?? clientId;
    const secretVariable = variableName(entry, 'clientSecretVariable', at, path);
    const certificatePath = text(entry, 'certificatePath', at, path);
    const passwordVariable = variableName(entry, 'certificatePasswordVariable', at, path);
    if ((secretVariable === null) === (certificatePath === null)) {
      throw invalid(path, `${at} must say how "${name}" signs in: "clientSecretVariable" or "certificatePath", one of them`);
    }
    if (passwordVariable !== null && certificatePath === null) throw invalid(path, `${at}.certificatePasswordVariable needs "certificatePath"`);
    if (secretVariable !== null) {
      const secret = nonEmpty(env, secretVariable);
      if (secret === null) {
        throw usageError('OPTION_MISSING', `app "${name}" of --app-pool ${path}: the environment variable ${secretVariable} is not set`, `Set ${secretVariable} to the Value of a client secret of app ${clientId} (App registrations > Certificates & secrets), then run the same command again.`);
      }
      return { name, auth: { mode: 'secret', tenantId, clientId, clientSecret: new Secret(secret) }, credentialSource: `the environment variable ${secretVariable}` };
    }
    const password = passwordVariable === null ? null : nonEmpty(env, passwordVariable);
    if (passwordVariable !== null && password === null) {
      throw usageError('OPTION_MISSING', `app "${name}" of --app-pool ${path}: the environment variable ${passwordVariable} is not set`, `Set ${passwordVariable} to the password of ${certificatePath ?? 'the certificate'}, or leave "certificatePasswordVariable" out if its key is not protected.`);
    }
    return {
      name,
      auth: { mode: 'certificate', tenantId, clientId, certificatePath: certificatePath ?? '', certificatePassword: password === null ? null : new Secret(password) },
      credentialSource: `the certificate ${certificatePath ?? ''}`,
    };
  });
  const ids = apps.map((app) => app.auth.clientId.toLowerCase());
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw invalid(path, `the app ${repeated} is listed twice; Graph's limits are per app, so one app twice adds nothing`);
  const names = apps.map((app) => app.name.toLowerCase());
  const sameName = names.find((name, index) => names.indexOf(name) !== index);
  if (sameName !== undefined) throw invalid(path, `two apps are named "${sameName}"; names tell the apps apart in the journal and reports`);
  return { path, apps };
}
