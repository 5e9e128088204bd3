/**
 * Plain words for Graph's names, shown beside them wherever a person reads a report or the
 * terminal: "set default sign-in method (setPreferredMethod)". Graph's names stay because support
 * and Microsoft speak them (and the JSON uses them); the words say what happened to the user.
 *
 * Tables keyed by the unions they describe, so a new operation kind, method or status does not
 * compile until it has its words.
 */
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';
import type { OperationKind, OperationStatus } from '../plan/operations.js';

/** What each write does, for the person whose methods it changes. */
export const OPERATION_WORDS: Readonly<Record<OperationKind, string>> = {
  createPhone: 'add phone',
  updatePhone: 'change phone number',
  phoneConflict: 'keep the different number Entra holds',
  setPreferredMethod: 'set default sign-in method',
  createHardwareToken: 'add hardware token to the inventory',
  assignHardwareToken: 'assign hardware token',
  activateHardwareToken: 'activate hardware token',
  hardwareTokenConflict: 'hardware token held by someone else',
  deletePhone: 'delete phone',
  unassignHardwareToken: 'unassign hardware token',
  deactivateHardwareToken: 'deactivate hardware token',
  deleteHardwareToken: 'delete hardware token from the inventory',
};

/** Graph's phone types (phoneAuthenticationMethod.phoneType) as people say them. */
export const PHONE_TYPE_WORDS: Readonly<Record<PhoneType, string>> = {
  mobile: 'mobile',
  alternateMobile: 'alternate mobile',
  office: 'office phone',
};

/** signInPreferences.userPreferredMethodForSecondaryAuthentication values as the sign-in screen says them. */
export const DEFAULT_METHOD_WORDS: Readonly<Record<DefaultMethod, string>> = {
  push: 'Authenticator notification',
  oath: 'verification code (OATH)',
  sms: 'text message',
  voiceMobile: 'phone call to mobile',
  voiceAlternateMobile: 'phone call to alternate mobile',
  voiceOffice: 'phone call to office phone',
};

/** What became of a write, in a run that migrates. */
export const OPERATION_STATUS_WORDS: Readonly<Record<OperationStatus, string>> = {
  planned: 'planned, not sent',
  conflict: 'kept Entra\'s',
  sent: 'sent, no answer',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped, not sent',
};

/** What became of an undo step, in a rollback run: done is undone, skipped is kept (with its reason). */
export const UNDO_STATUS_WORDS: Readonly<Record<OperationStatus, string>> = {
  planned: 'not sent yet',
  conflict: 'kept',
  sent: 'sent, no answer',
  done: 'undone',
  failed: 'failed',
  skipped: 'kept',
};

/** Phone types and default methods in words, by Graph's name. */
const TARGET_WORDS: Readonly<Partial<Record<string, string>>> = { ...PHONE_TYPE_WORDS, ...DEFAULT_METHOD_WORDS };

/** A phone type or a default method in words; anything else (a token's serial number) as it is. */
export function targetWords(target: string): string {
  return TARGET_WORDS[target] ?? target;
}

/** `text message (sms)`; a value Graph sent that we do not know is shown as it came. */
export function defaultMethodInWords(method: string): string {
  const words = TARGET_WORDS[method];
  return words === undefined ? method : `${words} (${method})`;
}

/**
 * One write as a person reads it, Graph's words in brackets: `add phone mobile (createPhone mobile)`,
 * `set default sign-in method text message (setPreferredMethod sms)`.
 */
export function writeInWords(kind: OperationKind, target: string): string {
  return `${OPERATION_WORDS[kind]} ${targetWords(target)} (${kind} ${target})`;
}
