/**
 * The options that decide what a plan holds, as one typed record. plan builds its mapping and diff
 * options from this record only, and records it with the run; plan reuse and `apply --plan`
 * compare it option by option through DECIDING_OPTION_FLAGS. An option added to the mapping or the
 * diff therefore has to be added here (the builders below do not compile without it), and then has
 * to be given a flag (the table does not compile without it) — so plan reuse cannot miss it.
 */
import { usageError } from '../errors.js';
import type { MatchAttributeOption } from '../graph/config.js';
import type { DefaultMethodPolicy, MappingOptions } from '../mapping/desired-state.js';
import type { DiffOptions, PhoneConflictPolicy } from '../plan/diff-user.js';
import type { JsonObject, JsonValue, RunRecord } from '../run-records.js';
import type { DelimiterOption } from '../source/dialect.js';
import type { SourceEncoding } from '../source/records.js';

export type PlanDecidingOptions = MappingOptions & {
  /** `--encoding` of the exports. */
  readonly encoding: SourceEncoding;
  /** `--delimiter` of the exports (`auto` sniffs it from each header line). */
  readonly delimiter: DelimiterOption;
  readonly phoneConflict: PhoneConflictPolicy;
  /** `--default-method` (R9). */
  readonly defaultMethod: DefaultMethodPolicy;
  /** `--group`: only transitive members of this group (object id or display name). */
  readonly group: string | null;
  /** `--match-attribute` (R14). */
  readonly matchAttribute: MatchAttributeOption | null;
};

export type DecidingOptionName = keyof PlanDecidingOptions;

/** Every option of PlanDecidingOptions with its command-line flag, for messages; the list below is derived from it. */
export const DECIDING_OPTION_FLAGS: { readonly [Name in DecidingOptionName]-?: string } = {
  encoding: '--encoding',
  delimiter: '--delimiter',
  defaultCountryCode: '--default-country-code',
  upnSuffix: '--upn-suffix',
  includeDisabled: '--include-disabled',
  tokenSecretEncoding: '--token-secret-encoding',
  hardwareTokens: '--hardware-tokens',
  phoneConflict: '--phone-conflict',
  defaultMethod: '--default-method',
  group: '--group',
  matchAttribute: '--match-attribute',
};

/** The options a plan is compared on before it is reused or executed. */
export const DECIDING_OPTION_NAMES = Object.keys(DECIDING_OPTION_FLAGS) as readonly DecidingOptionName[];

export function mappingOptionsOf(options: PlanDecidingOptions): MappingOptions {
  return {
    defaultCountryCode: options.defaultCountryCode,
    upnSuffix: options.upnSuffix,
    includeDisabled: options.includeDisabled,
    tokenSecretEncoding: options.tokenSecretEncoding,
    hardwareTokens: options.hardwareTokens,
  };
}

export function diffOptionsOf(options: PlanDecidingOptions): DiffOptions {
  return { phoneConflict: options.phoneConflict, defaultMethodPolicy: options.defaultMethod, hardwareTokens: options.hardwareTokens };
}

/** The record as stored with a run. */
export function decidingOptionsJson(options: PlanDecidingOptions): JsonObject {
  const json: Record<string, JsonValue> = {};
  for (const name of DECIDING_OPTION_NAMES) json[name] = options[name];
  return json;
}

export interface OptionDifference {
  readonly name: DecidingOptionName;
  readonly flag: string;
  readonly recorded: JsonValue;
  readonly given: JsonValue;
}

/** The options among `names` whose value differs between a run's record and `options`. */
export function decidingOptionDifferences(recorded: JsonObject, options: PlanDecidingOptions, names: Iterable<DecidingOptionName> = DECIDING_OPTION_NAMES): OptionDifference[] {
  const differences: OptionDifference[] = [];
  for (const name of names) {
    const then = recorded[name] ?? null;
    const now = options[name];
    if (JSON.stringify(then) !== JSON.stringify(now)) differences.push({ name, flag: DECIDING_OPTION_FLAGS[name], recorded: then, given: now });
  }
  return differences;
}

/**
 * `apply --plan RUN` executes the plan as it was made: an option given now that differs from the
 * plan's would silently not apply, so it is refused (exit 2), naming each difference.
 */
export function refuseDifferentOptions(plan: Pick<RunRecord, 'id' | 'options'>, options: PlanDecidingOptions, given: Iterable<DecidingOptionName>): void {
  const differences = decidingOptionDifferences(plan.options, options, given);
  if (differences.length === 0) return;
  const shown = (value: JsonValue): string => (value === null ? '(not given)' : typeof value === 'string' ? value : JSON.stringify(value));
  const list = differences.map((difference) => `${difference.flag}: the plan has ${shown(difference.recorded)}, given ${shown(difference.given)}`).join('; ');
  const flags = differences.map((difference) => `${difference.flag}${typeof difference.given === 'boolean' || difference.given === null ? '' : ` ${shown(difference.given)}`}`).join(' ');
  throw usageError(
    'PLAN_OPTIONS_DIFFER',
    `plan ${plan.id} was made with other options than apply is given: ${list}`,
    `Plan again with these options (\`mfa-migrate plan … ${flags}\`) and apply that plan, or leave them out to apply plan ${plan.id} as it was made.`,
  );
}

/**
 * The plan's own options, read back from its run (written by decidingOptionsJson); `fallback`'s value
 * for an option it did not record (an older journal) or recorded with another JSON type.
 */
export function recordedDecidingOptions(run: Pick<RunRecord, 'options'>, fallback: PlanDecidingOptions): PlanDecidingOptions {
  const merged: Record<DecidingOptionName, unknown> = { ...fallback };
  for (const name of DECIDING_OPTION_NAMES) {
    const value = run.options[name];
    const wanted = fallback[name];
    const sameType = value === null || wanted === null ? true : typeof value === typeof wanted;
    if (value !== undefined && sameType) merged[name] = value;
  }
  // Every key is set, each from a PlanDecidingOptions or a value of the same JSON type recorded from one.
  return merged as unknown as PlanDecidingOptions;
}
