/** Reading the findings a mapping or a diff gave a user, with a failure that lists what was there. */
import type { Finding } from '../../src/findings.js';

export function codesOf(subject: { readonly issues: readonly Finding[] }): string[] {
  return subject.issues.map((item) => item.code);
}

export function issueOf(subject: { readonly issues: readonly Finding[] }, code: string): Finding {
  const found = subject.issues.find((item) => item.code === code);
  if (found === undefined) throw new Error(`no ${code} among ${codesOf(subject).join(', ') || 'no issues'}`);
  return found;
}
