/**
 * Hardware OATH tokens against Entra (R13). A token lives in the tenant inventory
 * (beta directory/authenticationMethodDevices/hardwareOathDevices) and is assigned to one user
 * (beta users/{id}/authentication/hardwareOathMethods, a method with an id of its own), then
 * activated through that method with a code from its seed (hardwareoathauthenticationmethod-activate.md).
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { DesiredState, HardwareTokenMode } from '../mapping/desired-state.js';
import type { EntraHardwareToken, EntraState } from './entra-state.js';
import type { HardwareTokenOperation } from './operations.js';

/** Graph's hardwareOathTokenStatus once activation succeeded. */
const ACTIVATED = 'activated';

export interface HardwareTokenPlan {
  readonly operations: readonly HardwareTokenOperation[];
  /** Tokens the user holds once the plan has run (already assigned, or assigned by it). */
  readonly heldCount: number;
  /** Tokens this plan assigns. */
  readonly assignedCount: number;
  readonly findings: readonly Finding[];
}

const NO_TOKENS: HardwareTokenPlan = { operations: [], heldCount: 0, assignedCount: 0, findings: [] };

function serialKey(serial: string): string {
  return serial.trim().toLowerCase();
}

export function planHardwareTokenOperations(
  desired: DesiredState,
  current: EntraState,
  mode: HardwareTokenMode,
  inventory: (serialNumber: string) => EntraHardwareToken | null,
): HardwareTokenPlan {
  if (mode === 'off' || desired.hardwareTokens.length === 0) return NO_TOKENS;
  const { file, line } = desired;
  const at = `${file} line ${line}`;
  const activate = mode === 'import-and-activate';
  const operations: HardwareTokenOperation[] = [];
  const findings: Finding[] = [];
  let heldCount = 0;
  let assignedCount = 0;

  for (const token of desired.hardwareTokens) {
    const target = token.serialNumber;
    const key = serialKey(target);
    const method = current.hardwareOath.find((item) => item.serialNumber !== null && serialKey(item.serialNumber) === key);
    const device = inventory(target);

    // The user's own method list is evidence enough that the token is theirs.
    if (method !== undefined || device?.assignedToUserId === current.user.id) {
      heldCount += 1;
      const status = device?.status ?? method?.status ?? null;
      if (activate && status !== ACTIVATED) operations.push({ kind: 'activateHardwareToken', target, status: 'planned', deviceId: device?.id ?? null, methodId: method?.id ?? null });
      continue;
    }
    if (device !== null && device.assignedToUserId !== null) {
      operations.push({ kind: 'hardwareTokenConflict', target, status: 'conflict', deviceId: device.id });
      findings.push(
        finding(
          'TOKEN_ASSIGNED_ELSEWHERE',
          file,
          line,
          `${at}: hardware token "${target}" of ${desired.username} is already assigned to another Entra user (object id ${device.assignedToUserId}) and was not migrated — unassign it from that user in Entra > Authentication methods > Hardware OATH tokens and run again, or correct the serial in MFA Server.`,
        ),
      );
      continue;
    }
    const deviceId = device?.id ?? null;
    if (device === null) operations.push({ kind: 'createHardwareToken', target, status: 'planned', deviceId });
    operations.push({ kind: 'assignHardwareToken', target, status: 'planned', deviceId });
    if (activate) operations.push({ kind: 'activateHardwareToken', target, status: 'planned', deviceId });
    heldCount += 1;
    assignedCount += 1;
  }
  return { operations, heldCount, assignedCount, findings };
}
