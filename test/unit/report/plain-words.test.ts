import { describe, expect, it } from 'vitest';
import { OPERATION_KINDS } from '../../../src/plan/operations.js';
import { defaultMethodInWords, OPERATION_WORDS, targetWords, writeInWords } from '../../../src/report/plain-words.js';

describe('plain words beside Graph\'s', () => {
  it('a write reads as what it does to the person, Graph\'s name in brackets', () => {
    expect(writeInWords('setPreferredMethod', 'sms')).toBe('set default sign-in method text message (setPreferredMethod sms)');
    expect(writeInWords('createPhone', 'alternateMobile')).toBe('add phone alternate mobile (createPhone alternateMobile)');
    expect(writeInWords('deleteHardwareToken', 'TOTP0001')).toBe('delete hardware token from the inventory TOTP0001 (deleteHardwareToken TOTP0001)');
  });

  it('every kind has its words, none is its Graph name', () => {
    for (const kind of OPERATION_KINDS) expect(OPERATION_WORDS[kind], kind).not.toBe(kind);
  });

  it('a default method Graph sends that the tool does not know is shown as it came', () => {
    expect(defaultMethodInWords('voiceOffice')).toBe('phone call to office phone (voiceOffice)');
    expect(defaultMethodInWords('fido2')).toBe('fido2');
    expect(targetWords('TOTP0001')).toBe('TOTP0001');
  });
});
