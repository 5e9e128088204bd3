/**
 * Rollback (docs/design.md "Rollback"): the operations that undo what one apply run wrote for one
 * user, decided against what Entra holds now. Pure, like the diff.
 *
 * What Graph lets us undo: a created phone is deleted, a replaced number is put back, a changed
 * default method is set back, an assigned token is unassigned and a created one deleted from the
 * inventory. What it does not: a default method cannot be unset (signInPreferences takes only a
 * method), and the phone that is a user's default cannot be deleted
 * (phoneauthenticationmethod-delete.md). Those, and anything changed in Entra since the run (it
 * is no longer ours to undo), are kept and reported with the reason.
 */
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';
import type { StoredOperation } from '../run-records.js';
import type { EntraHardwareOathMethod, EntraHardwareToken, EntraState, MethodAvailability } from './entra-state.js';
import type { Operation } from './operations.js';
import { phoneNumbersMatch, isMaskedPhoneNumber } from './phone-numbers.js';
import { PHONE_OF, usableDefaultMethods } from './preferred-method.js';

export interface RevertStep {
  readonly operation: Operation;
  readonly revertsOperationId: number;
}

export interface KeptChange {
  readonly operation: Operation;
  readonly revertsOperationId: number;
  readonly reason: string;
}

export interface UserRollback {
  /** In the order to send: default method first, then tokens, then phones newest first. */
  readonly steps: readonly RevertStep[];
  readonly kept: readonly KeptChange[];
}

const DEFAULT_METHOD_NAMES: ReadonlySet<string> = new Set(['push', 'oath', 'sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice']);

/**
 * @param applied the apply run's operations of this user (any status; only `done` ones are undone)
 * @param current what Entra holds now
 * @param policy what the tenant's authentication methods policy lets the user use now: a previous
 *   default it no longer allows cannot be set back (a write Graph would refuse)
 */
