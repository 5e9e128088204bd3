/**
 * Quotes an argument so that a command the tool prints can be pasted back into the shell the
 * admin uses: POSIX shells (bash, zsh) on Linux and macOS, PowerShell on Windows (the shell
 * Windows opens by default, and the one MFA Server admins script in).
 */
export type ShellKind = 'posix' | 'powershell';

/** The shell printed commands are quoted for on this platform. */
export function currentShell(platform: NodeJS.Platform = process.platform): ShellKind {
  return platform === 'win32' ? 'powershell' : 'posix';
}

// Characters that mean nothing to the shell in a bare word. PowerShell reads `@` first as splatting
// and `,` as an array, so they are quoted there; `\` is a plain character in PowerShell paths.
const POSIX_BARE = /^[\w@%+=:,./-]+$/;
const POWERSHELL_BARE = /^[\w%+=:./\\-]+$/;

/**
 * `argument` as one word of the shell: bare when it is safe, else single-quoted — POSIX closes,
 * escapes and reopens the quote for a `'` inside (`'\''`), PowerShell doubles it (`''`).
 */
export function shellQuote(argument: string, shell: ShellKind = currentShell()): string {
  if (shell === 'powershell') return POWERSHELL_BARE.test(argument) ? argument : `'${argument.replaceAll("'", "''")}'`;
  return POSIX_BARE.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}

/** `mfa-migrate` and its arguments, each quoted for the shell. */
export function commandLine(args: readonly string[], shell: ShellKind = currentShell()): string {
  return ['mfa-migrate', ...args.map((argument) => shellQuote(argument, shell))].join(' ');
}
