/**
 * verify (docs/design.md "Verify"): re-read Entra for the users of an apply run and reconcile what
 * it holds with the exports' desired state and the journal. Records a verify run (the apply run's
 * users, each with its verified status and any METHOD_DRIFTED / METHOD_MISSING finding) for
 * `status` and the reports. `verify --users` checks every user of the exports instead, whatever run
 * wrote them (or none): it plans against Entra now and reports each write still to make as missing.
 * Sends GETs only.
 */
import pLimit from 'p-limit';
import { usageError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { Journal } from '../journal/journal.js';
import { isWriteRun, WRITE_RUN_COMMANDS, type JsonValue, type RunRecord, type StoredUser } from '../run-records.js';
import type { FinalUserStatus } from '../user-status.js';
import type { EntraState } from '../plan/entra-state.js';
import { verifyAgainstExports, verifyUser, type VerifiedUser } from '../plan/verify-user.js';
import type { ApplyGraph } from './apply.js';
import { runPlan, type PlanDeps, type PlanInput } from './plan.js';
import { appsJson } from './run-apps.js';
import type { StepDeps } from './deps.js';

/** Users read at once: each read is one `$batch` of a few GETs, paced by the governor. */
const READS_IN_FLIGHT = 20;

export interface VerifyDeps extends StepDeps {
  readonly graph: Pick<ApplyGraph, 'preflight' | 'readUserState'>;
  readonly journal: Journal;
}

export interface VerifyResult {
  readonly run: RunRecord;
  readonly verifiedRun: RunRecord;
  readonly usersByStatus: Partial<Record<FinalUserStatus, number>>;
  readonly drifted: number;
  readonly checked: number;
}

export async function runVerify(input: { readonly runId: string | null }, deps: VerifyDeps): Promise<VerifyResult> {
  const { journal, graph } = deps;
  // By default the latest apply or sync cycle that wrote to anyone: an idle sync cycle has nobody to verify.
  const verifiedRun = input.runId === null ? journal.latestRun({ command: WRITE_RUN_COMMANDS, withUsers: true }) : journal.getRun(input.runId);
  if (verifiedRun === null || !isWriteRun(verifiedRun)) {
    throw usageError(
      'RUN_NOT_FOUND',
      input.runId === null ? `${journal.path} holds no apply or sync run to verify` : `${journal.path} holds no apply or sync run ${input.runId}`,
      'Give --run the id of an apply or sync run (they print it; `mfa-migrate status` shows the latest) and the same --state.',
    );
  }
  const signedIn = await graph.preflight({ writes: false, group: false, hardwareTokenWrites: false });

  // The journal cannot be read and written at once: collect, then read Entra, then record.
  const users: StoredUser[] = [...journal.iterateUsers(verifiedRun.id)];
  const checkable = users.filter((user) => user.before !== null && (user.planStatus === 'planned' || user.planStatus === 'unchanged' || user.planStatus === 'conflict'));
  deps.progress.start('Verifying in Entra', checkable.length);
  const states = new Map<number, EntraState>();
  const reads = pLimit(READS_IN_FLIGHT);
  await reads.map(checkable, async (user) => {
    if (user.before === null) return;
    states.set(user.id, await graph.readUserState(user.before.user));
    deps.progress.advance(1);
  });
  deps.progress.finish();

  return recordVerifyRun(journal, verifiedRun, users, checkable.length, appsJson(signedIn.apps), (user) => {
    const state = states.get(user.id);
    return state === undefined
      ? { status: user.finalStatus ?? (user.planStatus === 'planned' ? 'failed' : user.planStatus), findings: [], drifted: false }
      : verifyUser(user, state);
  });
}

/**
 * `verify --users`: every user of the exports against Entra now. The plan it makes (recorded as a
 * plan run, which `apply --plan` can then execute) is the verify run's parent.
 */
export async function runVerifyExports(input: PlanInput, deps: PlanDeps): Promise<VerifyResult> {
  const planned = await runPlan(input, deps);
  const users: StoredUser[] = [...deps.journal.iterateUsers(planned.run.id)];
  const checked = users.filter((user) => user.before !== null).length;
  return recordVerifyRun(deps.journal, planned.run, users, checked, planned.run.options['apps'] ?? [], verifyAgainstExports);
}

/** The verify run: each user of `verifiedRun` with the status and findings `verify` gives it. */
function recordVerifyRun(journal: Journal, verifiedRun: RunRecord, users: readonly StoredUser[], checked: number, apps: JsonValue, verify: (user: StoredUser) => VerifiedUser): VerifyResult {
  const run = journal.createRun({ command: 'verify', parentRunId: verifiedRun.id, tenantId: verifiedRun.tenantId, graphUrl: verifiedRun.graphUrl, options: { apps }, inputs: verifiedRun.inputs });
  const counts: Partial<Record<FinalUserStatus, number>> = {};
  let drifted = 0;
  const records: { line: number; status: FinalUserStatus; addedIssues: readonly Finding[] }[] = [];
  for (const user of users) {
    const verified = verify(user);
    if (verified.drifted) drifted += 1;
    counts[verified.status] = (counts[verified.status] ?? 0) + 1;
    records.push({ line: user.line, status: verified.status, addedIssues: verified.findings });
  }
  journal.recordVerifiedUsers(verifiedRun.id, run.id, records);
  journal.finishRun(run.id, 'finished', { ...journal.runSummary(run.id), drifted, checked });
  return { run: journal.getRun(run.id) ?? run, verifiedRun, usersByStatus: counts, drifted, checked };
}
