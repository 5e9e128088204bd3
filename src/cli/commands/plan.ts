import type { Command } from 'commander';
import { createGraphGateway } from '../../graph/gateway.js';
import { openJournal } from '../../journal/journal.js';
import type { JsonObject } from '../../journal/records.js';
import { runPlan, type PlanInput } from '../../migrate/plan.js';
import { phoneView } from '../../report/phone-mask.js';
import { writeRunReports } from '../../report/write-reports.js';
import { loadColumnMap } from '../../source/column-map.js';
import { readOnlyList } from '../../source/only-list.js';
import { JsonArraySpool } from '../json-document.js';
import {
  addCommonOptions,
  addPolicyOptions,
  addQuietOption,
  addSourceOptions,
  addUnmaskOption,
  diffOptionsFrom,
  mappingOptionsFrom,
  type CommonOptions,
  type PolicyOptions,
  type QuietOption,
  type SourceOptions,
  type UnmaskOption,
} from '../options.js';
import { planDocument, planSummaryText, planUserJson, planUserLine } from '../render/plan-output.js';
import { addTenantOptions, tenantSettingsFrom, type TenantOptions, type TenantSettings } from '../tenant-options.js';
import type { CommandContext } from './context.js';

export type PlanOptions = SourceOptions & TenantOptions & PolicyOptions & CommonOptions;

export function registerPlanCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('plan')
    .description('the dry run: read the exports and what Entra holds now, and show every change apply would make (sends GETs only)');
  addSourceOptions(command);
  addTenantOptions(command);
  addPolicyOptions(command);
  addUnmaskOption(command);
  addQuietOption(command);
  addCommonOptions(command);
  command.action(async (options: PlanOptions & UnmaskOption & QuietOption) => {
    const deps = context.stepDeps(options);
    const view = phoneView(options.unmask);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const input = await planInputFrom(options, tenant);
    const journal = openJournal(options.state, { clock: deps.clock });
    const graph = createGraphGateway(tenant.graph, { clock: deps.clock, log: deps.log });
    const startedAt = deps.clock.now();
    try {
      const result = await runPlan(input, { ...deps, graph, journal });
      const summaryText = planSummaryText(result.summary, { runId: result.run.id, state: options.state, seconds: (deps.clock.now() - startedAt) / 1000 });
      if (options.json) {
        const spool = await JsonArraySpool.create();
        try {
          for (const user of journal.iterateUsers(result.run.id)) {
            const pending = spool.add(planUserJson(user, view));
            if (pending !== undefined) await pending;
          }
          context.io.stderr.write(summaryText);
          await spool.writeDocument(context.io.stdout, planDocument(result, view));
        } finally {
          await spool.discard();
        }
      } else {
        for (const user of options.quiet ? [] : journal.iterateUsers(result.run.id)) {
          const line = planUserLine(user, view);
          if (line !== null) context.io.stdout.write(`${line}\n`);
        }
        context.io.stderr.write(summaryText);
      }
      // Every run leaves a reconciliation report (DESIGN §1, §8), written from the journal it just filled.
      const reports = await writeRunReports(journal, result.run.id, { dir: options.reports, unmask: false, clock: deps.clock });
      context.io.stderr.write(`Reports (phone numbers masked): ${reports.html}\n`);
    } finally {
      graph.close();
      journal.close();
    }
  });
}

/** What plan, apply and `verify --users` read and decide, from their options (the --columns and --only files read here). */
export async function planInputFrom(options: PlanOptions, tenant: TenantSettings): Promise<PlanInput> {
  const columns = options.columns === undefined ? {} : await loadColumnMap(options.columns);
  const only = tenant.only === null ? null : await readOnlyList(tenant.only);
  return {
    validate: {
      files: { users: options.users, devices: options.devices ?? null, tokens: options.tokens ?? null },
      read: { encoding: options.encoding, delimiter: options.delimiter, columns },
      mapping: mappingOptionsFrom(options),
    },
    diff: diffOptionsFrom(options),
    scope: { group: tenant.group, only },
    run: { tenantId: options.tenantId ?? null, graphUrl: tenant.graph.graphRoot, options: recordedOptions(options) },
    columnsFile: options.columns ?? null,
  };
}

/** The options kept with the run: what `status`, `apply --plan` and the reports need. Never secrets. */
export function recordedOptions(options: PlanOptions): JsonObject {
  return {
    users: options.users,
    devices: options.devices ?? null,
    tokens: options.tokens ?? null,
    encoding: options.encoding,
    delimiter: options.delimiter,
    columns: options.columns ?? null,
    defaultCountryCode: options.defaultCountryCode,
    upnSuffix: options.upnSuffix ?? null,
    includeDisabled: options.includeDisabled,
    tokenSecretEncoding: options.tokenSecretEncoding,
    hardwareTokens: options.hardwareTokens,
    phoneConflict: options.phoneConflict,
    defaultMethod: options.defaultMethod,
    auth: options.auth,
    cloud: options.cloud,
    group: options.group ?? null,
    only: options.only ?? null,
    matchAttribute: options.matchAttribute ?? null,
  };
}
