/**
 * Which Graph phone slot each MFA Server phone lands in (R1–R7). Graph holds at most one phone
 * per type, and `alternateMobile` only beside a `mobile`
 * (https://learn.microsoft.com/graph/api/authentication-post-phonemethods).
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { SourceUser } from '../source/records.js';
import type { DesiredPhones, GraphPhoneNumber, PhoneType } from './desired-state.js';
import { splitExtension, toGraphPhone } from './phones.js';
import type { GraphPhoneResult } from './phones.js';

export interface PhonePlan {
  readonly phones: DesiredPhones;
  /** Where the primary phone landed (R8 Phone call); null when it was not planned. */
  readonly primarySlot: PhoneType | null;
  readonly findings: readonly Finding[];
}

const NO_PHONES: DesiredPhones = { mobile: null, alternateMobile: null, office: null };

const SLOT_NAMES: Readonly<Record<PhoneType, string>> = { mobile: 'mobile', alternateMobile: 'alternate mobile', office: 'office' };

function hasText(value: string | null): value is string {
  return value !== null && value.trim() !== '';
}

/**
 * Plans the primary and backup phones: R1/R2 errors, R3 primary slot (Text message drops an
 * extension), R4 backup slot, R5 promotion, R6 duplicates, R7 opt-in regions. The backup uses its
 * own country code, else the primary's, else the default.
 */
export function planPhones(user: SourceUser, defaultCountryCode: string): PhonePlan {
  const { file, line } = user;
  const at = `${file} line ${line}`;
  const findings: Finding[] = [];
  const slots: { mobile: GraphPhoneNumber | null; alternateMobile: GraphPhoneNumber | null; office: GraphPhoneNumber | null } = { ...NO_PHONES };
  const opted: { label: string; raw: string; slot: PhoneType; number: GraphPhoneNumber; region: string }[] = [];
  let primarySlot: PhoneType | null = null;
  let primaryNumber: GraphPhoneNumber | null = null;

  const failed = (label: string, raw: string, result: Extract<GraphPhoneResult, { ok: false }>): void => {
    const remedy =
      result.code === 'PHONE_INVALID'
        ? 'fix it in MFA Server or leave it out'
        : result.code === 'PHONE_EXCEL_DAMAGED'
          ? 'export the users again and do not save the file from Excel, or open it with Data > From Text/CSV and set the phone columns to Text before saving'
          : 'give the user a direct number, or set the office phone by hand in Entra';
    findings.push(finding(result.code, file, line, `${at}: ${label} "${raw}" ${result.reason} — ${remedy}; the user's other methods were kept.`));
  };

  if (hasText(user.phone)) {
    const raw = user.phone.trim();
    if (user.method === 'textMessage') {
      // R3 exception: a text needs a mobile, so the extension is dropped and the number is the mobile.
      const split = splitExtension(raw);
      const dropped = hasText(user.extension) ? user.extension.trim() : split.extension;
      const result = toGraphPhone(user.countryCode, split.number, null, defaultCountryCode);
      if (result.ok) {
        slots.mobile = result.number;
        primarySlot = 'mobile';
        primaryNumber = result.number;
        if (result.optInRegion !== null) opted.push({ label: 'phone', raw, slot: 'mobile', number: result.number, region: result.optInRegion });
        if (dropped !== null) {
          findings.push(
            finding(
              'EXTENSION_DROPPED',
              file,
              line,
              `${at}: phone "${raw}" has extension "${dropped}", but the default method is Text message, so the number becomes the mobile phone ${result.number} without it — nothing to do if it is a mobile; otherwise correct it in MFA Server.`,
            ),
          );
        }
      } else {
        failed('phone', raw, result);
      }
    } else {
      const result = toGraphPhone(user.countryCode, raw, user.extension, defaultCountryCode);
      if (result.ok) {
        primarySlot = result.extension === null ? 'mobile' : 'office';
        slots[primarySlot] = result.number;
        primaryNumber = result.number;
        if (result.optInRegion !== null) opted.push({ label: 'phone', raw, slot: primarySlot, number: result.number, region: result.optInRegion });
      } else {
        failed('phone', raw, result);
      }
    }
  }

  if (hasText(user.backupPhone)) {
    const raw = user.backupPhone.trim();
    const result = toGraphPhone(user.backupCountryCode ?? user.countryCode, raw, user.backupExtension, defaultCountryCode);
    if (!result.ok) {
      failed('backup phone', raw, result);
    } else if (result.number === primaryNumber) {
      findings.push(finding('DUPLICATE_PHONE', file, line, `${at}: backup phone "${raw}" is the primary phone again (${result.number}) — it is migrated once; nothing to do.`));
    } else if (result.extension !== null) {
      if (slots.office === null) {
        slots.office = result.number;
        if (result.optInRegion !== null) opted.push({ label: 'backup phone', raw, slot: 'office', number: result.number, region: result.optInRegion });
      } else {
        findings.push(
          finding(
            'BACKUP_PHONE_SKIPPED',
            file,
            line,
            `${at}: backup phone "${raw}" has an extension, but the office phone is already the primary phone ${slots.office} — Entra holds one office phone per user; add the backup by hand if the user needs it.`,
          ),
        );
      }
    } else if (slots.mobile === null) {
      slots.mobile = result.number;
      if (result.optInRegion !== null) opted.push({ label: 'backup phone', raw, slot: 'mobile', number: result.number, region: result.optInRegion });
      findings.push(
        finding(
          'BACKUP_PROMOTED_TO_MOBILE',
          file,
          line,
          `${at}: backup phone "${raw}" becomes the mobile phone ${result.number}, because no primary mobile is planned and Entra allows an alternate mobile only beside a mobile — tell the user their backup phone is now their mobile method.`,
        ),
      );
    } else {
      slots.alternateMobile = result.number;
      if (result.optInRegion !== null) opted.push({ label: 'backup phone', raw, slot: 'alternateMobile', number: result.number, region: result.optInRegion });
    }
  }

  for (const phone of opted) {
    findings.push(
      finding(
        'PHONE_REGION_OPT_IN',
        file,
        line,
        `${at}: ${phone.label} "${phone.raw}" (${SLOT_NAMES[phone.slot]} ${phone.number}) is in ${phone.region}, which Entra calls and texts only after the tenant opts in — ask Microsoft support to opt the tenant in before cutover, or the user cannot receive calls or texts.`,
      ),
    );
  }
  return { phones: slots, primarySlot, findings };
}
