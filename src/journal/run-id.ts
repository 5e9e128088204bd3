import { randomBytes } from 'node:crypto';

/**
 * `20261128-153012-ab12`: the UTC start time, so ids sort by start and a person can tell when a
 * run happened from its id alone, then 4 random hex digits so two runs started in the same second
 * (two admins, a test) do not collide.
 */
export function newRunId(startedAtMs: number): string {
  const stamp = new Date(startedAtMs).toISOString(); // 2026-11-28T15:30:12.345Z
  const date = stamp.slice(0, 10).replaceAll('-', '');
  const time = stamp.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;
