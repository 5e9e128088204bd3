/**
 * A user's before → after, from the journal alone (reports never ask Graph:
 * docs/design.md "Reports"). "Before" is what the run read from Entra; "after" is before with the
 * run's writes laid over it — the writes that are `done` for a run that writes (apply, rollback),
 * or the planned writes for a plan, which the reports label as planned. Pure.
 *
 * A rollback run carries its apply run's users, so its stored before-state is what Entra held
 * before the apply. Each undo operation records what it found instead (the number it deletes or
 * writes over, the method it sets back from): that is the before of its target.
 */
import type { RunCommand, StoredUser } from '../run-records.js';
import type { PhoneType } from '../mapping/desired-state.js';
import type { HardwareTokenStatus } from '../plan/entra-state.js';
import type { Operation, OperationStatus } from '../plan/operations.js';

/**
 * `planned`: after shows what apply would write (a plan run); `applied`: what was written;
 * `exports`: what the exports ask Entra to hold (validate, which reads no Entra and has no before).
 */
export type AfterBasis = 'planned' | 'applied' | 'exports';

export interface ValueChange {
  readonly before: string | null;
  readonly after: string | null;
}

export interface HardwareTokenChange {
  readonly serialNumber: string;
  /** Graph's hardwareOathTokenStatus for the user before the run; null when the user did not hold it. */
  readonly before: HardwareTokenStatus | null;
  readonly after: HardwareTokenStatus | null;
}

export interface UserChanges {
  readonly phones: Readonly<Record<PhoneType, ValueChange>>;
  /** signInPreferences.userPreferredMethodForSecondaryAuthentication. */
  readonly preferredMethod: ValueChange;
  /** Tokens from the export first, then tokens only Entra held. */
  readonly hardwareTokens: readonly HardwareTokenChange[];
}

export { PHONE_TYPES } from '../mapping/desired-state.js';

/** A plan writes nothing: its after is what would be written. Every other run reports what it wrote. */
export function afterBasisOf(command: RunCommand): Exclude<AfterBasis, 'exports'> {
  return command === 'plan' ? 'planned' : 'applied';
}

const COUNTED: Readonly<Record<Exclude<AfterBasis, 'exports'>, ReadonlySet<OperationStatus>>> = {
  // A plan's operations are `planned` (or `conflict`, which writes nothing).
  planned: new Set<OperationStatus>(['planned', 'done']),
  // `sent` is not counted: whether Graph applied it is unknown until apply reconciles it.
  applied: new Set<OperationStatus>(['done']),
};

/** Graph's hardwareOathTokenStatus each token step leaves the token in. */
const TOKEN_STEP_STATUS = {
  createHardwareToken: 'available',
  assignHardwareToken: 'assigned',
  activateHardwareToken: 'activated',
} as const satisfies Partial<Record<Operation['kind'], HardwareTokenStatus>>;

/** Later steps win over earlier ones, whatever order the operations are listed in. */
const TOKEN_STEP_ORDER: readonly HardwareTokenStatus[] = ['available', 'assigned', 'activated'];

export function userChanges(user: Pick<StoredUser, 'before' | 'operations' | 'desired'>, basis: Exclude<AfterBasis, 'exports'>): UserChanges {
  const held = (phoneType: PhoneType): { before: string | null; after: string | null } => {
    const number = user.before?.phones.find((phone) => phone.phoneType === phoneType)?.phoneNumber ?? null;
    return { before: number, after: number };
  };
  const phones: Record<PhoneType, { before: string | null; after: string | null }> = {
    mobile: held('mobile'), alternateMobile: held('alternateMobile'), office: held('office'),
  };
  const preferredBefore = user.before?.signInPreferences?.userPreferredMethodForSecondaryAuthentication ?? null;
  const preferredMethod = { before: preferredBefore, after: preferredBefore };

  const tokens = new Map<string, { serialNumber: string; before: HardwareTokenStatus | null; after: HardwareTokenStatus | null }>();
  for (const token of user.desired.hardwareTokens) {
    tokens.set(tokenKey(token.serialNumber), { serialNumber: token.serialNumber, before: null, after: null });
  }
  for (const method of user.before?.hardwareOath ?? []) {
    if (method.serialNumber === null) continue;
    const known = tokens.get(tokenKey(method.serialNumber));
    if (known === undefined) tokens.set(tokenKey(method.serialNumber), { serialNumber: method.serialNumber, before: method.status, after: method.status });
    else {
      known.before = method.status;
      known.after = method.status;
    }
  }

  for (const operation of user.operations) {
    if (operation.revertsOperationId === null) continue;
    switch (operation.kind) {
      case 'deletePhone':
        phones[operation.target] = { before: operation.phoneNumber, after: operation.phoneNumber };
        break;
      case 'updatePhone':
        phones[operation.target] = { before: operation.previousPhoneNumber, after: operation.previousPhoneNumber };
        break;
      case 'setPreferredMethod':
        preferredMethod.before = operation.previous;
        preferredMethod.after = operation.previous;
        break;
      default:
        // Tokens: the apply's assignment is not recorded on the undo; the user's stored tokens stand.
        break;
    }
  }

  const counted = COUNTED[basis];
  for (const operation of user.operations) {
    if (!counted.has(operation.status)) continue;
    switch (operation.kind) {
      case 'createPhone':
      case 'updatePhone':
        phones[operation.target].after = operation.phoneNumber;
        break;
      case 'setPreferredMethod':
        preferredMethod.after = operation.target;
        break;
      case 'createHardwareToken':
      case 'assignHardwareToken':
      case 'activateHardwareToken': {
        const token = tokens.get(tokenKey(operation.target)) ?? { serialNumber: operation.target, before: null, after: null };
        tokens.set(tokenKey(operation.target), token);
        token.after = laterTokenStatus(token.after, TOKEN_STEP_STATUS[operation.kind]);
        break;
      }
      case 'deletePhone':
        phones[operation.target].after = null;
        break;
      case 'deactivateHardwareToken': {
        // The token stays assigned; only its activation is undone.
        const token = tokens.get(tokenKey(operation.target));
        if (token !== undefined) token.after = 'assigned';
        break;
      }
      case 'unassignHardwareToken':
      case 'deleteHardwareToken': {
        const token = tokens.get(tokenKey(operation.target));
        if (token !== undefined) token.after = null;
        break;
      }
      case 'phoneConflict':
      case 'hardwareTokenConflict':
        // Reported, never written: Entra keeps what it holds.
        break;
      default: {
        // A new operation kind must decide here what it leaves behind.
        const unhandled: never = operation;
        throw new Error(`the reports do not know operation ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return { phones, preferredMethod, hardwareTokens: [...tokens.values()] };
}

function laterTokenStatus(current: HardwareTokenStatus | null, step: HardwareTokenStatus): HardwareTokenStatus {
  return current !== null && TOKEN_STEP_ORDER.indexOf(current) > TOKEN_STEP_ORDER.indexOf(step) ? current : step;
}

/** Serial numbers compare as Entra's inventory does: without case. */
function tokenKey(serialNumber: string): string {
  return serialNumber.toUpperCase();
}
