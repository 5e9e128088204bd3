/**
 * The entry point: builds the command line, runs one command, and is the only place that turns
 * errors into exit codes and text (docs/design.md "Error family").
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, MigrateError } from '../errors.js';
import { streamLog } from '../log.js';
import { systemClock } from '../clock.js';
import type { CommandContext } from './commands/context.js';
import { registerApplyCommand } from './commands/apply.js';
import { registerRollbackCommand } from './commands/rollback.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerReportCommand } from './commands/report.js';
import { registerValidateCommand } from './commands/validate.js';
import { decorateHelp } from './help-text.js';
import { processIo, useColour, type CliIo } from './io.js';
import { progressFor } from './progress.js';
import { errorJson, usageErrorJson } from './render/error-output.js';

export const VERSION = '0.1.0';

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const wantsJson = argv.includes('--json');
  let exitCode: ExitCode = ExitCode.ok;
  // argv is node's: [node, script, ...args].
  const program = buildProgram(io, argv.slice(2), (code) => {
    exitCode = code;
  });
  if (argv.length <= 2) {
    // No command at all: the help, on stderr, and a usage error — a script that forgot the command must not pass.
    io.stderr.write(program.helpInformation());
    return ExitCode.usage;
  }
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error: unknown) {
    return reportFailure(error, io, wantsJson);
  }
}

export function buildProgram(io: CliIo, args: readonly string[] = [], setExitCode: (code: ExitCode) => void = () => undefined): Command {
  const context: CommandContext = {
    io,
    args,
    setExitCode,
    stepDeps: (options) => ({
      log: streamLog(io.stderr, options.logLevel),
      clock: systemClock,
      progress: progressFor(io.stderr, { enabled: options.progress, isTTY: io.isTTY, clock: systemClock }),
    }),
  };
  const program = new Command('mfa-migrate')
    .description('Move MFA registrations from Microsoft MFA Server to Microsoft Entra ID through Microsoft Graph.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for the options)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => { write(text); },
    });
  registerValidateCommand(program, context);
  registerPlanCommand(program, context);
  registerApplyCommand(program, context);
  registerSyncCommand(program, context);
  registerStatusCommand(program, context);
  registerRollbackCommand(program, context);
  registerVerifyCommand(program, context);
  registerDemoCommand(program, context);
  registerReportCommand(program, context);
  registerEmulatorCommand(program, io);
  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
  }
  decorateHelp(program);
  return program;
}

function reportFailure(error: unknown, io: CliIo, json: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (and help when asked for).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.ok;
    }
    if (json) io.stdout.write(`${JSON.stringify(usageErrorJson(error.message))}\n`);
    return ExitCode.usage;
  }
  const failure =
    error instanceof MigrateError
      ? error
      : new MigrateError({
          code: 'INTERNAL',
          message: `Internal error: ${error instanceof Error ? error.message : String(error)}`,
          remedy: 'This is a bug in mfa-migrate. Run again with --log-level debug and report the output (it contains no secrets).',
          cause: error,
        });
  const red = useColour(io) ? (text: string) => `\x1b[31m${text}\x1b[0m` : (text: string) => text;
  io.stderr.write(`${red(`error ${failure.code}:`)} ${failure.message}\n  what to do: ${failure.remedy}\n`);
  if (failure.exitCode === ExitCode.internal && error instanceof Error && error.stack !== undefined) {
    io.stderr.write(`${error.stack}\n`);
  }
  if (json) io.stdout.write(`${JSON.stringify(errorJson(failure))}\n`);
  return failure.exitCode;
}
