import type { Command } from 'commander';
import { openJournal } from '../../journal/journal.js';
import { chooseRun, writeRunReports } from '../../report/write-reports.js';
import { addCommonOptions, type CommonOptions } from '../options.js';
import { reportJson, reportText } from '../render/report-output.js';
import { addIgnoredTenantOptions, ignoredTenantOptionsNote } from '../tenant-options.js';
import type { CommandContext } from './context.js';

interface ReportCommandOptions extends CommonOptions {
  readonly run?: string;
  readonly unmask: boolean;
}

export function registerReportCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('report')
    .description('(re)write the HTML, Excel, CSV and JSON reports of the latest run (or --run) from the journal; never asks Graph')
    .option('--run <id>', 'the run to report (default: the latest)')
    .option('--unmask', 'write the reports with phone numbers in full into <run>-unmasked/, beside the masked ones, never over them (for support; handle them as confidential)', false);
  addCommonOptions(command);
  addIgnoredTenantOptions(command);
  command.action(async (options: ReportCommandOptions) => {
    const deps = context.stepDeps(options);
    const ignored = ignoredTenantOptionsNote(command);
    if (ignored !== null) deps.log.debug(ignored);
    // mustExist: a mistyped --state must not leave an empty journal behind.
    const journal = openJournal(options.state, { clock: deps.clock, mustExist: true });
    try {
      const run = chooseRun(journal, options.run ?? null);
      const reports = await writeRunReports(journal, run.id, { dir: options.reports, unmask: options.unmask, clock: deps.clock });
      context.io.stderr.write(reportText(reports, options.unmask));
      context.io.stdout.write(options.json ? `${JSON.stringify(reportJson(reports, options.unmask))}\n` : `${reports.html}\n`);
    } finally {
      journal.close();
    }
  });
}
