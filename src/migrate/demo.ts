/**
 * demo (docs/design.md "demo command"): the whole product on the bundled emulator, for a newcomer
 * and for rehearsals. Starts the emulator in-process from the fixtures' tenant, then validate →
 * plan + apply → verify → reports, exactly as the commands run them (same steps, same journal, same
 * gateway over HTTP).
 */
import { resolveGraphConfig } from '../graph/config.js';
import { createGraphGateway } from '../graph/gateway.js';
import { startEmulator } from '../emulator/server.js';
import { openJournal } from '../journal/journal.js';
import type { ValidateSummary } from './validate.js';
import { runValidate } from './validate.js';
import { runApply, type ApplyResult } from './apply.js';
import { runVerify, type VerifyResult } from './verify.js';
import type { StepDeps } from './deps.js';
import { validateInputOf, type PlanInput } from './plan.js';
import { join } from 'node:path';
import { writeRunReports, type WrittenReports } from '../report/write-reports.js';

export interface DemoInput {
  /** Folder with tenant.json, users.csv, devices.csv, tokens.csv. */
  readonly fixtures: string;
  /** The journal the demo writes (a new file). */
  readonly state: string;
  readonly reports: string;
}

export interface DemoResult {
  readonly validate: ValidateSummary;
  readonly apply: ApplyResult;
  readonly verify: VerifyResult;
  readonly applyReports: WrittenReports;
  readonly verifyReports: WrittenReports;
}

export async function runDemo(input: DemoInput, deps: StepDeps): Promise<DemoResult> {
  const { log } = deps;
  const emulator = await startEmulator({ tenant: join(input.fixtures, 'tenant.json'), throttle: 'realistic' });
  log.info(`Graph emulator (Contoso, from ${join(input.fixtures, 'tenant.json')}) at ${emulator.url}.`);
  const journal = openJournal(input.state, { clock: deps.clock });
  const graph = createGraphGateway(resolveGraphConfig({ graphUrl: emulator.url, auth: { mode: 'emulator' }, matchAttribute: 'onPremisesSamAccountName' }), { clock: deps.clock, log });
  try {
    const plan: PlanInput = {
      files: { users: join(input.fixtures, 'users.csv'), devices: join(input.fixtures, 'devices.csv'), tokens: join(input.fixtures, 'tokens.csv') },
      columns: {},
      columnsFile: null,
      only: null,
      options: {
        encoding: 'auto', delimiter: 'auto', defaultCountryCode: '1', upnSuffix: 'contoso.com', includeDisabled: false, tokenSecretEncoding: 'auto', hardwareTokens: 'import-and-activate',
        phoneConflict: 'keep', defaultMethod: 'if-unset', group: null, matchAttribute: 'onPremisesSamAccountName',
      },
      run: { tenantId: null, graphUrl: emulator.url, options: { demo: true } },
    };
    log.info('1/4 validate: reading the MFA Server exports offline…');
    const validated = await runValidate(validateInputOf(plan), deps, () => undefined);
    log.info(`    ${String(validated.summary.users)} users: ${String(validated.summary.ready)} ready, ${String(validated.summary.skipped)} skipped, ${String(validated.summary.rejected)} rejected.`);
    log.info('2/4 plan + apply: reading Entra, diffing, writing in $batch requests…');
    const applied = await runApply({ plan, planRunId: null }, { ...deps, graph, journal });
    log.info(`    apply run ${applied.run.id}: ${String(applied.operations.done)} writes done, ${String(applied.operations.failed)} failed.`);
    log.info('3/4 verify: reading Entra again and checking every method…');
    const verified = await runVerify({ runId: applied.run.id }, { ...deps, graph, journal });
    log.info(`    ${String(verified.checked)} users checked, ${String(verified.drifted)} drifted.`);
    log.info('4/4 report: writing HTML, Excel, CSV and JSON from the journal…');
    const applyReports = await writeRunReports(journal, applied.run.id, { dir: input.reports, unmask: false, clock: deps.clock });
    const verifyReports = await writeRunReports(journal, verified.run.id, { dir: input.reports, unmask: false, clock: deps.clock });
    return { validate: validated.summary, apply: applied, verify: verified, applyReports, verifyReports };
  } finally {
    graph.close();
    journal.close();
    await emulator.close();
  }
}
