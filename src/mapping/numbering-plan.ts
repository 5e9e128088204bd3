/**
 * Phone number parsing and validation on libphonenumber-js's `max` metadata, with every regular
 * expression compiled once per country.
 *
 * Why not call `parsePhoneNumberFromString(...).isValid()` for every number: the library builds a
 * new RegExp from kilobyte-long pattern strings on every check, which caps it near 55,000 numbers
 * a second on our 2-core target — too slow for validate's 1,000,000 users in 45 s (docs/performance.md).
 * This module follows the library's algorithm step by step (the function names below match its
 * helpers in libphonenumber-js/source/helpers/) for inputs made of digits and an optional leading
 * `+`, and returns `undefined` where the library's own parser should decide (non-geographic
 * calling codes). test/unit/mapping/numbering-plan.test.ts checks both agree.
 */
import metadata from 'libphonenumber-js/max/metadata';

/** libphonenumber's bounds on a national significant number (constants.js). */
const MIN_NATIONAL_NUMBER_LENGTH = 2;
const MAX_NATIONAL_NUMBER_LENGTH = 17;
const MAX_CALLING_CODE_LENGTH = 3;

interface NumberType {
  readonly pattern: RegExp;
  /** null: no length list anywhere, so only the pattern decides. */
  readonly possibleLengths: readonly number[] | null;
}

/** The ten number types libphonenumber knows (FIXED_LINE … SHARED_COST, metadata.js getType()). */
const NUMBER_TYPE_COUNT = 10;

interface NumberingPlan {
  readonly country: string;
  readonly callingCode: string;
  readonly iddPrefix: RegExp | null;
  readonly nationalNumberPattern: RegExp;
  readonly possibleLengths: readonly number[] | null;
  readonly nationalPrefixForParsing: RegExp | null;
  readonly nationalPrefixTransformRule: string | null;
  readonly leadingDigits: RegExp | null;
  /** null when the metadata has no type patterns (validity then falls back to the national pattern). */
  readonly types: readonly NumberType[] | null;
}

/** A parsed number: what Graph needs (`+{callingCode} {nationalNumber}`) and whether it is valid. */
export interface ParsedPhoneNumber {
  readonly callingCode: string;
  /** ISO 3166 region when known (e.g. `JM` for +1 876…). */
  readonly country: string | null;
  readonly nationalNumber: string;
  readonly valid: boolean;
}

interface RawMetadata {
  readonly version: unknown;
  readonly country_calling_codes: Readonly<Record<string, readonly string[] | undefined>>;
  readonly countries: Readonly<Record<string, readonly unknown[] | undefined>>;
  readonly nonGeographic: Readonly<Record<string, unknown>>;
}

/**
 * The minified layout this module reads by array index. libphonenumber-js is pinned to an exact
 * version in package.json because that layout is internal to it
 * (docs/decisions.md "libphonenumber-js pinned to exactly 1.13.16"); a new layout stops here
 * rather than misreading numbers.
 */
const METADATA_LAYOUT_VERSION = 4;

