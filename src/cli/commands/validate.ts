import type { Command } from 'commander';
import { runValidate } from '../../migrate/validate.js';
import { phoneView } from '../../report/phone-mask.js';
import { openValidateReports } from '../../report/validate-reports.js';
import { loadColumnMap } from '../../source/column-map.js';
import { JsonArraySpool } from '../json-document.js';
import { addCommonOptions, addSourceOptions, addUnmaskOption, mappingOptionsFrom, type CommonOptions, type SourceOptions, type UnmaskOption } from '../options.js';
import { FirstIssues, reportsLine, validateDocument, validateRunOptions, validateSummaryText, validateUserJson, whenWritten } from '../render/validate-output.js';
import { addIgnoredTenantOptions, ignoredTenantOptionsNote } from '../tenant-options.js';
import type { CommandContext } from './context.js';

export function registerValidateCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('validate')
    .description('read the MFA Server exports and show, offline, what each user will get in Entra and what is wrong with the data');
  addSourceOptions(command);
  addUnmaskOption(command, 'on the terminal, in --json and in its reports, which then go to a folder of their own');
  addCommonOptions(command);
  addIgnoredTenantOptions(command);
  command.action(async (options: SourceOptions & CommonOptions & UnmaskOption) => {
    const deps = context.stepDeps(options);
    const ignored = ignoredTenantOptionsNote(command);
    if (ignored !== null) deps.log.debug(ignored);
    const view = phoneView(options.unmask);
    const columns = options.columns === undefined ? {} : await loadColumnMap(options.columns);
    const spool = options.json ? await JsonArraySpool.create() : null;
    const reports = await openValidateReports({ dir: options.reports, unmask: options.unmask, clock: deps.clock, options: validateRunOptions(options) });
    const firstIssues = new FirstIssues();
    const startedAt = deps.clock.now();
    try {
      const result = await runValidate(
        {
          files: { users: options.users, devices: options.devices ?? null, tokens: options.tokens ?? null },
          read: { encoding: options.encoding, delimiter: options.delimiter, columns },
          mapping: mappingOptionsFrom(options),
        },
        deps,
        (user) => {
          firstIssues.add(user.issues);
          return whenWritten(spool?.add(validateUserJson(user, view)), reports.add(user));
        },
      );
      const written = await reports.finish({ fileIssues: result.fileIssues.length });
      context.io.stderr.write(
        validateSummaryText(result.summary, firstIssues.issues, result.fileIssues, {
          usersFile: options.users,
          seconds: (deps.clock.now() - startedAt) / 1000,
          view,
        }) + reportsLine(written, options.unmask),
      );
      if (spool !== null) {
        await spool.writeDocument(context.io.stdout, validateDocument(result, view));
      }
    } finally {
      await spool?.discard();
      await reports.discard();
    }
  });
}
