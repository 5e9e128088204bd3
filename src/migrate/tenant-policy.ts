/**
 * The tenant's authentication methods policy as one run sees it: the policy, the members of every
 * group it targets (nested groups included) and what it says about each user (R9). Read once per
 * run by plan (which methods a default may use) and rollback (whether a previous default may be
 * set back). A target group that no longer exists covers nobody and is reported once.
 */
import { finding, type Finding } from '../findings.js';
import type { GraphGateway } from '../graph/gateway.js';
import { availabilityFor } from '../plan/availability.js';
import type { MethodAvailability, TenantPolicy } from '../plan/entra-state.js';
import type { StepDeps } from './deps.js';

export type PolicyGraph = Pick<GraphGateway, 'readTenantPolicy' | 'readPolicyGroupMemberIds'>;

/** Where findings about the tenant's policy point: no export file holds them. */
export const POLICY_FILE = 'authentication methods policy';

export interface PolicyView {
  readonly policy: TenantPolicy;
  /** Findings about the policy itself (a target group that no longer exists), reported once. */
  readonly findings: readonly Finding[];
  /** What the policy lets this Entra user use. */
  availabilityOf(userId: string): MethodAvailability;
}

export async function readPolicyView(graph: PolicyGraph, log: StepDeps['log']): Promise<PolicyView> {
  const policy = await graph.readTenantPolicy();
  const groupIds = new Set<string>();
  for (const method of policy.methods) {
    const users = new Set(method.userTargetIds ?? []);
    for (const id of [...method.includeGroupIds, ...method.excludeGroupIds]) if (id !== 'all_users' && !users.has(id)) groupIds.add(id);
  }
  const groups = new Map<string, ReadonlySet<string>>();
  const findings: Finding[] = [];
  for (const id of groupIds) {
    const members = await graph.readPolicyGroupMemberIds(id);
    if (members !== null) {
      groups.set(id, members);
      continue;
    }
    // A deleted group the policy still names covers nobody; it must not stop the run.
    const methods = policy.methods.filter((method) => method.includeGroupIds.includes(id) || method.excludeGroupIds.includes(id)).map((method) => method.id);
    const message = `The authentication methods policy targets group ${id} (${methods.join(', ')}), which no longer exists in Entra; it was treated as a group with no members — remove the stale target in Entra > Authentication methods > Policies.`;
    log.warn(message);
    findings.push(finding('POLICY_GROUP_NOT_FOUND', POLICY_FILE, 0, message));
    groups.set(id, new Set());
  }
  return {
    policy,
    findings,
    availabilityOf: (userId) => availabilityFor(userId, policy, (groupId) => groups.get(groupId)?.has(userId) ?? false),
  };
}
