import { describe, expect, it } from 'vitest';
import { maskPhoneNumber } from '../../../src/emulator/routes/method-json.js';
import { isMaskedPhoneNumber, phoneNumbersMatch } from '../../../src/plan/phone-numbers.js';

describe('phone numbers read from Graph', () => {
  it('equal numbers in Graph\'s own format are equal', () => {
    expect(phoneNumbersMatch('+1 4255550100', '+1 4255550100')).toBe('equal');
    expect(phoneNumbersMatch('+1 4255550100x123', '+1 4255550100x123')).toBe('equal');
  });

  it('spaces, punctuation and a missing country-code separator do not make a difference', () => {
    expect(phoneNumbersMatch('+1 4255550100', '+1 (425) 555-0100')).toBe('equal');
    expect(phoneNumbersMatch('+1 4255550100', '+14255550100')).toBe('equal');
    expect(phoneNumbersMatch('+44 7700900123', '+44 7700 900.123')).toBe('equal');
    expect(phoneNumbersMatch('+1 4255550100', '14255550100')).toBe('equal');
  });

  it('extensions written as x, ext, ext. or extension are the same extension', () => {
    for (const read of ['+1 4255550100 x123', '+1 425 555 0100 ext 123', '+1 425-555-0100 ext. 123', '+1 4255550100 extension 123', '+1 4255550100;ext=123']) {
      expect(phoneNumbersMatch('+1 4255550100x123', read), read).toBe('equal');
    }
  });

  it('a different digit, country code or extension is different', () => {
    expect(phoneNumbersMatch('+1 4255550100', '+1 4255550101')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100', '+7 4255550100')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100x123', '+1 4255550100x124')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100x123', '+1 4255550100')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100', '+1 4255550100x1')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100', '+1 42555501000')).toBe('different');
  });

  it('a number that cannot be read is different', () => {
    expect(phoneNumbersMatch('+1 4255550100', 'call reception')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100', '')).toBe('different');
  });
});

describe('masked phone numbers', () => {
  it('masked the emulator\'s way (country code and last two digits) is a masked match', () => {
    expect(maskPhoneNumber('+1 4255550100')).toBe('+1 XXXXXXXX00');
    expect(phoneNumbersMatch('+1 4255550100', '+1 XXXXXXXX00')).toBe('maskedMatch');
    expect(phoneNumbersMatch('+1 4255550100x123', maskPhoneNumber('+1 4255550100x123'))).toBe('maskedMatch');
  });

  it('masked with different visible digits, country code or extension is different', () => {
    expect(phoneNumbersMatch('+1 4255550100', '+1 XXXXXXXX01')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100', '+44 XXXXXXXX00')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100x123', '+1 XXXXXXXX00x999')).toBe('different');
    expect(phoneNumbersMatch('+1 4255550100x123', '+1 XXXXXXXX00')).toBe('different');
  });

  it('masked with *, • or a lower-case x run, in any position, is compared on the visible digits', () => {
    expect(phoneNumbersMatch('+1 4255550100', '+1 ••••••0100')).toBe('maskedMatch');
    expect(phoneNumbersMatch('+1 4255550100', '+1 42*****100')).toBe('maskedMatch');
    expect(phoneNumbersMatch('+1 4255550100', '+1 xxxxxxxx00')).toBe('maskedMatch');
    expect(phoneNumbersMatch('+1 4255550100', '+1 425 *** **00')).toBe('maskedMatch');
    expect(phoneNumbersMatch('+1 4255550100', '+1 43*****100')).toBe('different');
  });

  it('masked runs stand for one or more digits, since Graph may not keep the length', () => {
    expect(phoneNumbersMatch('+1 4255550100', '+1 ***00')).toBe('maskedMatch');
    expect(phoneNumbersMatch('+44 7700900123', '+44 XXXXXXXXX23')).toBe('maskedMatch');
  });
});

describe('masked numbers and rollback', () => {
  it('masked numbers are recognised, plain ones and extensions are not', () => {
    expect(isMaskedPhoneNumber('+1 XXXXXXXX00')).toBe(true);
    expect(isMaskedPhoneNumber('+1 ••••••0100')).toBe(true);
    expect(isMaskedPhoneNumber('+1 4255550100x123')).toBe(false);
    expect(isMaskedPhoneNumber('+1 4255550100')).toBe(false);
  });
});