const raw = metadata as unknown as RawMetadata;
if (raw.version !== METADATA_LAYOUT_VERSION) {
  throw new Error(`libphonenumber-js metadata layout ${String(raw.version)} is not the layout ${String(METADATA_LAYOUT_VERSION)} src/mapping/numbering-plan.ts reads: check the port against the new layout before upgrading the library.`);
}
const plans = new Map<string, NumberingPlan>();

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function numberArray(value: unknown): readonly number[] | null {
  return Array.isArray(value) && value.length > 0 ? (value as number[]) : null;
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function anchoredAtStart(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})`);
}

// Minified metadata layout (libphonenumber-js metadata.js, METADATA_LAYOUT_VERSION): 0 calling code, 1 IDD
// prefix, 2 national number pattern, 3 possible lengths, 5 national prefix, 7 national prefix for
// parsing, 8 transform rule, 10 leading digits, 11 types ([pattern, possibleLengths?] each).
function compilePlan(country: string): NumberingPlan {
  const entry = raw.countries[country];
  if (entry === undefined) throw new Error(`libphonenumber metadata has no country ${country}`);
  const possibleLengths = numberArray(entry[3]);
  const nationalPrefixForParsing = optionalString(entry[7]) ?? optionalString(entry[5]);
  const leadingDigits = optionalString(entry[10]);
  const iddPrefix = optionalString(entry[1]);
  const rawTypes = entry[11];
  let types: NumberType[] | null = null;
  if (Array.isArray(rawTypes) && rawTypes.length > 0) {
    types = [];
    for (const rawType of (rawTypes as unknown[]).slice(0, NUMBER_TYPE_COUNT)) {
      // An absent type, or an empty pattern (a duplicate removed from the metadata), never matches.
      if (!Array.isArray(rawType)) continue;
      const pattern = optionalString(rawType[0]);
      if (pattern === null) continue;
      types.push({ pattern: anchored(pattern), possibleLengths: numberArray(rawType[1]) ?? possibleLengths });
    }
  }
  return {
    country,
    callingCode: String(entry[0]),
    iddPrefix: iddPrefix === null ? null : anchoredAtStart(iddPrefix),
    nationalNumberPattern: anchored(String(entry[2])),
    possibleLengths,
    nationalPrefixForParsing: nationalPrefixForParsing === null ? null : anchoredAtStart(nationalPrefixForParsing),
    nationalPrefixTransformRule: optionalString(entry[8]),
    leadingDigits: leadingDigits === null ? null : anchoredAtStart(leadingDigits),
    types,
  };
}

function planFor(country: string): NumberingPlan {
  let plan = plans.get(country);
  if (plan === undefined) {
    plan = compilePlan(country);
    plans.set(country, plan);
  }
  return plan;
}

/** Countries sharing a calling code, main country first; undefined for unknown or non-geographic codes. */
function countriesFor(callingCode: string): readonly string[] | undefined {
  const countries = raw.country_calling_codes[callingCode];
  if (countries === undefined || countries.length === 0) return undefined;
  if (countries.length === 1 && countries[0]?.length === 3) return undefined; // '001'
  return countries;
}

/** The main ISO region of a calling code (`44` → `GB`), or null when it has none. */
export function mainCountryOf(callingCode: string): string | null {
  return countriesFor(callingCode)?.[0] ?? null;
}

/** Whether the calling code is a known geographic one (what Entra phone methods accept). */
export function isKnownCallingCode(callingCode: string): boolean {
  return countriesFor(callingCode) !== undefined;
}

function isNonGeographic(callingCode: string): boolean {
  return Object.hasOwn(raw.nonGeographic, callingCode);
}

function matchesType(nationalNumber: string, type: NumberType): boolean {
  if (type.possibleLengths !== null && !type.possibleLengths.includes(nationalNumber.length)) return false;
  return type.pattern.test(nationalNumber);
}

/** getNumberType() !== undefined, i.e. isValid() for a country with type patterns. */
function isValidFor(nationalNumber: string, plan: NumberingPlan): boolean {
  if (!plan.nationalNumberPattern.test(nationalNumber)) return false;
  if (plan.types === null) return true;
  for (const type of plan.types) {
    if (matchesType(nationalNumber, type)) return true;
  }
  return false;
}

function getCountryByCallingCode(callingCode: string, nationalNumber: string): string | undefined {
  const countries = countriesFor(callingCode);
  if (countries === undefined) return undefined;
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = planFor(country);
    if (plan.leadingDigits !== null) {
      if (nationalNumber !== '' && plan.leadingDigits.test(nationalNumber)) return country;
    } else if (isValidFor(nationalNumber, plan)) {
      return country;
    }
  }
  return undefined;
}

type LengthCheck = 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';

function checkNumberLength(nationalNumber: string, plan: NumberingPlan): LengthCheck {
  const lengths = plan.possibleLengths;
  if (lengths === null) return 'IS_POSSIBLE';
  const length = nationalNumber.length;
  const minimum = lengths[0] ?? 0;
  if (minimum === length) return 'IS_POSSIBLE';
  if (minimum > length) return 'TOO_SHORT';
  if ((lengths[lengths.length - 1] ?? 0) < length) return 'TOO_LONG';
  return lengths.includes(length) ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

function extractNationalNumberFromPossiblyIncompleteNumber(digits: string, plan: NumberingPlan): string {
  const prefixPattern = plan.nationalPrefixForParsing;
  if (digits === '' || prefixPattern === null) return digits;
  const match = prefixPattern.exec(digits);
  if (match === null) return digits;
  const capturedGroups = match.length - 1;
  const lastGroup = capturedGroups > 0 ? match[capturedGroups] : undefined;
  const hasCapturedGroups = lastGroup !== undefined && lastGroup !== '';
  if (plan.nationalPrefixTransformRule !== null && hasCapturedGroups) {
    return digits.replace(prefixPattern, plan.nationalPrefixTransformRule);
  }
  return digits.slice(match[0].length);
}

/** Strips a national (trunk) prefix such as `0` or `1` only when what remains still makes sense. */
function extractNationalNumber(digits: string, plan: NumberingPlan): string {
  const nationalNumber = extractNationalNumberFromPossiblyIncompleteNumber(digits, plan);
  if (nationalNumber === digits) return nationalNumber;
  if (plan.nationalNumberPattern.test(digits) && !plan.nationalNumberPattern.test(nationalNumber)) return digits;
  if (plan.possibleLengths !== null) {
    const country = getCountryByCallingCode(plan.callingCode, nationalNumber);
    const lengthPlan = country === undefined ? plan : planFor(country);
    const check = checkNumberLength(nationalNumber, lengthPlan);
    if (check === 'TOO_SHORT' || check === 'INVALID_LENGTH') return digits;
  }
  return nationalNumber;
}

/** `1 425 555 0100` typed in the US: the leading calling code without `+`. */
function extractCallingCodeWithoutPlusSign(digits: string, plan: NumberingPlan): string | null {
  if (!digits.startsWith(plan.callingCode)) return null;
  const shorter = digits.slice(plan.callingCode.length);
  const shorterNationalNumber = extractNationalNumber(shorter, plan);
  const nationalNumber = extractNationalNumber(digits, plan);
  if (
    (!plan.nationalNumberPattern.test(nationalNumber) && plan.nationalNumberPattern.test(shorterNationalNumber)) ||
    checkNumberLength(nationalNumber, plan) === 'TOO_LONG'
  ) {
    return shorter;
  }
  return null;
}

function stripIddPrefix(digits: string, plan: NumberingPlan): string | null {
  if (plan.iddPrefix === null) return null;
  const match = plan.iddPrefix.exec(digits);
  if (match === null || match[0] === '') return null;
  const rest = digits.slice(match[0].length);
  // A 0 right after the IDD prefix is not a calling code (stripIddPrefix.js).
  if (rest.startsWith('0')) return null;
  return rest;
}

const DIGITS_ONLY = /^\d*$/;

/**
 * Parses `digits` (ASCII digits, optionally with one leading `+`) dialled in `defaultCountry`'s
 * numbering plan. Returns `undefined` when the number uses a non-geographic calling code, for which
 * the caller falls back to libphonenumber's own parser; `null` when nothing can be parsed.
 */
export function parseDialledDigits(input: string, defaultCountry: string): ParsedPhoneNumber | null | undefined {
  const international = input.startsWith('+');
  const digits = international ? input.slice(1) : input;
  if (!DIGITS_ONLY.test(digits) || digits.length < MIN_NATIONAL_NUMBER_LENGTH) return null;

  const defaultPlan = planFor(defaultCountry);
  let internationalDigits: string | null = international ? digits : null;
  let callingCode: string | null = null;
  let number = digits;
  if (!international) {
    const withoutIdd = stripIddPrefix(digits, defaultPlan);
    if (withoutIdd !== null) {
      internationalDigits = withoutIdd;
    } else {
      const shorter = extractCallingCodeWithoutPlusSign(digits, defaultPlan);
      if (shorter !== null) {
        callingCode = defaultPlan.callingCode;
        number = shorter;
      }
    }
  }
  if (internationalDigits !== null) {
    if (internationalDigits.startsWith('0')) return null;
    callingCode = null;
    for (let length = 1; length <= MAX_CALLING_CODE_LENGTH && length <= internationalDigits.length; length++) {
      const candidate = internationalDigits.slice(0, length);
      if (isKnownCallingCode(candidate)) {
        callingCode = candidate;
        break;
      }
      if (isNonGeographic(candidate)) return undefined;
    }
    if (callingCode === null) return null;
    number = internationalDigits.slice(callingCode.length);
  }

  let country: string | undefined;
  let plan: NumberingPlan;
  if (callingCode === null) {
    country = defaultCountry;
    plan = defaultPlan;
    callingCode = plan.callingCode;
  } else {
    const main = mainCountryOf(callingCode);
    if (main === null) return undefined;
    plan = planFor(main);
  }
  if (number === '') return null;

  const nationalNumber = extractNationalNumber(number, plan);
  country = getCountryByCallingCode(callingCode, nationalNumber) ?? country;
  if (nationalNumber.length < MIN_NATIONAL_NUMBER_LENGTH || nationalNumber.length > MAX_NATIONAL_NUMBER_LENGTH) return null;

  const validityPlan = country === undefined ? plan : planFor(country);
  return {
    callingCode,
    country: country ?? null,
    nationalNumber,
    valid: isValidFor(nationalNumber, validityPlan),
  };
}
