import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { runDemo } from '../../migrate/demo.js';
import { pathOption } from '../options.js';
import { demoJson } from '../render/demo-output.js';
import type { CommandContext } from './context.js';

interface DemoOptions {
  readonly fixtures: string;
  readonly state?: string;
  readonly reports: string;
  readonly json: boolean;
  readonly progress: boolean;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
}

/** The sample exports and tenant shipped with the tool: dist/src/cli/commands → the package root. */
const BUNDLED_FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));

export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('run the whole migration on the bundled Graph emulator and sample exports: validate, plan, apply, verify, report')
    .addOption(new Option('--fixtures <dir>', 'folder with tenant.json, users.csv, devices.csv and tokens.csv').default(BUNDLED_FIXTURES, "the package's fixtures/"))
    .option('--state <file>', 'journal to write (default: a new file in a temporary folder)', pathOption('--state'))
    .option('--reports <dir>', 'folder for reports', pathOption('--reports'), './reports')
    .option('--json', 'print one JSON document on stdout', false)
    .option('--no-progress', 'no progress bar or periodic progress lines')
    .option('--log-level <level>', 'how much to tell on stderr', 'info')
    .action(async (options: DemoOptions) => {
      const deps = context.stepDeps(options);
      const state = options.state ?? join(mkdtempSync(join(tmpdir(), 'mfa-migrate-demo-')), 'mfa-migrate-demo.db');
      const result = await runDemo({ fixtures: options.fixtures, state, reports: options.reports }, deps);
      const statuses = Object.entries(result.apply.usersByFinalStatus).map(([status, count]) => `${status} ${String(count)}`).join('   ');
      if (options.json) {
        context.io.stdout.write(`${JSON.stringify(demoJson(result, state))}\n`);
        return;
      }
      context.io.stdout.write(
        [
          '',
          `Demo finished: ${String(result.validate.users)} users in the exports; after apply: ${statuses}.`,
          `Verify: ${String(result.verify.checked)} users re-read from Entra, ${String(result.verify.drifted)} drifted.`,
          `Journal: ${state}`,
          `Report:  ${result.applyReports.html}`,
          `Verify report: ${result.verifyReports.html}`,
          '',
        ].join('\n'),
      );
    });
}
