/**
 * Options shared by several commands (docs/design.md "Common options"), declared once and checked
 * strictly: a wrong value is a usage error (exit 2) that says which values are accepted.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import type { LogLevel } from '../log.js';
import type { DefaultMethodPolicy, HardwareTokenMode, MappingOptions, TokenSecretEncoding } from '../mapping/desired-state.js';
import type { PhoneConflictPolicy } from '../plan/diff-user.js';
import type { DelimiterOption } from '../source/dialect.js';
import type { SourceEncoding } from '../source/records.js';

/**
 * `option.choices(values)`, accepting any case (`--auth Secret`, `--cloud USGov`) and the other
 * names admins know a value by (`aliases`, lower case → value), each read as its canonical value.
 * Anything else is a usage error (exit 2) that lists what is accepted.
 */
export function choicesOf<T extends string>(option: Option, values: readonly T[], aliases: Readonly<Record<string, T>> = {}): Option {
  const byName = new Map<string, T>();
  for (const value of values) byName.set(value.toLowerCase(), value);
  for (const [alias, value] of Object.entries(aliases)) byName.set(alias.toLowerCase(), value);
  const flag = option.long ?? option.flags;
  return option.choices(values).argParser((given: string): T => {
    const value = byName.get(given.trim().toLowerCase());
    if (value !== undefined) return value;
    const also = Object.keys(aliases);
    throw usageError(
      'OPTION_INVALID',
      `${flag} "${given}" is not one of ${values.join(', ')}`,
      `Give ${flag} one of: ${values.join(', ')}${also.length > 0 ? ` (also accepted: ${also.join(', ')})` : ''}; any case.`,
    );
  });
}

/** Options every command has. */
export interface CommonOptions {
  readonly json: boolean;
  readonly state: string;
  readonly reports: string;
  readonly progress: boolean;
  readonly logLevel: LogLevel;
}

export interface SourceOptions {
  readonly users: string;
  readonly devices?: string;
  readonly tokens?: string;
  readonly encoding: SourceEncoding;
  readonly delimiter: DelimiterOption;
  readonly columns?: string;
  readonly defaultCountryCode: string;
  readonly upnSuffix?: string;
  readonly includeDisabled: boolean;
  readonly tokenSecretEncoding: TokenSecretEncoding;
  readonly hardwareTokens: HardwareTokenMode;
}

export function addCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON document on stdout; human text goes to stderr', false)
    .option('--state <file>', 'journal of runs (SQLite)', pathOption('--state'), './mfa-migrate.db')
    .option('--reports <dir>', 'folder for reports', pathOption('--reports'), './reports')
    .option('--no-progress', 'no progress bar or periodic progress lines')
    .addOption(
      choicesOf(new Option('--log-level <level>', 'how much to tell on stderr'), ['error', 'warn', 'info', 'debug'] as const).default('info'),
    );
}

/**
 * @param users `required` for validate, plan and apply; verify takes an `optional` one (every
 *   user of the exports instead of an apply run's).
 */
export function addSourceOptions(command: Command, users: { readonly required: boolean; readonly description?: string } = { required: true }): Command {
  const usersDescription = users.description ?? 'MFA Server users export (File > Export Users), CSV';
  return (users.required ? command.requiredOption('--users <file>', usersDescription) : command.option('--users <file>', usersDescription))
    .option('--devices <file>', 'mobile-app devices export, CSV')
    .option('--tokens <file>', 'hardware OATH token seeds (vendor seed file or Entra upload CSV)')
    .addOption(
      choicesOf(new Option('--encoding <encoding>', 'force the encoding of the export files instead of detecting it from the byte-order mark and, without one, whether the whole file is valid UTF-8'), ['auto', 'utf8', 'utf16le', 'windows1252'] as const, {
        'utf-8': 'utf8',
        'utf-16le': 'utf16le',
        unicode: 'utf16le',
        'windows-1252': 'windows1252',
        cp1252: 'windows1252',
        ansi: 'windows1252',
      }).default('auto'),
    )
    .addOption(
      new Option('--delimiter <character>', 'the field separator of the export files instead of detecting it from the header line: , ; or tab')
        .choices(['auto', ',', ';', 'tab'])
        .default('auto')
        .argParser((value: string): DelimiterOption => parseDelimiter(value)),
    )
    .option('--columns <map.json>', 'map fields to your header names, e.g. {"phone": "Mobile Number"}')
    .option('--default-country-code <digits>', 'country calling code for numbers without one', parseCountryCode, '1')
    .option('--upn-suffix <domain>', 'turn DOMAIN\\sam and bare sam usernames into sam@<domain>', parseUpnSuffix)
    .option('--include-disabled', 'migrate users disabled in MFA Server too', false)
    .addOption(
      choicesOf(new Option('--token-secret-encoding <encoding>', 'how hardware token seeds are written'), ['auto', 'base32', 'hex'] as const).default('auto'),
    )
    .addOption(
      choicesOf(
        new Option('--hardware-tokens <mode>', 'hardware OATH tokens with seeds: import and activate them (so users sign in with them on cut-over day), import only (users activate them), or leave them out'),
        ['off', 'import', 'import-and-activate'] as const,
      ).default('import-and-activate'),
    );
}

