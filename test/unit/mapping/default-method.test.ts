import { describe, expect, it } from 'vitest';
import { chooseDefaultMethod } from '../../../src/mapping/default-method.js';
import type { DefaultMethod } from '../../../src/mapping/desired-state.js';

const none = new Set<DefaultMethod>();

describe('R8 default method choice', () => {
  it('R8 keeps the requested method when it is available', () => {
    expect(chooseDefaultMethod('sms', new Set(['push', 'sms', 'voiceMobile']), none)).toEqual({ method: 'sms', fellBack: false, disabled: [] });
  });

  it('R8 falls back to the most secure available method: push > oath > sms > voiceMobile > voiceAlternateMobile > voiceOffice', () => {
    expect(chooseDefaultMethod('push', new Set(['voiceOffice', 'voiceAlternateMobile', 'oath']), none)).toEqual({ method: 'oath', fellBack: true, disabled: [] });
    expect(chooseDefaultMethod('oath', new Set(['voiceOffice', 'voiceAlternateMobile']), none)).toEqual({ method: 'voiceAlternateMobile', fellBack: true, disabled: [] });
    expect(chooseDefaultMethod('oath', new Set(['voiceOffice', 'voiceMobile', 'sms']), none)).toMatchObject({ method: 'sms' });
  });

  it('R8 no request takes the most secure available method without a fallback', () => {
    expect(chooseDefaultMethod(null, new Set(['voiceMobile', 'push']), none)).toEqual({ method: 'push', fellBack: false, disabled: [] });
  });

  it('R8 nothing available gives no default', () => {
    expect(chooseDefaultMethod('sms', none, none)).toEqual({ method: null, fellBack: true, disabled: [] });
    expect(chooseDefaultMethod(null, none, none)).toEqual({ method: null, fellBack: false, disabled: [] });
  });
});

describe('R9 authentication methods policy', () => {
  it('R9 a method disabled by policy is not available and is reported', () => {
    expect(chooseDefaultMethod('push', new Set(['push', 'sms', 'voiceMobile']), new Set(['push', 'voiceOffice']))).toEqual({
      method: 'sms',
      fellBack: true,
      disabled: ['push'],
    });
  });

  it('R9 a disabled method the user neither requested nor has is not reported', () => {
    expect(chooseDefaultMethod('sms', new Set(['sms']), new Set(['oath']))).toEqual({ method: 'sms', fellBack: false, disabled: [] });
  });
});
