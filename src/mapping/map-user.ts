/**
 * The whole per-user mapping (docs/design.md "Mapping rules"): one SourceUser and what is known
 * around it → the DesiredState that validate, plan, apply and the reports share. Pure: no I/O, no
 * clock.
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { SourceDevice, SourceMethod, SourceMode, SourceToken, SourceUser } from '../source/records.js';
import { chooseDefaultMethod } from './default-method.js';
import type { DefaultMethod, DesiredDevice, DesiredHardwareToken, DesiredPhones, DesiredState, MappingOptions, MatchKeys, PhoneType, UserStatus } from './desired-state.js';
import { MAX_AUTHENTICATOR_DEVICES, planDevices } from './devices.js';
import { planHardwareTokens } from './hardware-tokens.js';
import { planPhones } from './phone-slots.js';
import { resolveUpn } from './usernames.js';

export interface UserContext {
  /** Device rows whose userKey equals this user's. */
  readonly devices: readonly SourceDevice[];
  /** Seed rows for this user's oathTokenSerial (or naming the user in the tokens file); [] when none. */
  readonly tokens: readonly SourceToken[];
  /** false → a serial yields TOKEN_SEED_MISSING with a message saying no --tokens file was given. */
  readonly tokensFileGiven: boolean;
  /** R13: another user claims this user's oathTokenSerial. */
  readonly serialConflict: { readonly otherUsername: string; readonly otherLine: number } | null;
  /** R15: an earlier row had this username. */
  readonly duplicateOf: { readonly line: number } | null;
  /**
   * null = offline (validate): no DEVICE_REREGISTRATION_REQUIRED, registration `unknown`; a set =
   * lower-cased display names of the user's Authenticator registrations in Entra.
   */
  readonly existingAuthenticatorNames: ReadonlySet<string> | null;
  /** Methods the tenant's authentication methods policy disables (R9); empty offline. */
  readonly disabledByPolicy: ReadonlySet<DefaultMethod>;
}

const NO_PHONES: DesiredPhones = { mobile: null, alternateMobile: null, office: null };

const METHOD_LABELS: Readonly<Record<SourceMethod, string>> = {
  phoneCall: 'Phone call',
  textMessage: 'Text message',
  mobileApp: 'Mobile app',
  oathToken: 'OATH token',
};

/** Reader findings that mean the row's values cannot be trusted (the catalogue: "the row was not used"). */
const UNUSABLE_ROW_CODES: ReadonlySet<string> = new Set(['BYTES_UNDECODABLE', 'ROW_INVALID']);

/** What every method rule decided, before the status is known. */
interface MethodPlan {
  readonly phones: DesiredPhones;
  readonly primarySlot: PhoneType | null;
  readonly devices: readonly DesiredDevice[];
  readonly keptDevices: number;
  readonly hardwareTokens: readonly DesiredHardwareToken[];
  /** R1, R2, R13 findings, device findings: everything about the methods themselves. */
  readonly findings: readonly Finding[];
}

function planMethods(user: SourceUser, context: UserContext, options: MappingOptions): MethodPlan {
  const phonePlan = planPhones(user, options.defaultCountryCode);
  const tokenPlan = planHardwareTokens(user, context, options.hardwareTokens, options.tokenSecretEncoding);
  // Entra counts Authenticator instances and hardware tokens against one per-user limit (R12).
  const maxDevices = Math.max(0, MAX_AUTHENTICATOR_DEVICES - tokenPlan.tokens.length);
  const devicePlan = planDevices(context.devices, maxDevices, context.existingAuthenticatorNames, user.username);
  const findings: Finding[] = [...phonePlan.findings, ...tokenPlan.findings];
  for (const device of context.devices) findings.push(...device.findings);
  findings.push(...devicePlan.findings);
  return {
    phones: phonePlan.phones,
    primarySlot: phonePlan.primarySlot,
    devices: devicePlan.devices,
    keptDevices: devicePlan.keptCount,
    hardwareTokens: tokenPlan.tokens,
    findings,
  };
}

