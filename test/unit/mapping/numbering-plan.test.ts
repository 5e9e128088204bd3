import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parseDialledDigits } from '../../../src/mapping/numbering-plan.js';

/** What libphonenumber-js itself says: the oracle our compiled port must agree with. */
function libraryVerdict(input: string, country: CountryCode): string {
  const parsed = parsePhoneNumberFromString(input, { defaultCountry: country });
  if (parsed?.isValid() !== true) return 'invalid';
  return `+${parsed.countryCallingCode} ${parsed.nationalNumber}`;
}

function portVerdict(input: string, country: CountryCode): string | undefined {
  const parsed = parseDialledDigits(input, country);
  if (parsed === undefined) return undefined; // non-geographic: the caller delegates to the library
  if (parsed?.valid !== true) return 'invalid';
  return `+${parsed.callingCode} ${parsed.nationalNumber}`;
}

function expectAgreement(input: string, country: CountryCode): void {
  const port = portVerdict(input, country);
  if (port === undefined) return;
  expect({ input, country, verdict: port }).toEqual({ input, country, verdict: libraryVerdict(input, country) });
}

const countries = getCountries();

function exampleOf(country: CountryCode): string {
  return examples[country];
}

describe('numbering plan port of libphonenumber-js', () => {
  it('agrees with libphonenumber on every country example in national, trunk, international and IDD forms', () => {
    for (const country of countries) {
      const national = exampleOf(country);
      const callingCode = getCountryCallingCode(country);
      for (const dialled of [national, `0${national}`, `1${national}`, `8${national}`, `+${callingCode}${national}`, `${callingCode}${national}`, `00${callingCode}${national}`, `011${callingCode}${national}`, `+${callingCode}0${national}`]) {
        for (const defaultCountry of [country, 'US', 'GB', 'DE'] as const) {
          expectAgreement(dialled, defaultCountry);
        }
      }
    }
  });

  it('agrees with libphonenumber on mutated numbers (property)', () => {
    const countryArbitrary = fc.constantFrom(...countries);
    fc.assert(
      fc.property(
        countryArbitrary,
        countryArbitrary,
        fc.constantFrom('', '+', '0', '00', '1', '8', '011'),
        fc.array(fc.tuple(fc.nat(20), fc.integer({ min: 0, max: 10 })), { maxLength: 3 }),
        (numberCountry, defaultCountry, prefix, mutations) => {
          let digits = exampleOf(numberCountry);
          if (prefix === '+' || prefix === '00' || prefix === '011') digits = `${getCountryCallingCode(numberCountry)}${digits}`;
          for (const [position, digit] of mutations) {
            const at = position % (digits.length + 1);
            // 10 deletes a digit; 0–9 replaces (or appends at the end).
            digits = digit === 10 ? digits.slice(0, at) + digits.slice(at + 1) : digits.slice(0, at) + String(digit) + digits.slice(at + 1);
          }
          expectAgreement(`${prefix}${digits}`, defaultCountry);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees with libphonenumber on random digit strings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...countries), fc.boolean(), fc.stringMatching(/^\d{2,17}$/), (country, plus, digits) => {
        expectAgreement(`${plus ? '+' : ''}${digits}`, country);
      }),
      { numRuns: 20_000 },
    );
  });
});
