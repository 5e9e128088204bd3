import { describe, expect, it } from 'vitest';
import { splitExtension, toGraphPhone } from '../../../src/mapping/phones.js';
import { OPT_IN_CALLING_CODES, OPT_IN_NANP_AREA_CODES } from '../../../src/mapping/opt-in-regions.js';

function graph(countryCode: string | null, phone: string, extension: string | null = null, defaultCountryCode = '1'): string {
  const result = toGraphPhone(countryCode, phone, extension, defaultCountryCode);
  if (!result.ok) throw new Error(`${phone}: ${result.code} ${result.reason}`);
  return result.number;
}

describe('toGraphPhone formats', () => {
  it.each([
    ['US punctuated', '1', '(425) 555-0100', '+1 4255550100'],
    ['US dotted', '1', '425.555.0101', '+1 4255550101'],
    ['US with leading 1', '1', '1 425 555 0100', '+1 4255550100'],
    ['GB trunk 0 removed', '44', '07911 123456', '+44 7911123456'],
    ['GB landline with (0) in international form', '44', '+44 (0) 20 7946 0958', '+44 2079460958'],
    ['DE mobile trunk 0 removed', '49', '01512 3456789', '+49 15123456789'],
    ['FR mobile', '33', '06 12 34 56 78', '+33 612345678'],
    ['IN mobile', '91', '98765 43210', '+91 9876543210'],
    ['IT keeps its leading zero', '39', '06 1234 5678', '+39 0612345678'],
    ['JP mobile', '81', '090-1234-5678', '+81 9012345678'],
    ['Jamaica under +1', '1', '(876) 927-1234', '+1 8769271234'],
  ])('%s', (_name, countryCode, phone, expected) => {
    expect(graph(countryCode, phone)).toBe(expected);
  });

  it('reads a +-prefixed number as international whatever the country code column says', () => {
    expect(graph('1', '+49 1512 3456789')).toBe('+49 15123456789');
    expect(graph(null, '+44 20 7946 0958')).toBe('+44 2079460958');
  });

  it('reads an IDD-prefixed number dialled from the row country as international', () => {
    expect(graph('1', '011 44 20 7946 0958')).toBe('+44 2079460958');
  });

  it('uses the default country code when the row has none', () => {
    expect(graph(null, '07911 123456', null, '44')).toBe('+44 7911123456');
    expect(graph(null, '(425) 555-0100')).toBe('+1 4255550100');
  });

  it.each([
    ['x123', '425 555 0100 x123'],
    ['X 123', '+1 425 555 0100 X 123'],
    ['ext. 123', '425-555-0100 ext. 123'],
    ['ext 123', '425-555-0100 ext 123'],
    ['extension 123', '(425) 555-0100 extension 123'],
    ['#123', '425 555 0100 #123'],
  ])('reads an embedded extension written %s', (_name, phone) => {
    const result = toGraphPhone('1', phone, null, '1');
    expect(result).toMatchObject({ ok: true, number: '+1 4255550100x123', extension: '123', nationalNumber: '4255550100', countryCallingCode: '1' });
  });

  it('takes the extension column, with or without a marker', () => {
    expect(graph('1', '425.555.0101', '123')).toBe('+1 4255550101x123');
    expect(graph('1', '425.555.0101', 'x 77')).toBe('+1 4255550101x77');
  });

  it('prefers the extension column over an extension embedded in the number', () => {
    expect(graph('1', '425 555 0100 x9', '123')).toBe('+1 4255550100x123');
  });

  it('ignores an empty extension marker', () => {
    expect(toGraphPhone('1', '425 555 0100 x', null, '1')).toMatchObject({ ok: true, number: '+1 4255550100', extension: null });
  });
});

