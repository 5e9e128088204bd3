import type { Command } from 'commander';
import type { JsonObject } from '../../run-records.js';
import { DECIDING_OPTION_NAMES, type PlanDecidingOptions } from '../../migrate/deciding-options.js';
import { runPlan, type PlanInput } from '../../migrate/plan.js';
import { runCommandSession } from '../command-session.js';
import { phoneView } from '../../report/phone-mask.js';
import { loadColumnMap } from '../../source/column-map.js';
import { readOnlyList } from '../../source/only-list.js';
import { JsonArraySpool } from '../json-document.js';
import {
  addCommonOptions,
  addPolicyOptions,
  addQuietOption,
  addSourceOptions,
  addUnmaskOption,
  mappingOptionsFrom,
  type CommonOptions,
  type PolicyOptions,
  type QuietOption,
  type SourceOptions,
  type UnmaskOption,
} from '../options.js';
import { planDocument, planSummaryText, planUserJson, planUserLine } from '../render/plan-output.js';
import { addReadTenantOptions, tenantSettingsFrom, type TenantOptions, type TenantSettings } from '../tenant-options.js';
import type { OptionGiven } from '../recorded-run.js';
import type { CommandContext } from './context.js';

export type PlanOptions = SourceOptions & TenantOptions & PolicyOptions & CommonOptions;

export function registerPlanCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('plan')
    .description('the dry run: read the exports and what Entra holds now, and show every change apply would make (sends GETs only)');
  addSourceOptions(command);
  addReadTenantOptions(command);
  addPolicyOptions(command);
  addUnmaskOption(command);
  addQuietOption(command);
  addCommonOptions(command);
  command.action(async (options: PlanOptions & UnmaskOption & QuietOption) => {
    const view = phoneView(options.unmask);
    const tenant = tenantSettingsFrom(options, context.io.env);
    const input = await planInputFrom(options, tenant, givenOn(command));
    await runCommandSession(context, { options, graph: tenant.graph, lock: null, journalMustExist: false }, async ({ deps, graph, journal, writeReports }) => {
      const startedAt = deps.clock.now();
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
      // Every run leaves a reconciliation report, written from the journal it just filled.
      context.io.stderr.write((await writeReports(result.run.id)).line);
    });
  });
}

/** Options the command line set, as commander tells it. */
export function givenOn(command: Command): OptionGiven {
  return (name) => {
    const source = command.getOptionValueSource(name);
    return source === 'cli' || source === 'env';
  };
}

/** What plan, apply and `verify --users` read and decide, from their options (the --columns and --only files read here). */
export async function planInputFrom(options: PlanOptions, tenant: TenantSettings, given: OptionGiven): Promise<PlanInput> {
  const columns = options.columns === undefined ? {} : await loadColumnMap(options.columns);
  const only = tenant.only === null ? null : await readOnlyList(tenant.only);
  const deciding: PlanDecidingOptions = {
    encoding: options.encoding,
    delimiter: options.delimiter,
    ...mappingOptionsFrom(options),
    phoneConflict: options.phoneConflict,
    defaultMethod: options.defaultMethod,
    group: tenant.group,
    matchAttribute: options.matchAttribute ?? null,
  };
  return {
    files: { users: options.users, devices: options.devices ?? null, tokens: options.tokens ?? null },
    columns,
    columnsFile: options.columns ?? null,
    only,
    options: deciding,
    givenOptions: new Set(DECIDING_OPTION_NAMES.filter((name) => given(name))),
    run: { tenantId: options.tenantId ?? null, graphUrl: tenant.graph.graphRoot, options: recordedOptions(options) },
  };
}

/** The options kept with the run besides the deciding ones (plan records those itself): what `status` and the reports show. Never secrets. */
export function recordedOptions(options: PlanOptions): JsonObject {
  return {
    users: options.users,
    devices: options.devices ?? null,
    tokens: options.tokens ?? null,
    columns: options.columns ?? null,
    auth: options.auth,
    appPool: options.appPool ?? null,
    cloud: options.cloud,
    // Not secrets: the tenant and app signed in to, so `rollback --run` and `apply --resume` sign in there again.
    tenantId: options.tenantId ?? null,
    clientId: options.clientId ?? null,
    only: options.only ?? null,
  };
}
