/**
 * `--only FILE` (docs/design.md "Tenant options"): one username a line, to run a step for some
 * users only (a pilot group, or the users a support ticket names). Blank lines and `#` comments are
 * ignored; the usernames are compared like the users file's (R15), by the caller.
 */
import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';

export interface OnlyList {
  readonly file: string;
  /** Usernames as written, in file order, without duplicates. */
  readonly usernames: readonly string[];
}

export async function readOnlyList(file: string): Promise<OnlyList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw inputError('ONLY_LIST_NOT_FOUND', `${file}: the --only list does not exist.`, 'Check the path given to --only (one username a line).', { file, cause: error });
    }
    throw inputError('ONLY_LIST_UNREADABLE', `${file}: the --only list cannot be read (${code ?? 'read error'}).`, 'Check that the file exists, is a file, and that this account may read it.', { file, cause: error });
  }
  const seen = new Set<string>();
  const usernames: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)) {
    const name = raw.trim();
    if (name === '' || name.startsWith('#')) continue;
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    usernames.push(name);
  }
  if (usernames.length === 0) {
    throw inputError('ONLY_LIST_EMPTY', `${file}: the --only list names no user.`, 'Write one username a line (as in the users export), or leave out --only to take every user.', { file });
  }
  return { file, usernames };
}
