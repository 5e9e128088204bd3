/** Small pieces the apply tests share. */
import type { StoredOperation } from '../../src/run-records.js';

/** A tokenOf for runs without a tokens file: every hardware-token operation is unsendable. */
export function noSeeds(operation: StoredOperation): { readonly problem: string } {
  return { problem: `no seed for ${operation.target} in this test` };
}