/** `--unmask`: phone numbers in full where the command prints them (terminal and --json). */
export interface UnmaskOption {
  readonly unmask: boolean;
}

/**
 * Phone numbers are masked everywhere a person or a log could read them, the terminal and every
 * `--json` document included, as in the reports; `--unmask` shows them in full for support.
 * @param where what else it unmasks, for the help text
 */
export function addUnmaskOption(command: Command, where = 'on the terminal and in --json'): Command {
  return command.option('--unmask', `show phone numbers in full ${where} (for support; handle the output as confidential)`, false);
}

/** `--quiet`: the summary only, no line per user. */
export interface QuietOption {
  readonly quiet: boolean;
}

export function addQuietOption(command: Command): Command {
  return command.option('--quiet', 'print only the summary, not a line per user (--json is unchanged)', false);
}

/** What plan and apply do where Entra already holds something (docs/design.md "Policy options"). */
export interface PolicyOptions {
  readonly phoneConflict: PhoneConflictPolicy;
  readonly defaultMethod: DefaultMethodPolicy;
}

export function addPolicyOptions(command: Command): Command {
  return command
    .addOption(
      choicesOf(new Option('--phone-conflict <policy>', 'when Entra holds a different number: keep it and report a conflict, or overwrite it'), ['keep', 'overwrite'] as const).default('keep'),
    )
    .addOption(
      choicesOf(
        new Option('--default-method <policy>', 'when to set the default sign-in method: only when the user has none, always, or the most secure one when the user has none'),
        ['if-unset', 'always', 'most-secure-if-unset'] as const,
      ).default('if-unset'),
    );
}

export function mappingOptionsFrom(options: SourceOptions): MappingOptions {
  return {
    defaultCountryCode: options.defaultCountryCode,
    upnSuffix: options.upnSuffix ?? null,
    includeDisabled: options.includeDisabled,
    tokenSecretEncoding: options.tokenSecretEncoding,
    hardwareTokens: options.hardwareTokens,
  };
}

/**
 * A parser that refuses an empty path: `--reports ""` (an unset shell variable) would otherwise
 * put the reports, or the journal, in whatever folder the command runs from.
 */
export function pathOption(option: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw usageError('OPTION_INVALID', `${option} is empty`, `Give ${option} a path, or leave the option out to use its default.`);
    return value;
  };
}

function parseDelimiter(value: string): DelimiterOption {
  switch (value.trim().toLowerCase()) {
    case 'auto':
      return 'auto';
    case ',':
    case 'comma':
      return ',';
    case ';':
    case 'semicolon':
      return ';';
    case 'tab':
    case '\t':
      return '\t';
    default:
      throw usageError('OPTION_INVALID', `--delimiter "${value}" is not a field separator mfa-migrate reads`, 'Give --delimiter "," or ";" or tab, or leave it out to detect it from the header line.');
  }
}

function parseCountryCode(value: string): string {
  const digits = value.trim().replace(/^\+/, '');
  if (!/^[1-9]\d{0,2}$/.test(digits)) {
    throw usageError(
      'OPTION_INVALID',
      `--default-country-code "${value}" is not a country calling code`,
      'Give 1 to 3 digits, e.g. --default-country-code 44 for the United Kingdom.',
    );
  }
  return digits;
}

function parseUpnSuffix(value: string): string {
  const suffix = value.trim().replace(/^@/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(suffix)) {
    throw usageError(
      'OPTION_INVALID',
      `--upn-suffix "${value}" is not a domain name`,
      'Give the domain of your users\' UPNs, e.g. --upn-suffix contoso.com.',
    );
  }
  return suffix;
}
