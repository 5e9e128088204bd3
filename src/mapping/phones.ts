/**
 * Phone numbers as Graph wants them (R1, R2, R7; docs/design.md "Phone number format"):
 * `+{countryCode} {nationalNumber}`, no trunk prefix, no punctuation, `x{digits}` for an extension
 * — the format of phoneAuthenticationMethod.phoneNumber
 * (https://learn.microsoft.com/graph/api/resources/phoneauthenticationmethod).
 */
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { GraphPhoneNumber } from './desired-state.js';
import { isKnownCallingCode, mainCountryOf, parseDialledDigits } from './numbering-plan.js';
import type { ParsedPhoneNumber } from './numbering-plan.js';
import { OPT_IN_CALLING_CODES, OPT_IN_NANP_AREA_CODES } from './opt-in-regions.js';

export type GraphPhoneResult =
  | {
      readonly ok: true;
      readonly number: GraphPhoneNumber;
      readonly countryCallingCode: string;
      readonly nationalNumber: string;
      readonly extension: string | null;
      /** `calling code +44 (United Kingdom)` when Entra's regional opt-in list covers the number (R7). */
      readonly optInRegion: string | null;
    }
  | {
      readonly ok: false;
      readonly code: 'PHONE_INVALID' | 'PHONE_EXCEL_DAMAGED' | 'EXTENSION_UNSUPPORTED';
      /** A predicate to follow the quoted number in a message: `is not a valid number for country code 44 (GB)`. */
      readonly reason: string;
    };

/** A phone field split at its embedded extension (`425 555 0100 x123`). */
export interface SplitPhone {
  readonly number: string;
  /** The text after the marker, trimmed; may hold non-digits (R2 decides). null when none. */
  readonly extension: string | null;
}

/**
 * Where a number ends and an extension starts: `x`, `ext`, `ext.`, `extn`, `extension` or `#`
 * followed by the extension (`#` too, as libphonenumber reads it), or a dial-string pause
 * (`,` `;` `*`) whose digits Entra cannot dial.
 */