export function planUserRollback(
  applied: readonly StoredOperation[],
  current: EntraState,
  inventory: (serialNumber: string) => EntraHardwareToken | null,
  policy: MethodAvailability,
): UserRollback {
  const done = applied.filter((operation) => operation.status === 'done').sort((a, b) => b.seq - a.seq);
  const steps: RevertStep[] = [];
  const kept: KeptChange[] = [];
  const keptPhones = new Set<PhoneType>();
  const heldMethod = (serial: string): EntraHardwareOathMethod | undefined => current.hardwareOath.find((method) => method.serialNumber !== null && serialKey(method.serialNumber) === serialKey(serial));
  const holds = (serial: string): boolean => heldMethod(serial) !== undefined;
  const unassigned = new Set(done.filter((operation) => operation.kind === 'assignHardwareToken' && holds(operation.target)).map((operation) => serialKey(operation.target)));
  const usable = usableDefaultMethods(
    current,
    {
      phones: new Set(current.phones.map((phone) => phone.phoneType)),
      writtenPhones: new Set(),
      conflictPhones: new Set(),
      assignedHardwareTokens: 0,
      // Tokens this rollback unassigns no longer sign the user in.
      usableHardwareTokens: current.hardwareOath.filter((method) => {
        if (method.serialNumber !== null && unassigned.has(serialKey(method.serialNumber))) return false;
        const status = method.status ?? (method.serialNumber === null ? null : inventory(method.serialNumber)?.status ?? null);
        return status === 'activated';
      }).length,
      hardwareTokensAwaitingActivation: 0,
    },
    policy,
  );

  for (const operation of done) {
    if (operation.kind !== 'setPreferredMethod') continue;
    const now = current.signInPreferences?.userPreferredMethodForSecondaryAuthentication ?? null;
    const previous = operation.previous;
    const blocked = PHONE_OF[operation.target];
    if (now !== operation.target) {
      kept.push({ operation: preferredOf(operation, operation.target), revertsOperationId: operation.id, reason: `the default method changed since the run (now ${now ?? 'unset'}); left as it is` });
    } else if (previous !== null && DEFAULT_METHOD_NAMES.has(previous) && usable.has(previous as DefaultMethod)) {
      steps.push({ operation: preferredOf(operation, previous as DefaultMethod), revertsOperationId: operation.id });
    } else if (previous !== null && DEFAULT_METHOD_NAMES.has(previous)) {
      kept.push({
        operation: preferredOf(operation, previous as DefaultMethod),
        revertsOperationId: operation.id,
        reason: `the default before the run, ${previous}, cannot be set back: the user no longer holds it or the tenant's authentication methods policy no longer allows it for them; ${operation.target} stays the default`,
      });
      if (blocked !== undefined) keptPhones.add(blocked);
    } else {
      kept.push({
        operation: preferredOf(operation, operation.target),
        revertsOperationId: operation.id,
        reason: `the user had no default method before the run and Entra cannot unset one; ${operation.target} stays the default`,
      });
      if (blocked !== undefined) keptPhones.add(blocked);
    }
  }

  for (const operation of done) {
    if (operation.kind !== 'assignHardwareToken') continue;
    const method = heldMethod(operation.target);
    if (method === undefined) continue;
    const deviceId = operation.deviceId ?? createdDeviceId(done, operation.target);
    // Unassign addresses the user's method as Entra shows it now (authentication-delete-hardwareoathmethods.md), not the device.
    steps.push({ operation: { kind: 'unassignHardwareToken', target: operation.target, status: 'planned', deviceId, methodId: method.id }, revertsOperationId: operation.id });
  }
  // A token the user held before the run that the run activated: deactivate it (it stays assigned),
  // unless it is what keeps the user's `oath` default usable.
  const assignedByRun = new Set(done.filter((operation) => operation.kind === 'assignHardwareToken').map((operation) => serialKey(operation.target)));
  const defaultNow = current.signInPreferences?.userPreferredMethodForSecondaryAuthentication ?? null;
  const defaultStaysOath = defaultNow === 'oath' && !steps.some((step) => step.operation.kind === 'setPreferredMethod');
  for (const operation of done) {
    if (operation.kind !== 'activateHardwareToken' || assignedByRun.has(serialKey(operation.target))) continue;
    const method = heldMethod(operation.target);
    if (method === undefined) continue;
    const status = method.status ?? inventory(operation.target)?.status ?? null;
    if (status !== 'activated') continue;
    // Deactivate addresses the user's method as Entra shows it now, like unassign.
    const undo: Operation = { kind: 'deactivateHardwareToken', target: operation.target, status: 'planned', deviceId: inventory(operation.target)?.id ?? null, methodId: method.id };
    const otherOath = current.softwareOath.length > 0 || current.hardwareOath.some((other) => other !== method && (other.status ?? (other.serialNumber === null ? null : inventory(other.serialNumber)?.status ?? null)) === 'activated');
    if (defaultStaysOath && !otherOath) {
      kept.push({ operation: undo, revertsOperationId: operation.id, reason: 'oath stays the user\'s default method and this token is their only OATH method, so it stays activated' });
      continue;
    }
    steps.push({ operation: undo, revertsOperationId: operation.id });
  }
  for (const operation of done) {
    if (operation.kind !== 'createHardwareToken') continue;
    const device = inventory(operation.target);
    if (device === null) continue;
    if (device.assignedToUserId !== null && device.assignedToUserId !== current.user.id) {
      kept.push({ operation: { kind: 'deleteHardwareToken', target: operation.target, status: 'planned', deviceId: device.id }, revertsOperationId: operation.id, reason: 'the token was assigned to another user since the run; left in the inventory' });
      continue;
    }
    steps.push({ operation: { kind: 'deleteHardwareToken', target: operation.target, status: 'planned', deviceId: device.id }, revertsOperationId: operation.id });
  }

  // Newest first: an alternateMobile the run added goes before the mobile it added.
  for (const operation of done) {
    if (operation.kind !== 'createPhone' && operation.kind !== 'updatePhone') continue;
    const phone = current.phones.find((candidate) => candidate.phoneType === operation.target);
    const undo: Operation = operation.kind === 'createPhone'
      ? { kind: 'deletePhone', target: operation.target, status: 'planned', phoneNumber: operation.phoneNumber, previousPhoneNumber: null }
      : { kind: 'updatePhone', target: operation.target, status: 'planned', phoneNumber: operation.previousPhoneNumber ?? '', previousPhoneNumber: operation.phoneNumber };
    const keep = (reason: string): void => {
      keptPhones.add(operation.target);
      kept.push({ operation: undo, revertsOperationId: operation.id, reason });
    };
    if (phone === undefined) {
      if (operation.kind === 'updatePhone') keep('the number was removed from Entra since the run; nothing to put back');
      continue;
    }
    if (phoneNumbersMatch(operation.phoneNumber, phone.phoneNumber) === 'different') {
      keep(`the ${operation.target} number changed since the run; left as it is`);
      continue;
    }
    if (operation.kind === 'updatePhone') {
      const previous = operation.previousPhoneNumber;
      if (previous === null || isMaskedPhoneNumber(previous)) keep('the number before the run was read masked, so it cannot be put back; restore it by hand');
      else steps.push({ operation: { kind: 'updatePhone', target: operation.target, status: 'planned', phoneNumber: previous, previousPhoneNumber: operation.phoneNumber }, revertsOperationId: operation.id });
      continue;
    }
    if (keptPhones.has(operation.target)) {
      keep(`it is the user's default method, which Entra cannot unset: have the user choose another default, then delete the number`);
    } else if (operation.target === 'mobile' && keptPhones.has('alternateMobile')) {
      keep('the alternateMobile stays, and Entra keeps no alternateMobile without a mobile');
    } else {
      steps.push({ operation: { kind: 'deletePhone', target: operation.target, status: 'planned', phoneNumber: operation.phoneNumber, previousPhoneNumber: null }, revertsOperationId: operation.id });
    }
  }
  return { steps, kept };
}

function preferredOf(operation: StoredOperation & { readonly kind: 'setPreferredMethod' }, target: DefaultMethod): Operation {
  return { kind: 'setPreferredMethod', target, status: 'planned', previous: operation.target };
}

function serialKey(serial: string): string {
  return serial.trim().toLowerCase();
}

function createdDeviceId(done: readonly StoredOperation[], serial: string): string | null {
  const created = done.find((operation) => operation.kind === 'createHardwareToken' && operation.target === serial);
  return created?.result?.resourceId ?? null;
}
