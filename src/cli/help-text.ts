/**
 * What `--help` adds to commander's option list: which options are required, one example per
 * command, and the exit codes the command can end with (the full table is in README).
 */
import { Help, type Command, type Option } from 'commander';
import { ExitCode } from '../errors.js';

const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  [ExitCode.ok]: 'done',
  [ExitCode.internal]: 'internal error (a bug: please report it)',
  [ExitCode.usage]: 'usage error (an option or its value)',
  [ExitCode.input]: 'input error (a file, a column, an encoding)',
  [ExitCode.failedUsers]: 'finished, with users that failed or were migrated only in part',
  [ExitCode.auth]: 'sign-in or permission error (names what is missing)',
  [ExitCode.interrupted]: 'interrupted: resumable, the message prints the command that resumes',
};

interface CommandHelp {
  readonly examples: readonly string[];
  readonly exits: readonly ExitCode[];
}

const S = '--users users.csv --devices devices.csv --tokens tokens.csv --upn-suffix contoso.com';

const HELP: Readonly<Record<string, CommandHelp>> = {
  validate: { examples: [`mfa-migrate validate ${S}`], exits: [ExitCode.ok, ExitCode.usage, ExitCode.input] },
  plan: { examples: [`mfa-migrate plan ${S} --auth secret`], exits: [ExitCode.ok, ExitCode.usage, ExitCode.input, ExitCode.auth, ExitCode.interrupted] },
  apply: {
    examples: ['mfa-migrate apply --plan RUN', `mfa-migrate apply ${S} --auth secret`, 'mfa-migrate apply --resume RUN'],
    exits: [ExitCode.ok, ExitCode.usage, ExitCode.input, ExitCode.failedUsers, ExitCode.auth, ExitCode.interrupted],
  },
  sync: {
    examples: [`mfa-migrate sync ${S} --auth secret`, `mfa-migrate sync ${S} --auth secret --every 15m`],
    exits: [ExitCode.ok, ExitCode.usage, ExitCode.input, ExitCode.failedUsers, ExitCode.auth, ExitCode.interrupted],
  },
  status: { examples: ['mfa-migrate status'], exits: [ExitCode.ok, ExitCode.usage] },
  verify: { examples: ['mfa-migrate verify --auth secret', `mfa-migrate verify ${S} --auth secret`], exits: [ExitCode.ok, ExitCode.usage, ExitCode.input, ExitCode.failedUsers, ExitCode.auth, ExitCode.interrupted] },
  report: { examples: ['mfa-migrate report --run RUN --unmask'], exits: [ExitCode.ok, ExitCode.usage] },
  rollback: { examples: ['mfa-migrate rollback --run RUN', 'mfa-migrate rollback --run RUN --execute'], exits: [ExitCode.ok, ExitCode.usage, ExitCode.failedUsers, ExitCode.auth, ExitCode.interrupted] },
  demo: { examples: ['mfa-migrate demo'], exits: [ExitCode.ok, ExitCode.internal] },
  emulator: { examples: ['mfa-migrate emulator --tenant fixtures/tenant.json --port 8900'], exits: [ExitCode.ok, ExitCode.usage, ExitCode.input] },
};

/** commander's help, with `(required)` before the description of a required option. */
class MigrateHelp extends Help {
  override optionDescription(option: Option): string {
    const description = super.optionDescription(option);
    return option.mandatory ? `(required) ${description}` : description;
  }
}

/** Applies the help of this module to the program and every command registered on it. */
export function decorateHelp(program: Command): void {
  for (const command of [program, ...program.commands]) {
    command.createHelp = () => Object.assign(new MigrateHelp(), command.configureHelp());
    const help = HELP[command.name()];
    if (help === undefined) {
      // Every command has its examples and exit codes; only the program itself has none.
      if (command !== program) throw new Error(`no help text for the command ${command.name()} (src/cli/help-text.ts)`);
      continue;
    }
    const exits = help.exits.map((code) => `  ${String(code)}  ${EXIT_MEANINGS[code]}`).join('\n');
    command.addHelpText('after', `\nExample${help.examples.length > 1 ? 's' : ''}:\n${help.examples.map((example) => `  ${example}`).join('\n')}\n\nExit codes:\n${exits}\n`);
  }
}
