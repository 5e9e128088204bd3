/**
 * Comparing the number mapping wants with the number Graph returned
 * (docs/design.md "Masked numbers"). Graph shows delegated authentication administrators masked
 * numbers ("The authentication administrator only sees masked phone numbers",
 * api-reference/v1.0/api/authentication-list-methods.md); which digits stay visible is not
 * documented, so any run of mask characters stands for one or more unknown digits and only the
 * country code, the visible digits and the extension are compared.
 */
import type { GraphPhoneNumber } from '../mapping/desired-state.js';

export type PhoneNumberMatch = 'equal' | 'different' | 'maskedMatch';

/** Characters Graph or a report may use to hide a digit. Lower-case `x` counts only in a run. */
const MASK_CHARACTER = /[X*•●∗]|x(?=[x*•●∗])|(?<=[x*•●∗])x/gu;

/**
 * An extension at the end: `x123`, `ext 123`, `ext. 123`, `extension 123`, `;ext=123`. The marker
 * must follow a digit, space or punctuation, so the tail of a mask run (`XXXXXXXX00`) is not one.
 */
const EXTENSION = /^(.*[\d\s).-])\s*(?:;ext=|ext(?:ension)?\.?|x)\s*(\d+)$/iu;

/** Separators people and systems put between digits. */
const SEPARATORS = /[\s().\-/]/gu;

/** Internal placeholder for one masked run. */
const MASK_RUN = '?';

interface ParsedPhoneNumber {
  /** Digits of the country code when the number separates it (`+44 7700…`); null otherwise. */
  readonly countryCode: string | null;
  /** `+` present: `digits` then holds country code and national number when countryCode is null. */
  readonly international: boolean;
  /** Digits, with each masked run collapsed to MASK_RUN. */
  readonly digits: string;
  readonly extension: string | null;
}

function parsePhoneNumber(text: string): ParsedPhoneNumber | null {
  let rest = text.normalize('NFKC').trim();
  let extension: string | null = null;
  const withExtension = EXTENSION.exec(rest);
  if (withExtension !== null) {
    rest = withExtension[1] ?? '';
    extension = withExtension[2] ?? null;
  }
  rest = rest.trim();
  let countryCode: string | null = null;
  const international = rest.startsWith('+');
  if (international) {
    rest = rest.slice(1);
    const separated = /^(\d{1,3})[\s().\-/]+(.*)$/u.exec(rest);
    if (separated !== null) {
      countryCode = separated[1] ?? null;
      rest = separated[2] ?? '';
    }
  }
  const digits = rest.replace(SEPARATORS, '').replace(MASK_CHARACTER, MASK_RUN).replace(/\?+/gu, MASK_RUN);
  if (!/^[\d?]+$/u.test(digits)) return null;
  return { countryCode, international, digits, extension };
}

/** Whether Graph returned the number masked (some digits hidden), so it cannot be restored from what was read. */
export function isMaskedPhoneNumber(read: string): boolean {
  return parsePhoneNumber(read)?.digits.includes(MASK_RUN) ?? false;
}

function patternMatches(pattern: string, digits: string): boolean {
  // Parts are digits only, so they need no escaping.
  return new RegExp(`^${pattern.split(MASK_RUN).join('\\d+')}$`, 'u').test(digits);
}

/**
 * Compares the number mapping planned (Graph's `+{cc} {national}[x{ext}]`) with a number as Graph
 * returned it, after removing spaces and punctuation and reading `x`/`ext` extensions. `maskedMatch`:
 * the read number is masked and everything visible agrees — not a conflict, but not proven equal.
 * A read number that cannot be parsed at all is `different`.
 */
export function phoneNumbersMatch(desired: GraphPhoneNumber, read: string): PhoneNumberMatch {
  const planned = parsePhoneNumber(desired);
  const current = parsePhoneNumber(read);
  if (planned === null || current === null) return desired.trim() === read.trim() ? 'equal' : 'different';
  if (planned.extension !== current.extension) return 'different';

  const plannedFull = `${planned.countryCode ?? ''}${planned.digits}`;
  let matches: boolean;
  if (current.international) {
    const sameCountry = current.countryCode === null || planned.countryCode === null || current.countryCode === planned.countryCode;
    matches = sameCountry && patternMatches(`${current.countryCode ?? ''}${current.digits}`, plannedFull);
  } else {
    // No `+`: the read number may be national, or international without the plus.
    matches = patternMatches(current.digits, planned.digits) || patternMatches(current.digits, plannedFull);
  }
  if (!matches) return 'different';
  return current.digits.includes(MASK_RUN) ? 'maskedMatch' : 'equal';
}