function pinModeFinding(user: SourceUser): Finding | null {
  const modes: string[] = [];
  const describe = (method: string, mode: SourceMode | null): void => {
    if (mode === 'pin') modes.push(`${method} PIN`);
    else if (mode === 'otpPin') modes.push(`${method} OTP + PIN`);
  };
  describe('phone call', user.phoneCallMode);
  describe('text message', user.textMessageMode);
  describe('mobile app', user.mobileAppMode);
  if (modes.length === 0) return null;
  const { file, line } = user;
  const named = modes.length === 1 ? `mode ${modes[0] ?? ''} has` : `modes ${modes.join(' and ')} have`;
  return finding(
    'PIN_MODE_NOT_MIGRATED',
    file,
    line,
    `${file} line ${line}: MFA Server ${named} no per-user equivalent in Entra and ${modes.length === 1 ? 'is' : 'are'} not migrated — require number matching and additional context in the Microsoft Authenticator policy instead; users no longer enter a PIN.`,
  );
}

function requestedMethod(method: SourceMethod | null, primarySlot: PhoneType | null): DefaultMethod | null {
  switch (method) {
    case null:
      return null;
    case 'phoneCall':
      return primarySlot === 'office' ? 'voiceOffice' : 'voiceMobile';
    case 'textMessage':
      return 'sms';
    case 'mobileApp':
      return 'push';
    case 'oathToken':
      return 'oath';
  }
}

function availableMethods(plan: MethodPlan, context: UserContext, requested: DefaultMethod | null): Set<DefaultMethod> {
  const available = new Set<DefaultMethod>();
  // Offline nothing says whether Entra holds an Authenticator, so a requested push stays planned
  // (docs/design.md "R8 Default method") and devices in the export count; online it takes a
  // registration in Entra.
  const push = context.existingAuthenticatorNames === null ? requested === 'push' || plan.keptDevices > 0 : context.existingAuthenticatorNames.size > 0;
  if (push) available.add('push');
  if (plan.hardwareTokens.length > 0) available.add('oath');
  if (plan.phones.mobile !== null) {
    available.add('sms');
    available.add('voiceMobile');
  }
  if (plan.phones.alternateMobile !== null) available.add('voiceAlternateMobile');
  if (plan.phones.office !== null) available.add('voiceOffice');
  return available;
}

function unavailableBecause(requested: DefaultMethod, disabledByPolicy: ReadonlySet<DefaultMethod>): string {
  if (disabledByPolicy.has(requested)) return 'it is disabled in the tenant\'s authentication methods policy';
  switch (requested) {
    case 'push':
      return 'Entra holds no Microsoft Authenticator registration for the user';
    case 'oath':
      return 'no hardware token is planned';
    case 'sms':
    case 'voiceMobile':
      return 'no mobile phone is planned';
    case 'voiceAlternateMobile':
      return 'no alternate mobile phone is planned';
    case 'voiceOffice':
      return 'no office phone is planned';
  }
}

/** "First Last" from the export, as people are addressed; null when the export names neither. */
export function exportDisplayName(user: Pick<SourceUser, 'firstName' | 'lastName'>): string | null {
  const name = [user.firstName, user.lastName].map((part) => part?.trim() ?? '').filter((part) => part !== '').join(' ');
  return name === '' ? null : name;
}

function matchKeysOf(user: SourceUser, samAccountName: string | null): MatchKeys {
  return { samAccountName, email: user.email, sid: user.sid, objectGuid: user.objectGuid };
}

function notMigrated(user: SourceUser, upn: string | null, samAccountName: string | null, status: UserStatus, issues: readonly Finding[]): DesiredState {
  return {
    username: user.username,
    upn,
    displayName: exportDisplayName(user),
    file: user.file,
    line: user.line,
    status,
    phones: NO_PHONES,
    requestedDefaultMethod: null,
    defaultMethod: null,
    devices: [],
    hardwareTokens: [],
    matchKeys: matchKeysOf(user, samAccountName),
    issues,
  };
}

/** Errors of the method rules, reported with a rejection so the admin can fix the row in one pass. */
function methodErrors(user: SourceUser, context: UserContext, options: MappingOptions): Finding[] {
  return planMethods(user, context, options).findings.filter((item) => item.severity === 'error');
}

/**
 * Maps one user (R1–R16). Status is `rejected` for a row without a username (R16), a
 * repeated username (R15), an unresolvable one (R14), an unreadable row, or a row whose methods
 * all failed with errors and left nothing to plan; `skipped` for a disabled user (R11) unless
 * `includeDisabled`; else `ready`. Rejected and skipped users plan nothing but keep their findings.
 */
