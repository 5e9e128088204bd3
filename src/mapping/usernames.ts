/**
 * Usernames to UPNs (R14) and the key that joins users, devices and tokens (R15).
 */

export type UpnResolution =
  | { readonly ok: true; readonly upn: string; readonly samAccountName: string | null }
  | { readonly ok: false; readonly reason: string };

// Characters Active Directory refuses in a sAMAccountName, plus whitespace (never valid in a UPN).
// https://learn.microsoft.com/windows/win32/adschema/a-samaccountname
const SAM_ACCOUNT_NAME_FORBIDDEN = /["/\\[\]:;|=,+*?<>@\s]/;
const UPN_PART_FORBIDDEN = /[\s\\"<>,;:()[\]]/;

function upnSuffixOf(upnSuffix: string | null): string | null {
  if (upnSuffix === null) return null;
  const suffix = upnSuffix.trim().replace(/^@/, '');
  return suffix === '' ? null : suffix;
}

function isValidDomain(domain: string): boolean {
  return domain !== '' && !UPN_PART_FORBIDDEN.test(domain) && !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..');
}

/**
 * R14: a name with `@` is a UPN (kept as written); `DOMAIN\sam` and bare `sam` become
 * `sam@{upnSuffix}`. Anything else, or a sam without `--upn-suffix`, is unresolvable; `reason`
 * then says why, as a predicate to follow the quoted username.
 */
export function resolveUpn(username: string, upnSuffix: string | null): UpnResolution {
  const name = username.trim();
  if (name === '') return { ok: false, reason: 'is empty' };
  if (name.includes('@')) {
    const at = name.lastIndexOf('@');
    const local = name.slice(0, at);
    const domain = name.slice(at + 1);
    if (local === '' || local.includes('@') || UPN_PART_FORBIDDEN.test(local)) {
      return { ok: false, reason: 'is not a valid user principal name (the part before "@" is empty or holds spaces, "\\" or a second "@")' };
    }
    if (!isValidDomain(domain)) {
      return { ok: false, reason: 'is not a valid user principal name (the domain after "@" is empty or malformed)' };
    }
    return { ok: true, upn: name, samAccountName: null };
  }
  const parts = name.split('\\');
  if (parts.length > 2) return { ok: false, reason: 'holds more than one "\\"; expected DOMAIN\\sam, sam or a UPN' };
  const samAccountName = parts[parts.length - 1] ?? '';
  if (parts.length === 2 && parts[0] === '') return { ok: false, reason: 'has an empty domain before "\\"' };
  if (samAccountName === '' || SAM_ACCOUNT_NAME_FORBIDDEN.test(samAccountName)) {
    return { ok: false, reason: 'is not a valid account name (empty, or holds spaces or characters Active Directory forbids)' };
  }
  const suffix = upnSuffixOf(upnSuffix);
  if (suffix === null) {
    return { ok: false, reason: `is ${parts.length === 2 ? 'a DOMAIN\\sam name' : 'a bare account name'} and no --upn-suffix was given` };
  }
  if (!isValidDomain(suffix)) return { ok: false, reason: `cannot take the UPN suffix "${suffix}", which is not a domain name` };
  return { ok: true, upn: `${samAccountName}@${suffix}`, samAccountName };
}

/**
 * The key that joins users, devices and tokens and detects duplicates (R15): case-insensitive
 * resolved UPN, or the lower-cased raw username when unresolvable.
 */
export function userKey(username: string, upnSuffix: string | null): string {
  const resolved = resolveUpn(username, upnSuffix);
  return resolved.ok ? resolved.upn.toLowerCase() : username.trim().toLowerCase();
}
