/**
 * The exit codes every command ends with (docs/design.md "Exit codes"): 0 done, 1 internal error,
 * 2 usage, 3 input, 4 finished with failed users, 5 sign-in or permission, 6 interrupted and
 * resumable.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  input: 3,
  failedUsers: 4,
  auth: 5,
  interrupted: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
