/**
 * Options taken from a run the journal recorded, so the commands the tool prints stay short and
 * work when pasted: `apply --plan RUN`, `apply --resume RUN` and `rollback --run RUN` need no
 * exports, no policy options and no sign-in options — the run recorded its files, the options
 * that decided it and the Graph it talked to. What the admin does give on the command line wins;
 * secrets are never recorded, so they still come from the environment as at the first run.
 */
import { usageError } from '../errors.js';
import { CLOUD_NAMES, CLOUDS, type CloudName } from '../graph/clouds.js';
import { AUTH_MODES, type AuthMode } from '../graph/credentials.js';
import type { Journal } from '../journal/journal.js';
import { DECIDING_OPTION_NAMES, recordedDecidingOptions, type PlanDecidingOptions } from '../migrate/deciding-options.js';
import type { JsonValue, RunRecord } from '../run-records.js';
import type { TenantOptions } from './tenant-options.js';

/** Whether the admin gave an option on the command line (or in the environment), rather than leaving its default. */
export type OptionGiven = (name: string) => boolean;

/** The run `runId` of the journal, or RUN_NOT_FOUND naming the journal. */
export function recordedRun(journal: Journal, runId: string, wanted: readonly RunRecord['command'][]): RunRecord {
  const run = journal.getRun(runId);
  if (run === null || !wanted.includes(run.command)) {
    throw usageError(
      'RUN_NOT_FOUND',
      `${journal.path} holds no ${wanted.join(' or ')} run ${runId}`,
      'Give the run id the command printed (`mfa-migrate status --state <journal>` shows the latest) and the same --state.',
    );
  }
  return run;
}

/** The export files a run read, as it recorded them. */
export interface RecordedFiles {
  readonly users: string;
  readonly devices?: string;
  readonly tokens?: string;
  readonly columns?: string;
  readonly only?: string;
}

export function recordedFiles(run: RunRecord): RecordedFiles {
  const path = (role: RunRecord['inputs'][number]['role']): string | undefined => run.inputs.find((input) => input.role === role)?.path;
  const users = path('users');
  if (users === undefined) throw usageError('RUN_WITHOUT_EXPORTS', `run ${run.id} recorded no users export`, 'Give the exports with --users (and --devices, --tokens) as for plan.');
  const devices = path('devices');
  const tokens = path('tokens');
  const columns = path('columns');
  const only = path('only');
  return {
    users,
    ...(devices === undefined ? {} : { devices }),
    ...(tokens === undefined ? {} : { tokens }),
    ...(columns === undefined ? {} : { columns }),
    ...(only === undefined ? {} : { only }),
  };
}

/** The deciding options the run recorded, for every one the admin did not give now. */
export function recordedDeciding(run: RunRecord, given: PlanDecidingOptions, isGiven: OptionGiven): PlanDecidingOptions {
  const recorded = recordedDecidingOptions(run, given);
  const merged: Record<string, unknown> = { ...recorded };
  for (const name of DECIDING_OPTION_NAMES) if (isGiven(name)) merged[name] = given[name];
  // Every key is set, each from a PlanDecidingOptions.
  return merged as unknown as PlanDecidingOptions;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/**
 * The Graph the run talked to and how it signed in, for every sign-in option not given now: so
 * that `rollback --run RUN` pasted after a rehearsal undoes the rehearsal, not production.
 */
export function recordedTarget<T extends TenantOptions>(run: RunRecord, options: T, isGiven: OptionGiven): T {
  const auth = text(run.options['auth']);
  const cloud = text(run.options['cloud']);
  const effectiveCloud: CloudName = isGiven('cloud') ? options.cloud : (CLOUD_NAMES.find((name) => name === cloud) ?? options.cloud);
  const graphUrl = run.graphUrl !== null && run.graphUrl !== CLOUDS[effectiveCloud].graphRoot ? run.graphUrl : null;
  const tenantId = text(run.options['tenantId']) ?? run.tenantId;
  const clientId = text(run.options['clientId']);
  const appPool = text(run.options['appPool']);
  // A run made through an app pool signs in through it again (the pool file names no secret).
  const pooled = !isGiven('appPool') && !isGiven('auth') && !isGiven('clientId') && appPool !== null;
  return {
    ...options,
    ...(pooled ? { appPool } : {}),
    cloud: effectiveCloud,
    auth: isGiven('auth') ? options.auth : ((AUTH_MODES as readonly string[]).includes(auth ?? '') ? (auth as AuthMode) : options.auth),
    ...(isGiven('graphUrl') || graphUrl === null ? {} : { graphUrl }),
    ...(isGiven('tenantId') || tenantId === null ? {} : { tenantId }),
    ...(isGiven('clientId') || clientId === null || pooled ? {} : { clientId }),
  };
}