export function mapUser(user: SourceUser, context: UserContext, options: MappingOptions): DesiredState {
  const { file, line } = user;
  const at = `${file} line ${line}`;
  const issues: Finding[] = [...user.findings];

  // R16
  if (user.username.trim() === '') {
    if (!issues.some((item) => item.code === 'ROW_INVALID')) {
      issues.push(finding('ROW_INVALID', file, line, `${at}: the row has no username — add the user's UPN, DOMAIN\\sam or sam to the row in the export and run again; nothing was migrated for it.`));
    }
    return notMigrated(user, null, null, 'rejected', [...issues, ...methodErrors(user, context, options)]);
  }
  if (issues.some((item) => UNUSABLE_ROW_CODES.has(item.code))) {
    return notMigrated(user, null, null, 'rejected', issues);
  }

  const resolution = resolveUpn(user.username, options.upnSuffix);
  const upn = resolution.ok ? resolution.upn : null;
  const samAccountName = resolution.ok ? resolution.samAccountName : null;

  // R15
  if (context.duplicateOf !== null) {
    const first = context.duplicateOf.line;
    issues.push(
      finding(
        'DUPLICATE_USER',
        file,
        line,
        `${at}: username "${user.username}" repeats line ${first} (usernames compare case-insensitively) — the first row is kept; remove this row from the export or merge it into line ${first}.`,
      ),
    );
    return notMigrated(user, upn, samAccountName, 'rejected', issues);
  }

  // R11
  if (!user.enabled && !options.includeDisabled) {
    issues.push(finding('USER_DISABLED', file, line, `${at}: user ${user.username} is disabled in MFA Server and was not migrated — re-run with --include-disabled to migrate disabled users too.`));
    return notMigrated(user, upn, samAccountName, 'skipped', issues);
  }

  // R14
  if (!resolution.ok) {
    issues.push(
      finding(
        'USERNAME_UNRESOLVABLE',
        file,
        line,
        `${at}: username "${user.username}" ${resolution.reason} — re-run with --upn-suffix contoso.com (your UPN suffix), or fix the username in the export; the user was not migrated.`,
      ),
    );
    return notMigrated(user, null, null, 'rejected', [...issues, ...methodErrors(user, context, options)]);
  }

  const plan = planMethods(user, context, options);
  issues.push(...plan.findings);
  const pinMode = pinModeFinding(user);
  if (pinMode !== null) issues.push(pinMode);

  const { phones } = plan;
  const somethingPlanned = phones.mobile !== null || phones.alternateMobile !== null || phones.office !== null || plan.keptDevices > 0 || plan.hardwareTokens.length > 0;
  if (!somethingPlanned && plan.findings.some((item) => item.severity === 'error')) {
    return notMigrated(user, upn, samAccountName, 'rejected', issues);
  }
  if (!somethingPlanned) {
    issues.push(
      finding(
        'NOTHING_TO_MIGRATE',
        file,
        line,
        `${at}: user ${user.username} has no phone, device or hardware token that can be migrated — the user must register a method in Entra at https://aka.ms/mysecurityinfo.`,
      ),
    );
  }

  // R8, R9
  const requested = requestedMethod(user.method, plan.primarySlot);
  const choice = chooseDefaultMethod(requested, availableMethods(plan, context, requested), context.disabledByPolicy);
  if (choice.disabled.length > 0) {
    const names = choice.disabled.join(', ');
    issues.push(
      finding(
        'METHOD_DISABLED_BY_POLICY',
        file,
        line,
        `${at}: ${names} ${choice.disabled.length === 1 ? 'is' : 'are'} disabled in the tenant's authentication methods policy, so Entra will not offer ${choice.disabled.length === 1 ? 'it' : 'them'} to ${user.username} — enable ${choice.disabled.length === 1 ? 'it' : 'them'} for these users in Entra > Authentication methods > Policies, or accept the fallback.`,
      ),
    );
  }
  if (choice.fellBack && requested !== null && user.method !== null && somethingPlanned) {
    const instead = choice.method === null ? 'no default method can be set' : `${choice.method} becomes the default instead`;
    issues.push(
      finding(
        'DEFAULT_METHOD_FALLBACK',
        file,
        line,
        `${at}: default method "${METHOD_LABELS[user.method]}" cannot become ${requested} for ${user.username}, because ${unavailableBecause(requested, context.disabledByPolicy)} — ${instead}; the user can change it at https://aka.ms/mysecurityinfo.`,
      ),
    );
  }

  return {
    username: user.username,
    upn,
    displayName: exportDisplayName(user),
    file,
    line,
    status: 'ready',
    phones,
    requestedDefaultMethod: requested,
    defaultMethod: choice.method,
    devices: plan.devices,
    hardwareTokens: plan.hardwareTokens,
    matchKeys: matchKeysOf(user, samAccountName),
    issues,
  };
}