const EXTENSION_MARKER = /^(?:ext(?:ension|n)?\.?|x|#)\s*[:.]?\s*/i;
const DIAL_PAUSE = /^[,;*]/;
const FIRST_NON_NUMBER_CHARACTER = /[A-Za-z#,;*]/;

/** Splits an embedded extension off a phone field; the number part is returned trimmed. */
export function splitExtension(phone: string): SplitPhone {
  const at = phone.search(FIRST_NON_NUMBER_CHARACTER);
  if (at <= 0) return { number: phone.trim(), extension: null };
  const number = phone.slice(0, at).trim();
  const rest = phone.slice(at);
  const marker = EXTENSION_MARKER.exec(rest);
  if (marker !== null) {
    const extension = rest.slice(marker[0].length).trim();
    return { number, extension: extension === '' ? null : extension };
  }
  if (DIAL_PAUSE.test(rest)) return { number, extension: rest.trim() };
  // Letters that are not an extension marker: leave the whole field to the parser (R1 decides).
  return { number: phone.trim(), extension: null };
}

const PUNCTUATION = new Set([' ', '\t', '\u00a0', '(', ')', '[', ']', '.', '-', '/', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212']);

/** `+` and digits from a punctuated number, or null when it holds anything else (then libphonenumber parses it). */
function dialledDigits(number: string): string | null {
  let digits = '';
  for (const character of number) {
    if (character >= '0' && character <= '9') {
      digits += character;
    } else if (character === '+') {
      if (digits !== '') return null;
      digits = '+';
    } else if (!PUNCTUATION.has(character)) {
      return null;
    }
  }
  return digits;
}

function parseWithLibrary(number: string, defaultCountry: string): ParsedPhoneNumber | null {
  if (!isSupportedCountry(defaultCountry)) return null;
  const parsed = parsePhoneNumberFromString(number, { defaultCountry });
  if (parsed === undefined) return null;
  return {
    callingCode: parsed.countryCallingCode,
    country: parsed.country ?? null,
    nationalNumber: parsed.nationalNumber,
    valid: parsed.isValid(),
  };
}

function optInRegionOf(callingCode: string, nationalNumber: string): string | null {
  if (callingCode === '1') {
    const areaCode = nationalNumber.slice(0, 3);
    const region = OPT_IN_NANP_AREA_CODES.get(areaCode);
    return region === undefined ? null : `area code +1 ${areaCode} (${region})`;
  }
  const region = OPT_IN_CALLING_CODES.get(callingCode);
  return region === undefined ? null : `calling code +${callingCode} (${region})`;
}

const DIGITS = /^\d+$/;

/**
 * Normalises one MFA Server phone to Graph's format (R1, R2, R7). The row's country code is used,
 * else `defaultCountryCode`; a `+`-prefixed number is international whatever the column says. An
 * extension comes from the `extension` argument, else from the number itself (`x123`, `ext. 123`,
 * `#123`); anything but digits in it is EXTENSION_UNSUPPORTED. Validity is libphonenumber's
 * `isValid()` for the number's country (max metadata).
 */
/**
 * A number Excel stored as a number and wrote back in scientific notation (`4.47911E+11`): the
 * digits after the sixth or so are gone, so it cannot be repaired, only exported again.
 */
const EXCEL_SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?E\+?\d+$/i;

export function toGraphPhone(countryCode: string | null, phone: string, extension: string | null, defaultCountryCode: string): GraphPhoneResult {
  if (EXCEL_SCIENTIFIC.test(phone.trim())) {
    return { ok: false, code: 'PHONE_EXCEL_DAMAGED', reason: 'was turned into a number in scientific notation by Excel, which dropped its last digits' };
  }
  const callingCode = countryCode ?? defaultCountryCode;
  const split = splitExtension(phone);
  const columnExtension = extension === null ? '' : extension.trim().replace(EXTENSION_MARKER, '');
  // The extension column wins over one embedded in the number.
  const rawExtension = columnExtension === '' ? split.extension : columnExtension;
  const digits = dialledDigits(split.number);
  const international = digits?.startsWith('+') ?? split.number.startsWith('+');
  const defaultCountry = mainCountryOf(callingCode);
  if (defaultCountry === null && !international) {
    return { ok: false, code: 'PHONE_INVALID', reason: `has country code ${callingCode}, which is not a country calling code` };
  }
  // A +-prefixed number names its own country; the main region of +1 only seeds the parser.
  const parserCountry = defaultCountry ?? 'US';
  const parsed = digits === null ? parseWithLibrary(split.number, parserCountry) : (parseDialledDigits(digits, parserCountry) ?? parseWithLibrary(digits, parserCountry));
  if (parsed?.valid === true && !isKnownCallingCode(parsed.callingCode)) {
    return { ok: false, code: 'PHONE_INVALID', reason: `is a non-geographic +${parsed.callingCode} number, which Entra does not call or text` };
  }
  if (parsed === null || !parsed.valid) {
    const stated = international ? 'is not a valid international number' : `is not a valid number for country code ${callingCode} (${defaultCountry ?? '?'})`;
    return { ok: false, code: 'PHONE_INVALID', reason: stated };
  }
  if (rawExtension !== null && !DIGITS.test(rawExtension)) {
    return { ok: false, code: 'EXTENSION_UNSUPPORTED', reason: `has extension "${rawExtension}", which holds characters other than digits` };
  }
  const base = `+${parsed.callingCode} ${parsed.nationalNumber}`;
  return {
    ok: true,
    number: rawExtension === null ? base : `${base}x${rawExtension}`,
    countryCallingCode: parsed.callingCode,
    nationalNumber: parsed.nationalNumber,
    extension: rawExtension,
    optInRegion: optInRegionOf(parsed.callingCode, parsed.nationalNumber),
  };
}
