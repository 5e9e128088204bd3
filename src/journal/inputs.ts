/**
 * Input fingerprints: what each export file was when a run read it. `apply --plan RUN` executes a
 * stored plan only while the exports it was made from are unchanged, because the plan's operations
 * (and the hardware token seeds re-read at apply time) must come from the same rows.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { inputError } from '../errors.js';
import type { InputFile, InputFingerprint, InputRole, RunRecord } from '../run-records.js';

export interface InputToFingerprint {
  readonly role: InputRole;
  readonly path: string;
}

/** Size, modification time and SHA-256 of each file, streamed (exports can be gigabytes). */
export async function fingerprintInputs(files: readonly InputToFingerprint[]): Promise<InputFingerprint> {
  const fingerprint: InputFile[] = [];
  for (const { role, path } of files) {
    try {
      const before = await stat(path);
      const hash = createHash('sha256');
      await pipeline(createReadStream(path), hash);
      fingerprint.push({ role, path, size: before.size, mtime: before.mtime.toISOString(), sha256: hash.digest('hex') });
    } catch (error) {
      throw inputError(
        'INPUT_UNREADABLE',
        `--${role} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        'Check the path (relative to the current folder) and that this account may read the file.',
        { file: path, cause: error },
      );
    }
  }
  return fingerprint;
}

/**
 * Throws PLAN_STALE unless the files given now have the content the plan was made from. Paths may
 * differ (the exports were moved) and modification times may differ (copied); contents may not.
 */
export function assertPlanFresh(plan: Pick<RunRecord, 'id' | 'inputs'>, current: InputFingerprint): void {
  const changes: { readonly file: string; readonly text: string }[] = [];
  const roles = new Set([...plan.inputs.map((file) => file.role), ...current.map((file) => file.role)]);
  for (const role of roles) {
    const then = plan.inputs.find((file) => file.role === role);
    const now = current.find((file) => file.role === role);
    if (then === undefined && now !== undefined) {
      changes.push({ file: now.path, text: `--${role} ${now.path} is given now but plan ${plan.id} was made without it` });
    } else if (then !== undefined && now === undefined) {
      changes.push({ file: then.path, text: `plan ${plan.id} was made with --${role} ${then.path}, which is not given now` });
    } else if (then !== undefined && now !== undefined && then.sha256 !== now.sha256) {
      changes.push({
        file: now.path,
        text: `${now.path} (--${role}) changed since plan ${plan.id} was made (then ${then.size} bytes modified ${then.mtime}, now ${now.size} bytes modified ${now.mtime})`,
      });
    }
  }
  const first = changes[0];
  if (first === undefined) return;
  throw inputError(
    'PLAN_STALE',
    `plan ${plan.id} no longer matches its inputs: ${changes.map((change) => change.text).join('; ')}`,
    'Run `mfa-migrate plan` again with the current exports and apply the new plan, or give apply the exact files the plan was made from.',
    { file: first.file },
  );
}
