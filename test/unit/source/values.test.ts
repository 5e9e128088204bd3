import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/findings.js';
import {
  readCountryCode,
  readDate,
  readEnabled,
  readHashFunction,
  readMethod,
  readMode,
  readTimeInterval,
} from '../../../src/source/values.js';
import type { ValueSite } from '../../../src/source/values.js';

function site(): ValueSite & { findings: Finding[] } {
  const findings: Finding[] = [];
  return { file: 'users.csv', line: 418, findings, note: (f) => findings.push(f) };
}

describe('method', () => {
  it.each([
    ['Phone call', 'phoneCall'],
    ['Phone', 'phoneCall'],
    ['VOICE', 'phoneCall'],
    ['phone_call', 'phoneCall'],
    ['Text message', 'textMessage'],
    ['SMS', 'textMessage'],
    ['text', 'textMessage'],
    ['Mobile app', 'mobileApp'],
    ['App', 'mobileApp'],
    ['Authenticator', 'mobileApp'],
    ['OATH token', 'oathToken'],
    ['OATH', 'oathToken'],
    ['Token', 'oathToken'],
    ['oath-token', 'oathToken'],
  ])('%j → %s', (value, expected) => {
    const where = site();
    expect(readMethod(value, 'Method', where)).toBe(expected);
    expect(where.findings).toEqual([]);
  });

  it('empty → null without a finding', () => {
    const where = site();
    expect(readMethod('', 'Method', where)).toBeNull();
    expect(where.findings).toEqual([]);
  });

  it('"Fax" → null and VALUE_UNKNOWN naming the column, the value and the accepted methods', () => {
    const where = site();
    expect(readMethod('Fax', 'Method', where)).toBeNull();
    expect(where.findings).toEqual([
      {
        code: 'VALUE_UNKNOWN',
        severity: 'warning',
        file: 'users.csv',
        line: 418,
        message:
          'users.csv line 418: Method "Fax" is not a known MFA Server method (Phone call, Text message, Mobile app, OATH token) — the user\'s default method will be chosen from what is available.',
      },
    ]);
  });
});

describe('mode', () => {
  it.each([
    ['Standard', 'standard'],
    ['PIN', 'pin'],
    ['OTP', 'otp'],
    ['One-Way OTP', 'otp'],
    ['Two-Way OTP', 'otp'],
    ['One-way', 'otp'],
    ['two way', 'otp'],
    ['Text', 'otp'],
    ['OTP + PIN', 'otpPin'],
    ['otp+pin', 'otpPin'],
    ['OTP+ PIN', 'otpPin'],
    ['One-Way OTP + PIN', 'otpPin'],
    ['Two-Way OTP + PIN', 'otpPin'],
  ])('%j → %s', (value, expected) => {
    const where = site();
    expect(readMode(value, 'Text Message Mode', where)).toBe(expected);
    expect(where.findings).toEqual([]);
  });

  it('unknown → null + VALUE_UNKNOWN', () => {
    const where = site();
    expect(readMode('Loud', 'Phone Call Mode', where)).toBeNull();
    expect(where.findings.map((f) => f.code)).toEqual(['VALUE_UNKNOWN']);
    expect(where.findings[0]?.message).toContain('Phone Call Mode "Loud"');
    expect(where.findings[0]?.message).toContain('Standard, PIN, OTP, OTP + PIN');
  });
});

describe('enabled', () => {
  it.each([
    ['Yes', true],
    ['yes', true],
    ['Y', true],
    ['True', true],
    ['1', true],
    ['Enabled', true],
    ['', true],
    ['No', false],
    ['n', false],
    ['FALSE', false],
    ['0', false],
    ['Disabled', false],
  ])('%j → %s', (value, expected) => {
    const where = site();
    expect(readEnabled(value, 'Enabled', where)).toBe(expected);
    expect(where.findings).toEqual([]);
  });

  it('unknown → true + VALUE_UNKNOWN warning', () => {
    const where = site();
    expect(readEnabled('Maybe', 'Status', where)).toBe(true);
    expect(where.findings).toMatchObject([{ code: 'VALUE_UNKNOWN', severity: 'warning', line: 418 }]);
    expect(where.findings[0]?.message).toContain('Status "Maybe"');
  });
});

describe('country code', () => {
  it.each([
    ['44', '44'],
    ['+44', '44'],
    ['(+44)', '44'],
    ['(44)', '44'],
    ['1', '1'],
    ['United Kingdom +44', '44'],
    ['Spain +34', '34'],
    ['United Kingdom (+44)', '44'],
    ['American Samoa +1-684', '1'],
    ['1-684', '1'],
    ['+1-684', '1'],
    ['Brazil 55', '55'],
  ])('%j → %s', (value, expected) => {
    const where = site();
    expect(readCountryCode(value, 'Country Code', where)).toBe(expected);
    expect(where.findings).toEqual([]);
  });

  it('empty → null without a finding', () => {
    const where = site();
    expect(readCountryCode('', 'Country Code', where)).toBeNull();
    expect(where.findings).toEqual([]);
  });

  it.each(['United Kingdom', '+0', '044', '12345', 'UK+44x'])('unreadable %j → null + VALUE_UNKNOWN', (value) => {
    const where = site();
    expect(readCountryCode(value, 'Primary Country Code', where)).toBeNull();
    expect(where.findings.map((f) => f.code)).toEqual(['VALUE_UNKNOWN']);
    expect(where.findings[0]?.message).toContain(`Primary Country Code "${value}"`);
  });
});

