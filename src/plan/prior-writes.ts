/**
 * What runs of ours wrote for a user and Entra may still hold (docs/design.md "R17 Ours to change"):
 * per phone type the number, and the default method, each with the run that wrote it last. The
 * journal keeps it per tenant and user; the diff reads it as plain data to tell a number or default
 * of ours, which follows the export when it changes, from one the user or another admin set, which
 * `--phone-conflict keep` and `--default-method if-unset` keep.
 */
import type { DefaultMethod, PhoneType } from '../mapping/desired-state.js';

export interface PriorWrite<T extends string> {
  /** The number (as written: Graph's format) or the default method. */
  readonly value: T;
  /** The apply or sync run whose write it was. */
  readonly runId: string;
}

export interface PriorWrites {
  readonly phones: Readonly<Partial<Record<PhoneType, PriorWrite<string>>>>;
  readonly defaultMethod: PriorWrite<DefaultMethod> | null;
}

export const NO_PRIOR_WRITES: PriorWrites = { phones: {}, defaultMethod: null };
