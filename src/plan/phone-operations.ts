/**
 * Phones (R3–R5 against Entra): create what Entra lacks, leave what it already holds, and for a
 * different number either replace it or report the conflict (`--phone-conflict`). A number a run
 * of ours wrote that Entra still holds unchanged is ours to change (docs/design.md "R17 Ours to
 * change"): it follows the export whatever the policy. A phone Entra holds that mapping did not
 * plan is never touched. Graph: authentication-post-phonemethods.md,
 * phoneauthenticationmethod-update.md.
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { DesiredState, PhoneType } from '../mapping/desired-state.js';
import type { EntraState } from './entra-state.js';
import type { PhoneOperation } from './operations.js';
import type { PriorWrites } from './prior-writes.js';
import { isMaskedPhoneNumber, phoneNumbersMatch } from './phone-numbers.js';

export type PhoneConflictPolicy = 'keep' | 'overwrite';

/** Mobile first: Graph accepts an alternateMobile only beside a mobile (phoneauthenticationmethod.md). */
const PHONE_ORDER: readonly PhoneType[] = ['mobile', 'alternateMobile', 'office'];

const PHONE_LABELS: Readonly<Record<PhoneType, string>> = {
  mobile: 'mobile',
  alternateMobile: 'alternate mobile',
  office: 'office phone',
};

export interface PhonePlan {
  readonly operations: readonly PhoneOperation[];
  /** Phone types the user holds in Entra once the plan has run (planned, already there, or kept in a conflict). */
  readonly held: ReadonlySet<PhoneType>;
  /** Phone types this plan writes (createPhone or updatePhone). */
  readonly written: ReadonlySet<PhoneType>;
  /** Phone types where Entra holds a different number that `--phone-conflict keep` kept. */
  readonly conflicts: ReadonlySet<PhoneType>;
  readonly findings: readonly Finding[];
}

export function planPhoneOperations(desired: DesiredState, current: EntraState, policy: PhoneConflictPolicy, prior: PriorWrites | null = null): PhonePlan {
  const { file, line } = desired;
  const at = `${file} line ${line}`;
  const who = desired.username;
  const operations: PhoneOperation[] = [];
  const findings: Finding[] = [];
  const held = new Set<PhoneType>();
  const written = new Set<PhoneType>();
  const conflicts = new Set<PhoneType>();
  for (const phone of current.phones) held.add(phone.phoneType);

  for (const phoneType of PHONE_ORDER) {
    const phoneNumber = desired.phones[phoneType];
    if (phoneNumber === null) continue;
    const label = PHONE_LABELS[phoneType];
    const existing = current.phones.find((phone) => phone.phoneType === phoneType);

    if (existing === undefined) {
      if (phoneType === 'alternateMobile' && !held.has('mobile')) {
        findings.push(
          finding(
            'ALTERNATE_MOBILE_NEEDS_MOBILE',
            file,
            line,
            `${at}: alternate mobile ${phoneNumber} of ${who} was not migrated, because Entra accepts an alternate mobile only beside a mobile and the user has none — add a mobile for the user in MFA Server or in Entra and run again.`,
          ),
        );
        continue;
      }
      operations.push({ kind: 'createPhone', target: phoneType, status: 'planned', phoneNumber, previousPhoneNumber: null });
      held.add(phoneType);
      written.add(phoneType);
      continue;
    }

    const match = phoneNumbersMatch(phoneNumber, existing.phoneNumber);
    if (match === 'equal') continue;
    if (match === 'maskedMatch') {
      findings.push(
        finding(
          'PHONE_MASKED_UNVERIFIED',
          file,
          line,
          `${at}: Entra shows the ${label} of ${who} masked as ${existing.phoneNumber}; its visible digits match ${phoneNumber}, so it was left as it is — run plan with an account that sees unmasked numbers to compare the full number.`,
        ),
      );
      continue;
    }
    const ours = prior?.phones[phoneType];
    // Only a number proven unchanged is ours: a masked read could hide the user's own new number.
    if (ours !== undefined && phoneNumbersMatch(ours.value, existing.phoneNumber) === 'equal') {
      operations.push({ kind: 'updatePhone', target: phoneType, status: 'planned', phoneNumber, previousPhoneNumber: existing.phoneNumber });
      written.add(phoneType);
      findings.push(
        finding(
          'PHONE_UPDATED',
          file,
          line,
          `${at}: the ${label} of ${who} in Entra, ${existing.phoneNumber}, is the number mfa-migrate run ${ours.runId} wrote and is unchanged since; MFA Server now has ${phoneNumber}, so it is updated — rollback of this run puts ${existing.phoneNumber} back.`,
        ),
      );
      continue;
    }
    if (policy === 'overwrite') {
      operations.push({ kind: 'updatePhone', target: phoneType, status: 'planned', phoneNumber, previousPhoneNumber: existing.phoneNumber });
      written.add(phoneType);
      const restore = isMaskedPhoneNumber(existing.phoneNumber)
        ? 'Graph showed the old number masked, so rollback cannot restore it — note the full number from the Entra admin center first if it may be needed'
        : 'the old number is kept in the journal and rollback restores it';
      findings.push(
        finding(
          'PHONE_REPLACED',
          file,
          line,
          `${at}: the ${label} of ${who} in Entra, ${existing.phoneNumber}, is replaced by ${phoneNumber} from MFA Server (--phone-conflict overwrite) — ${restore}.`,
        ),
      );
      continue;
    }
    operations.push({ kind: 'phoneConflict', target: phoneType, status: 'conflict', phoneNumber, previousPhoneNumber: existing.phoneNumber });
    conflicts.add(phoneType);
    findings.push(
      finding(
        'PHONE_CONFLICT',
        file,
        line,
        `${at}: Entra already holds ${existing.phoneNumber} as the ${label} of ${who}, not ${phoneNumber} from MFA Server; Entra's number was kept (--phone-conflict keep) — confirm the right number with the user and correct it, or re-run with --phone-conflict overwrite.`,
      ),
    );
  }
  return { operations, held, written, conflicts, findings };
}