describe('date', () => {
  it.each([
    ['3/14/2023 9:15:02 AM', '2023-03-14T09:15:02.000Z'],
    ['11/2/2026 8:01:44 PM', '2026-11-02T20:01:44.000Z'],
    ['1/5/2021 12:00:00 AM', '2021-01-05T00:00:00.000Z'],
    ['1/5/2021 12:30:00 PM', '2021-01-05T12:30:00.000Z'],
    ['1/5/2021 9:15 am', '2021-01-05T09:15:00.000Z'],
    ['1/5/2021 21:07', '2021-01-05T21:07:00.000Z'],
    ['12/31/2024', '2024-12-31T00:00:00.000Z'],
    ['2023-03-01T10:00:00Z', '2023-03-01T10:00:00.000Z'],
    ['2023-03-01T10:00:00.123Z', '2023-03-01T10:00:00.123Z'],
    ['2023-03-01T10:00:00+02:00', '2023-03-01T08:00:00.000Z'],
    ['2023-03-01T10:00:00-0530', '2023-03-01T15:30:00.000Z'],
    ['2023-03-01 10:00', '2023-03-01T10:00:00.000Z'],
    ['2023-03-01', '2023-03-01T00:00:00.000Z'],
  ])('%j → %s (UTC)', (value, expected) => {
    const where = site();
    expect(readDate(value, 'Activated', where)?.toISOString()).toBe(expected);
    expect(where.findings).toEqual([]);
  });

  it.each(['yesterday', '2/30/2024 1:00:00 PM', '13/1/2024', '1/1/2024 13:00:00 PM', '1/1/2024 0:00 AM', '2024-02-30', '2024-01-01T25:00:00Z', '1/1/2024 9:61'])(
    'invalid %j → null + DATE_INVALID naming column and value',
    (value) => {
      const where = site();
      expect(readDate(value, 'Last Used', where)).toBeNull();
      expect(where.findings).toMatchObject([{ code: 'DATE_INVALID', severity: 'warning', line: 418 }]);
      expect(where.findings[0]?.message).toContain(`Last Used "${value}"`);
    },
  );

  it('empty → null without a finding', () => {
    const where = site();
    expect(readDate('', 'Last Used', where)).toBeNull();
    expect(where.findings).toEqual([]);
  });
});

describe('token parameters', () => {
  it.each([
    ['', 30],
    ['30', 30],
    ['60', 60],
    ['45', 45],
    ['30s', '30s'],
    ['thirty', 'thirty'],
  ])('time interval %j → %j', (value, expected) => {
    expect(readTimeInterval(value)).toBe(expected);
  });

  it.each([
    ['', 'hmacsha1'],
    ['hmacsha1', 'hmacsha1'],
    ['HMAC-SHA1', 'hmacsha1'],
    ['HMAC-SHA256', 'hmacsha256'],
    ['hmac_sha256', 'hmacsha256'],
    ['SHA256', 'hmacsha256'],
    ['HMAC-SHA512', 'HMAC-SHA512'],
  ])('hash function %j → %j', (value, expected) => {
    expect(readHashFunction(value)).toBe(expected);
  });

  // A seed file with its columns named in the wrong order puts the seed under interval or hash,
  // whose raw value R13 quotes: a value shaped like a key is described instead of kept.
  it.each(['JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', '3132333435363738393031323334353637383930', 'jbsw y3dp ehpk 3pxp'])('keeps no seed-shaped interval or hash: %j', (seed) => {
    for (const value of [readTimeInterval(seed), readHashFunction(seed)]) {
      expect(value).toBe(`(a ${seed.length}-character value shaped like a secret key, not shown)`);
    }
  });
});

describe('values quoted in findings', () => {
  it('escapes control characters, so a value cannot drive the terminal', () => {
    const where = site();
    readMethod('Fax\u001b[2J\r\nline', 'Method', where);
    expect(where.findings[0]?.message).toContain('Method "Fax\\u001b[2J\\r\\nline" is not');
  });

  it('cuts a long value and says how long it was', () => {
    const where = site();
    readMode('Standard mode '.repeat(1000), 'Phone Call Mode', where);
    const message = where.findings[0]?.message ?? '';
    expect(message).toContain(`Phone Call Mode "${'Standard mode '.repeat(5).slice(0, 60)}…" (14000 characters) is not`);
    expect(message.length).toBeLessThan(400);
  });

  it('does not quote a date that has the shape of a seed (a devices row whose fields moved)', () => {
    const where = site();
    readDate('KRSXG5CTMVRXEZLUKN2XAZLSNFXW4ZJA', 'Activated', where);
    expect(where.findings[0]?.message).toContain('Activated (a 32-character value shaped like a secret key, not shown) is not a date');
  });
});
