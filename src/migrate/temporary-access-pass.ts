/**
 * `apply --tap-for-reregistration FILE`: Graph cannot create Authenticator registrations,
 * so users whose app must be registered again can be given a Temporary Access Pass to do it
 * without calling the help desk. The passes go only into the file the admin named — created new,
 * mode 0600 — never into the journal, the reports or the log.
 */
import { open } from 'node:fs/promises';
import { MigrateError, usageError } from '../errors.js';
import type { GraphGateway } from '../graph/gateway.js';
import type { Journal } from '../journal/journal.js';
import type { Log } from '../log.js';
import type { TenantPolicy } from '../plan/entra-state.js';

/** Passes asked for at once; the gateway packs them into `$batch` requests of 20, and each round's rows are written before the next. */
const PASSES_PER_ROUND = 400;

export interface TemporaryAccessPassRequest {
  readonly file: string;
  /** Null: the tenant policy's default lifetime. */
  readonly lifetimeInMinutes: number | null;
}

export interface TemporaryAccessPassOutcome {
  readonly file: string;
  readonly issued: number;
  readonly failed: number;
}

/** authentication-post-temporaryaccesspassmethods.md: Graph's own range for lifetimeInMinutes. */
const GRAPH_MINIMUM_LIFETIME_MINUTES = 10;
const GRAPH_MAXIMUM_LIFETIME_MINUTES = 43_200;

const POLICY_PLACE = 'Entra admin center > Protection > Authentication methods > Policies > Temporary Access Pass';

/**
 * temporaryaccesspassauthenticationmethodconfiguration.md: the policy's minimum and maximum
 * lifetime hold for "any Temporary Access Pass created in the tenant", and a disabled method gives
 * none. Checked before apply writes anything: a request Graph would refuse for every user stops
 * the command at once, instead of failing each pass after the migration has run.
 */
export function checkTemporaryAccessPassRequest(request: TemporaryAccessPassRequest, policy: TenantPolicy): void {
  const configuration = policy.temporaryAccessPass ?? null;
  if (configuration === null) return;
  if (configuration.state !== 'enabled') {
    throw usageError(
      'TAP_DISABLED_BY_POLICY',
      `--tap-for-reregistration: Temporary Access Pass is disabled in the tenant's authentication methods policy, so Entra would refuse every pass`,
      `Enable Temporary Access Pass for the users concerned (${POLICY_PLACE}), or run apply without --tap-for-reregistration; nothing was written.`,
    );
  }
  const lifetime = request.lifetimeInMinutes;
  if (lifetime === null) return;
  const minimum = configuration.minimumLifetimeInMinutes ?? GRAPH_MINIMUM_LIFETIME_MINUTES;
  const maximum = configuration.maximumLifetimeInMinutes ?? GRAPH_MAXIMUM_LIFETIME_MINUTES;
  if (lifetime >= minimum && lifetime <= maximum) return;
  const fallback = configuration.defaultLifetimeInMinutes === null ? '' : ` (${String(configuration.defaultLifetimeInMinutes)} minutes)`;
  throw usageError(
    'TAP_LIFETIME_OUTSIDE_POLICY',
    `--tap-lifetime ${String(lifetime)}: the tenant's Temporary Access Pass policy allows passes of ${String(minimum)} to ${String(maximum)} minutes, so Entra would refuse every pass`,
    `Give --tap-lifetime from ${String(minimum)} to ${String(maximum)}, or leave it out for the policy's default${fallback}; or change the policy's lifetimes (${POLICY_PLACE}). Nothing was written.`,
  );
}

const HEADER = ['username', 'upn', 'entraUserId', 'temporaryAccessPass', 'startDateTime', 'lifetimeInMinutes', 'isUsableOnce'];

/** RFC 4180 quoting. No formula neutralising here: a prefix would change the pass itself. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export async function issueTemporaryAccessPasses(
  journal: Journal,
  runId: string,
  graph: Pick<GraphGateway, 'write'>,
  request: TemporaryAccessPassRequest,
  log: Log,
): Promise<TemporaryAccessPassOutcome> {
  const wanted: { readonly username: string; readonly upn: string; readonly entraUserId: string }[] = [];
  for (const user of journal.iterateUsers(runId)) {
    if (user.entraUserId === null || user.finalStatus === 'failed') continue;
    if (!(user.plan?.devices ?? []).some((device) => device.registration === 'reregistrationRequired')) continue;
    wanted.push({ username: user.username, upn: user.upn ?? user.username, entraUserId: user.entraUserId });
  }
  let handle;
  try {
    // 'wx': never overwrite passes handed out earlier.
    handle = await open(request.file, 'wx', 0o600);
  } catch (error) {
    throw new MigrateError({
      code: 'TAP_FILE_UNWRITABLE',
      message: `the Temporary Access Pass file ${request.file} cannot be created: ${error instanceof Error ? error.message : String(error)}`,
      remedy: 'Name a new file (it is never overwritten) in a folder this account may write to; the migration itself is finished and recorded.',
      cause: error,
    });
  }
  let issued = 0;
  let failed = 0;
  try {
    await handle.write(`${HEADER.join(',')}\n`);
    for (let start = 0; start < wanted.length; start += PASSES_PER_ROUND) {
      const slice = wanted.slice(start, start + PASSES_PER_ROUND);
      const results = await graph.write(slice.map((user) => ({ userId: user.entraUserId, writes: [{ tag: user, operation: { kind: 'createTemporaryAccessPass', lifetimeInMinutes: request.lifetimeInMinutes } }] })));
      const rows: string[] = [];
      for (const { tag: user, outcome } of results) {
        const pass = outcome.status === 'done' ? outcome.issuedPass : null;
        if (pass === null) {
          failed += 1;
          const why = outcome.status === 'failed' ? `${outcome.code ?? 'refused'}${outcome.requestId === null ? '' : `, request-id ${outcome.requestId}`}` : outcome.status === 'done' ? 'no pass in the answer' : 'no answer';
          log.warn(`${user.upn}: no Temporary Access Pass (${why}) — create one in the Entra admin center if needed.`);
          continue;
        }
        const optional = (value: string | number | boolean | null): string => (value === null ? '' : String(value));
        rows.push([user.username, user.upn, user.entraUserId, pass.pass.reveal(), optional(pass.startDateTime), optional(pass.lifetimeInMinutes), optional(pass.isUsableOnce)].map(csvField).join(','));
        issued += 1;
      }
      if (rows.length > 0) await handle.write(`${rows.join('\n')}\n`);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  log.info(`Temporary Access Passes: ${String(issued)} written to ${request.file}${failed > 0 ? `, ${String(failed)} could not be created (see above)` : ''}. Hand them over securely, then delete the file.`);
  return { file: request.file, issued, failed };
}
