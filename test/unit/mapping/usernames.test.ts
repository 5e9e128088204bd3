import { describe, expect, it } from 'vitest';
import { resolveUpn, userKey } from '../../../src/mapping/usernames.js';

// R14's second half (matching in Entra by UPN, then --match-attribute, USER_NOT_FOUND) belongs to
// the plan step, which can see Entra; mapping owns the resolution tested here.
describe('R14 usernames to UPNs', () => {
  it('R14 a name with @ is a UPN, kept as written', () => {
    expect(resolveUpn('Alice.Anders@Contoso.com', null)).toEqual({ ok: true, upn: 'Alice.Anders@Contoso.com', samAccountName: null });
  });

  it('R14 DOMAIN\\sam becomes sam@suffix', () => {
    expect(resolveUpn('CONTOSO\\carol', 'contoso.com')).toEqual({ ok: true, upn: 'carol@contoso.com', samAccountName: 'carol' });
  });

  it('R14 a bare sam becomes sam@suffix, and a suffix given with @ is accepted', () => {
    expect(resolveUpn('dave', '@contoso.com')).toEqual({ ok: true, upn: 'dave@contoso.com', samAccountName: 'dave' });
  });

  it('R14 DOMAIN\\sam without --upn-suffix is unresolvable and says so', () => {
    const result = resolveUpn('CONTOSO\\carol', null);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: expect.stringContaining('no --upn-suffix') as unknown });
  });

  it.each([
    ['an empty local part', '@contoso.com'],
    ['an empty domain', 'alice@'],
    ['spaces in a UPN', 'alice anders@contoso.com'],
    ['two backslashes', 'A\\B\\carol'],
    ['an empty sam', 'CONTOSO\\'],
    ['a sam with spaces', 'carol clarke'],
    ['a malformed domain', 'alice@contoso..com'],
  ])('R14 %s is unresolvable', (_name, username) => {
    expect(resolveUpn(username, 'contoso.com').ok).toBe(false);
  });
});

describe('R15 user key', () => {
  it('R15 keys compare case-insensitively on the resolved UPN', () => {
    expect(userKey('ALICE.ANDERS@contoso.com', null)).toBe(userKey('alice.anders@CONTOSO.com', null));
    expect(userKey('CONTOSO\\Carol', 'contoso.com')).toBe('carol@contoso.com');
    expect(userKey('carol', 'Contoso.com')).toBe(userKey('CONTOSO\\carol', 'contoso.com'));
  });

  it('R15 an unresolvable username keys on its lower-cased raw text', () => {
    expect(userKey(' CONTOSO\\Carol ', null)).toBe('contoso\\carol');
  });
});
