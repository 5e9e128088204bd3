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
  /** Tokens this plan assigns. */
  readonly assignedCount: number;
  /**
   * The user's hardware tokens that are activated once the plan has run — already activated in
   * Entra, or activated by it. Only these can sign the user in, so only these make `oath` a usable
   * default (R8): an assigned token the user has not activated cannot be one.
   */
  readonly usableCount: number;
  /** Tokens the user holds after the plan that still await activation (`--hardware-tokens import`, or a status Graph did not give). */
  readonly awaitingActivationCount: number;
  readonly findings: readonly Finding[];
}

function serialKey(serial: string): string {
  return serial.trim().toLowerCase();
}

export function planHardwareTokenOperations(
  desired: DesiredState,
  current: EntraState,
  mode: HardwareTokenMode,
  inventory: (serialNumber: string) => EntraHardwareToken | null,
): HardwareTokenPlan {
  const wanted = mode === 'off' ? [] : desired.hardwareTokens;
  const { file, line } = desired;
  const at = `${file} line ${line}`;
  const activate = mode === 'import-and-activate';
  const operations: HardwareTokenOperation[] = [];
  const findings: Finding[] = [];
  let assignedCount = 0;
  let usableCount = 0;
  let awaitingActivationCount = 0;
  const wantedKeys = new Set(wanted.map((token) => serialKey(token.serialNumber)));

  // Tokens Entra already holds for the user that the export does not name: theirs, untouched.
  for (const method of current.hardwareOath) {
    if (method.serialNumber !== null && wantedKeys.has(serialKey(method.serialNumber))) continue;
    const status = method.status ?? (method.serialNumber === null ? null : inventory(method.serialNumber)?.status ?? null);
    if (status === ACTIVATED) usableCount += 1;
    else awaitingActivationCount += 1;
  }

  for (const token of wanted) {
    const target = token.serialNumber;
    const key = serialKey(target);
    const method = current.hardwareOath.find((item) => item.serialNumber !== null && serialKey(item.serialNumber) === key);
    const device = inventory(target);

    // The user's own method list is evidence enough that the token is theirs.
    if (method !== undefined || device?.assignedToUserId === current.user.id) {
      const status = device?.status ?? method?.status ?? null;
      if (status === ACTIVATED) usableCount += 1;
      else if (activate) {
        operations.push({ kind: 'activateHardwareToken', target, status: 'planned', deviceId: device?.id ?? null, methodId: method?.id ?? null });
        usableCount += 1;
      } else awaitingActivationCount += 1;
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
    if (activate) {
      operations.push({ kind: 'activateHardwareToken', target, status: 'planned', deviceId });
      usableCount += 1;
    } else awaitingActivationCount += 1;
    assignedCount += 1;
  }
  return { operations, assignedCount, usableCount, awaitingActivationCount, findings };
}
