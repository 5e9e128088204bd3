/**
 * The default (preferred) method with Entra visible (R8, R9). What the user can use is what Entra
 * will hold after the plan — planned or existing phones, Authenticator registrations (Graph cannot
 * create them, so devices in the export do not count), hardware tokens and OATH methods — minus
 * what the tenant's authentication methods policy disables. The choice itself is mapping's
 * `chooseDefaultMethod`. Graph: beta signInPreferences.userPreferredMethodForSecondaryAuthentication
 * (api-reference/beta/resources/signinpreferences.md).
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import { chooseDefaultMethod } from '../mapping/default-method.js';
import { DEFAULT_METHOD_STRENGTH } from '../mapping/desired-state.js';
import type { DefaultMethod, DefaultMethodPolicy, DesiredState, PhoneType } from '../mapping/desired-state.js';
import type { EntraState, MethodAvailability } from './entra-state.js';
import type { PreferredMethodOperation } from './operations.js';
import type { PriorWrites } from './prior-writes.js';

/** What the rest of the plan leaves the user holding. */
export interface HeldMethods {
  readonly phones: ReadonlySet<PhoneType>;
  /** Phone types the plan writes. */
  readonly writtenPhones: ReadonlySet<PhoneType>;
  /** Phone types where Entra keeps a number that differs from MFA Server's (`--phone-conflict keep`). */
  readonly conflictPhones: ReadonlySet<PhoneType>;
  /** Hardware tokens this plan assigns. */
  readonly assignedHardwareTokens: number;
  /** Hardware tokens activated once the plan has run (already, or by it): the only ones a user signs in with. */
  readonly usableHardwareTokens: number;
  /** Hardware tokens the user holds after the plan that still await activation. */
  readonly hardwareTokensAwaitingActivation: number;
}

export interface PreferredMethodPlan {
  readonly operation: PreferredMethodOperation | null;
  /** The default in effect after the plan when the tool decided it; null when Entra's own is kept or nothing is available. */
  readonly defaultMethod: DefaultMethod | null;
  readonly findings: readonly Finding[];
}

/** Values of userPreferredMethodForSecondaryAuthentication that mean "no preference". */
const UNSET_VALUES: ReadonlySet<string> = new Set(['', 'none']);

export const PHONE_OF: Readonly<Partial<Record<DefaultMethod, PhoneType>>> = {
  sms: 'mobile',
  voiceMobile: 'mobile',
  voiceAlternateMobile: 'alternateMobile',
  voiceOffice: 'office',
};

const PHONE_LABELS: Readonly<Record<PhoneType, string>> = {
  mobile: 'mobile',
  alternateMobile: 'alternate mobile',
  office: 'office phone',
};

interface Availability {
  /** Methods the user would have if the policy allowed everything. */
  readonly held: ReadonlySet<DefaultMethod>;
  readonly disabledByPolicy: ReadonlySet<DefaultMethod>;
}

function availabilityOf(current: EntraState, held: HeldMethods, policy: MethodAvailability): Availability {
  const methods = new Set<DefaultMethod>();
  const hasHardwareOath = held.usableHardwareTokens > 0;
  const hasSoftwareOath = current.softwareOath.length > 0;
  if (current.authenticators.length > 0) methods.add('push');
  if (hasHardwareOath || hasSoftwareOath) methods.add('oath');
  // A phone whose number Entra keeps against MFA Server's (a conflict) is not the number the
  // user's MFA Server default dialled: the default is never pointed at it, so nobody is called on
  // a number we could not confirm is theirs.
  const phoneUsable = (phone: PhoneType): boolean => held.phones.has(phone) && !held.conflictPhones.has(phone);
  if (phoneUsable('mobile')) {
    methods.add('sms');
    methods.add('voiceMobile');
  }
  if (phoneUsable('alternateMobile')) methods.add('voiceAlternateMobile');
  if (phoneUsable('office')) methods.add('voiceOffice');

  const disabled = new Set<DefaultMethod>();
  if (!policy.microsoftAuthenticator) disabled.add('push');
  // oath is usable when one OATH kind the user has (or, with none, any OATH kind) is allowed.
  const oathAllowed = hasHardwareOath || hasSoftwareOath ? (hasHardwareOath && policy.hardwareOath) || (hasSoftwareOath && policy.softwareOath) : policy.hardwareOath || policy.softwareOath;
  if (!oathAllowed) disabled.add('oath');
  if (!policy.sms) disabled.add('sms');
  if (!policy.voice) {
    disabled.add('voiceMobile');
    disabled.add('voiceAlternateMobile');
  }
  if (!policy.voice || !policy.voiceOffice) disabled.add('voiceOffice');
  return { held: methods, disabledByPolicy: disabled };
}

