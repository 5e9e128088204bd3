import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, maskPhoneNumbersInText } from '../../../src/report/phone-mask.js';

describe('maskPhoneNumber', () => {
  it('keeps the country code and the last four digits of a Graph number', () => {
    expect(maskPhoneNumber('+1 4255550100')).toBe('+1 ••••••0100');
    expect(maskPhoneNumber('+44 7700900123')).toBe('+44 ••••••0123');
    expect(maskPhoneNumber('+353 12345678')).toBe('+353 ••••5678');
  });

  it('masks every digit of an extension and keeps its marker', () => {
    expect(maskPhoneNumber('+1 4255550199x123')).toBe('+1 ••••••0199x•••');
    expect(maskPhoneNumber('+1 425 555 0199 ext. 45')).toBe('+1 ••• ••• 0199 ext. ••');
  });

  it('keeps punctuation, so a number as an export wrote it stays recognisable', () => {
    expect(maskPhoneNumber('(425) 555-0100')).toBe('(•••) •••-0100');
    expect(maskPhoneNumber('+1-425-555-0100')).toBe('+1-•••-•••-0100');
  });

  it('hides the country code digits too when no separator shows where it ends', () => {
    expect(maskPhoneNumber('+14255550100')).toBe('+•••••••0100');
  });

  it('shows at most half the digits of a short number', () => {
    expect(maskPhoneNumber('555010')).toBe('•••010');
    expect(maskPhoneNumber('12')).toBe('•2');
  });

  it('shows a number Graph already masked with • for its mask characters', () => {
    expect(maskPhoneNumber('+1 XXXXXXXX00')).toBe('+1 ••••••••00');
    expect(maskPhoneNumber('+1 XXXXXXXX00x123')).toBe('+1 ••••••••00x•••');
  });

  it('is idempotent', () => {
    const once = maskPhoneNumber('+1 4255550199x123');
    expect(maskPhoneNumber(once)).toBe(once);
  });
});

describe('maskPhoneNumbersInText', () => {
  it('masks numbers quoted in finding messages, as exported and as Graph writes them', () => {
    expect(maskPhoneNumbersInText('users.csv line 418: phone "(425) 555-0100" is not valid')).toBe('users.csv line 418: phone "(•••) •••-0100" is not valid');
    expect(maskPhoneNumbersInText('Entra already holds +1 4255550111 as the mobile, not +1 4255550100.')).toBe('Entra already holds +1 ••••••0111 as the mobile, not +1 ••••••0100.');
    expect(maskPhoneNumbersInText('office +1 4255550199x123 kept')).toBe('office +1 ••••••0199x••• kept');
    expect(maskPhoneNumbersInText('phone "07700 900123" of carol')).toBe('phone "••••• ••0123" of carol');
  });

  it('leaves line numbers, counts, dates, serials and request-ids readable', () => {
    const text = 'users.csv line 123456: token TOTP0001234567 on 2026-11-28, request-id 0f8fad5b-d9cb-469f-a165-70867728950e, 100000 users at 2026-11-28T15:30:12.000Z';
    expect(maskPhoneNumbersInText(text)).toBe(text);
    expect(maskPhoneNumbersInText('request-id 12345678-1234-1234-1234-123456789012')).toBe('request-id 12345678-1234-1234-1234-123456789012');
  });

  it('leaves numbers that are already masked alone', () => {
    const text = 'Entra shows the mobile masked as +1 XXXXXXXX00; the report shows +1 ••••••0100';
    expect(maskPhoneNumbersInText(text)).toBe(text);
  });
});