describe('R1 phone validity', () => {
  it('R1 a number that is too short for its country is PHONE_INVALID', () => {
    expect(toGraphPhone('1', '555-01', null, '1')).toMatchObject({ ok: false, code: 'PHONE_INVALID' });
  });

  it('R1 a GB number of the wrong length is PHONE_INVALID and the reason names the country code', () => {
    const result = toGraphPhone('44', '07700 90012', null, '1');
    expect(result).toEqual({ ok: false, code: 'PHONE_INVALID', reason: 'is not a valid number for country code 44 (GB)' });
  });

  it('R1 an unknown country code is PHONE_INVALID', () => {
    expect(toGraphPhone('999', '1234567', null, '1')).toMatchObject({ ok: false, code: 'PHONE_INVALID' });
  });

  it('R1 text that is not a phone number is PHONE_INVALID', () => {
    expect(toGraphPhone('1', 'call reception', null, '1')).toMatchObject({ ok: false, code: 'PHONE_INVALID' });
    expect(toGraphPhone('1', '', null, '1')).toMatchObject({ ok: false, code: 'PHONE_INVALID' });
  });

  it('R1 a non-geographic +800 number is PHONE_INVALID: Entra does not call it', () => {
    expect(toGraphPhone(null, '+800 1234 5678', null, '1')).toMatchObject({ ok: false, code: 'PHONE_INVALID' });
  });

  it('R1 decides validity before the extension', () => {
    expect(toGraphPhone('1', '555-01', '12,3', '1')).toMatchObject({ ok: false, code: 'PHONE_INVALID' });
  });
});

describe('R2 extensions Entra cannot dial', () => {
  it.each([
    ['a pause and # in the extension column', '(425) 555-0104', '123,#'],
    ['a star in the extension column', '(425) 555-0104', '*5'],
  ])('R2 %s is EXTENSION_UNSUPPORTED', (_name, phone, extension) => {
    expect(toGraphPhone('1', phone, extension, '1')).toMatchObject({ ok: false, code: 'EXTENSION_UNSUPPORTED' });
  });

  it.each([
    ['x12,3', '425 555 0100 x12,3'],
    ['ext. *5', '425 555 0100 ext. *5'],
    [',,123 (a dial-string pause)', '425 555 0100,,123'],
  ])('R2 an embedded extension written %s is EXTENSION_UNSUPPORTED', (_name, phone) => {
    const result = toGraphPhone('1', phone, null, '1');
    expect(result).toMatchObject({ ok: false, code: 'EXTENSION_UNSUPPORTED' });
  });
});

describe('R7 regional opt-in', () => {
  it('R7 a UK number is in a calling code that needs the opt-in', () => {
    expect(toGraphPhone('44', '07911 123456', null, '1')).toMatchObject({ ok: true, optInRegion: 'calling code +44 (United Kingdom)' });
  });

  it('R7 a Jamaican number under +1 is in an area code that needs the opt-in', () => {
    expect(toGraphPhone('1', '(876) 927-1234', null, '1')).toMatchObject({ ok: true, optInRegion: 'area code +1 876 (Jamaica)' });
  });

  it('R7 a US number and a French number need no opt-in', () => {
    expect(toGraphPhone('1', '(425) 555-0100', null, '1')).toMatchObject({ ok: true, optInRegion: null });
    expect(toGraphPhone('33', '06 12 34 56 78', null, '1')).toMatchObject({ ok: true, optInRegion: null });
  });

  it('R7 data keeps Entra\'s list: +1 itself is never a calling-code entry, NANP entries are 3-digit area codes', () => {
    expect(OPT_IN_CALLING_CODES.has('1')).toBe(false);
    expect(OPT_IN_CALLING_CODES.get('49')).toBe('Germany');
    expect(OPT_IN_CALLING_CODES.size).toBeGreaterThan(190);
    for (const areaCode of OPT_IN_NANP_AREA_CODES.keys()) expect(areaCode).toMatch(/^[2-9]\d\d$/);
    expect(OPT_IN_NANP_AREA_CODES.get('787')).toBe('Puerto Rico');
  });
});

describe('splitExtension', () => {
  it('leaves a number without an extension alone', () => {
    expect(splitExtension(' (425) 555-0100 ')).toEqual({ number: '(425) 555-0100', extension: null });
  });

  it('splits at a marker and keeps the extension text as written', () => {
    expect(splitExtension('425 555 0100 ext. 12,3')).toEqual({ number: '425 555 0100', extension: '12,3' });
  });
});