/**
 * The default methods a user may have set once the plan's writes are made: held and allowed by the
 * tenant's policy. Rollback asks it before setting a previous default back.
 */
export function usableDefaultMethods(current: EntraState, held: HeldMethods, policy: MethodAvailability): ReadonlySet<DefaultMethod> {
  const availability = availabilityOf(current, held, policy);
  return new Set([...availability.held].filter((method) => !availability.disabledByPolicy.has(method)));
}

function isUnset(value: string | null): boolean {
  return value === null || UNSET_VALUES.has(value.trim().toLowerCase());
}

function unavailableBecause(method: DefaultMethod, availability: Availability, held: HeldMethods): string {
  if (availability.held.has(method)) return 'the tenant\'s authentication methods policy disables it for the user';
  const phone = PHONE_OF[method];
  if (phone !== undefined && held.conflictPhones.has(phone)) {
    return `Entra holds a different ${PHONE_LABELS[phone]} number than MFA Server (a conflict kept with --phone-conflict keep), so the default is not pointed at it`;
  }
  switch (method) {
    case 'push':
      return 'Entra holds no Microsoft Authenticator registration for the user (Graph cannot create one)';
    case 'oath':
      return held.hardwareTokensAwaitingActivation > 0
        ? 'the hardware token awaits activation (--hardware-tokens import assigns it without activating it; the user activates it at https://aka.ms/mysecurityinfo, or run with --hardware-tokens import-and-activate)'
        : 'no hardware token is assigned or planned and Entra holds no OATH method for the user';
    case 'sms':
    case 'voiceMobile':
      return 'the user has no mobile phone in Entra and none is planned';
    case 'voiceAlternateMobile':
      return 'the user has no alternate mobile in Entra and none is planned';
    case 'voiceOffice':
      return 'the user has no office phone in Entra and none is planned';
  }
}

/**
 * Why a policy-disabled method matters for this user, or null when it does not: it is the method
 * MFA Server used, or the only use of something this plan writes (a phone, a hardware token).
 */
function disabledMethodMatters(method: DefaultMethod, requested: DefaultMethod | null, held: HeldMethods, disabledByPolicy: ReadonlySet<DefaultMethod>): string | null {
  if (method === requested) return 'it was the user\'s default method in MFA Server';
  if (method === 'oath') return held.assignedHardwareTokens > 0 ? 'it is the only use of the hardware token this run assigns' : null;
  const phone = PHONE_OF[method];
  if (phone === undefined || !held.writtenPhones.has(phone)) return null;
  const uses = DEFAULT_METHOD_STRENGTH.filter((other) => PHONE_OF[other] === phone);
  return uses.every((other) => disabledByPolicy.has(other)) ? `the ${PHONE_LABELS[phone]} this run writes cannot be used for anything else` : null;
}

