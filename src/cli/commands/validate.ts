import type { Command } from 'commander';
import { runValidate } from '../../migrate/validate.js';
import { loadColumnMap } from '../../source/column-map.js';
import { JsonArraySpool } from '../json-document.js';
import { addCommonOptions, addSourceOptions, mappingOptionsFrom, type CommonOptions, type SourceOptions } from '../options.js';
import { FirstIssues, validateDocument, validateSummaryText, validateUserJson } from '../render/validate-output.js';
import { addIgnoredTenantOptions, ignoredTenantOptionsNote } from '../tenant-options.js';
import type { CommandContext } from './context.js';

export function registerValidateCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('validate')
    .description('read the MFA Server exports and show, offline, what each user will get in Entra and what is wrong with the data');
  addSourceOptions(command);
  addCommonOptions(command);
  addIgnoredTenantOptions(command);
  command.action(async (options: SourceOptions & CommonOptions) => {
    const deps = context.stepDeps(options);
    const ignored = ignoredTenantOptionsNote(command);
    if (ignored !== null) deps.log.debug(ignored);
    const columns = options.columns === undefined ? {} : await loadColumnMap(options.columns);
    const spool = options.json ? await JsonArraySpool.create() : null;
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
          return spool?.add(validateUserJson(user));
        },
      );
      context.io.stderr.write(
        validateSummaryText(result.summary, firstIssues.issues, result.fileIssues, {
          usersFile: options.users,
          seconds: (deps.clock.now() - startedAt) / 1000,
        }),
      );
      if (spool !== null) {
        await spool.writeDocument(context.io.stdout, validateDocument(result));
      }
    } finally {
      await spool?.discard();
    }
  });
}