export function planPreferredMethod(
  desired: DesiredState,
  current: EntraState,
  held: HeldMethods,
  policy: MethodAvailability,
  defaultMethodPolicy: DefaultMethodPolicy,
  prior: PriorWrites | null = null,
): PreferredMethodPlan {
  const { file, line } = desired;
  const at = `${file} line ${line}`;
  const who = desired.username;
  const findings: Finding[] = [];
  const requested = desired.requestedDefaultMethod;
  const availability = availabilityOf(current, held, policy);

  for (const method of DEFAULT_METHOD_STRENGTH) {
    // Only methods the user would otherwise have: a missing phone is reported by the fallback.
    if (!availability.disabledByPolicy.has(method) || !availability.held.has(method)) continue;
    const why = disabledMethodMatters(method, requested, held, availability.disabledByPolicy);
    if (why === null) continue;
    findings.push(
      finding(
        'METHOD_DISABLED_BY_POLICY',
        file,
        line,
        `${at}: ${method} is disabled for ${who} in the tenant's authentication methods policy, and ${why}; Entra will not offer it — enable it for the user's groups in Entra > Authentication methods > Policies, or accept the fallback.`,
      ),
    );
  }

  const mostSecureOnly = defaultMethodPolicy === 'most-secure-if-unset';
  const choice = chooseDefaultMethod(mostSecureOnly ? null : requested, availability.held, availability.disabledByPolicy);
  const preferences = current.signInPreferences;
  if (preferences === null) {
    if (choice.method !== null) {
      findings.push(
        finding(
          'PREFERRED_METHOD_UNREAD',
          file,
          line,
          `${at}: the sign-in preferences of ${who} could not be read from Graph, so the default method (${choice.method}) was not set — check that the app may read authentication methods and that Graph's beta endpoint is reachable, then run again, or set it by hand in Entra.`,
        ),
      );
    }
    return { operation: null, defaultMethod: null, findings };
  }

  const previous = preferences.userPreferredMethodForSecondaryAuthentication;
  const unset = isUnset(previous);
  const alreadySet = choice.method !== null && previous !== null && previous.trim().toLowerCase() === choice.method.toLowerCase();
  // R17: a default a run of ours set that is still the user's is ours to change, whatever the policy.
  const ours = prior?.defaultMethod ?? null;
  const oursStill = ours !== null && previous !== null && previous.trim().toLowerCase() === ours.value.toLowerCase();
  const decides = alreadySet || unset || defaultMethodPolicy === 'always' || oursStill;

  if (decides && choice.fellBack && requested !== null) {
    const instead = choice.method === null ? 'no default method can be set' : `${choice.method} becomes the default instead`;
    findings.push(
      finding(
        'DEFAULT_METHOD_FALLBACK',
        file,
        line,
        `${at}: the MFA Server default method of ${who} cannot become ${requested} in Entra, because ${unavailableBecause(requested, availability, held)} — ${instead}; the user can change it at https://aka.ms/mysecurityinfo.`,
      ),
    );
  }
  if (choice.method === null) return { operation: null, defaultMethod: null, findings };
  if (alreadySet) return { operation: null, defaultMethod: choice.method, findings };
  if (decides) {
    if (oursStill && !unset && defaultMethodPolicy !== 'always') {
      findings.push(
        finding(
          'PREFERRED_METHOD_UPDATED',
          file,
          line,
          `${at}: the default method of ${who} in Entra, ${previous}, is the one mfa-migrate run ${ours.runId} set and is unchanged since; the run now decides ${choice.method}, so it is updated — rollback of this run sets ${previous} back.`,
        ),
      );
    }
    return { operation: { kind: 'setPreferredMethod', target: choice.method, status: 'planned', previous }, defaultMethod: choice.method, findings };
  }
  const option = mostSecureOnly ? 'most-secure-if-unset' : 'if-unset';
  findings.push(
    finding(
      'PREFERRED_METHOD_KEPT',
      file,
      line,
      `${at}: Entra already has ${previous ?? 'a default method'} as the default method of ${who}, so ${choice.method} was not set (--default-method ${option}) — re-run with --default-method always to replace it, or the user changes it at https://aka.ms/mysecurityinfo.`,
    ),
  );
  return { operation: null, defaultMethod: null, findings };
}
