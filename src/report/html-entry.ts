/**
 * What report.html's writer (report-html.ts, in Node) and its script (browser/report-page.ts, in
 * the browser) agree on: the layout of one user in the embedded array and the page's metadata.
 * The positions are one table, `USER_ENTRY`, which the writer places values by and the script
 * reads them by — it reaches the script inside the page's metadata, so the two cannot disagree.
 *
 * Compiled by both projects (the Node one and the DOM one in browser/), so it imports nothing.
 */

/**
 * One user of the page. A tuple rather than an object on the page, because 100,000 users would
 * repeat every key 100,000 times; enumerations are indexes into the metadata's lists; absent
 * values are "".
 */
export interface HtmlUserFields {
  readonly line: number;
  readonly username: string;
  /** Entra's display name, else the export's first and last name; "" when neither is known. */
  readonly displayName: string;
  readonly upn: string;
  readonly entraUserId: string;
  /** Index into `statuses`. */
  readonly status: number;
  /** 1 when the status is final (apply or verify set it, or validate and rollback, whose status is their own), 0 when it is the plan's. */
  readonly statusIsFinal: 0 | 1;
  /** Index into `planStatuses`; -1 when there is none (validate). */
  readonly planStatus: number;
  /** Mobile before, after; alternate mobile before, after; office before, after. */
  readonly phones: readonly [string, string, string, string, string, string];
  /** Default sign-in method before, after. */
  readonly preferredMethod: readonly [string, string];
  /** Device name, index into `deviceOutcomes`. */
  readonly devices: readonly (readonly [name: string, outcome: number])[];
  readonly hardwareTokens: readonly (readonly [serialNumber: string, before: string, after: string])[];
  /** Index into `codes`, message. */
  readonly issues: readonly (readonly [code: number, message: string])[];
  /** Index into `kinds`, target, index into `operationStatuses`, number, request-id, Graph code, error. */
  readonly operations: readonly (readonly [kind: number, target: string, status: number, phoneNumber: string, requestId: string, graphCode: string, error: string])[];
  /** What changed, as CHANGED_BITS (compared before masking: numbers differing only in hidden digits still count). */
  readonly changed: number;
}

/** Where each field sits in a user's tuple. */
export const USER_ENTRY = {
  line: 0,
  username: 1,
  upn: 2,
  entraUserId: 3,
  status: 4,
  statusIsFinal: 5,
  planStatus: 6,
  phones: 7,
  preferredMethod: 8,
  devices: 9,
  hardwareTokens: 10,
  issues: 11,
  operations: 12,
  changed: 13,
  displayName: 14,
} as const satisfies Readonly<Record<keyof HtmlUserFields, number>>;

/** A user's tuple as the script reads it: `user[entry.phones]` is the phones. */
export type HtmlUserEntry = { readonly [K in keyof HtmlUserFields as (typeof USER_ENTRY)[K]]: HtmlUserFields[K] };

/** Bits of `changed`, one per method the report compares. */
export const CHANGED_BITS = { mobile: 1, alternateMobile: 2, office: 4, preferredMethod: 8, hardwareTokens: 16 } as const;

/** The tuple of a user, each field at its USER_ENTRY position. */
export function htmlEntryOf(fields: HtmlUserFields): readonly unknown[] {
  const entry: unknown[] = [];
  for (const key of Object.keys(USER_ENTRY) as (keyof HtmlUserFields)[]) entry[USER_ENTRY[key]] = fields[key];
  return entry;
}

export interface HtmlIssueCode {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'notice';
  readonly cause: string;
  readonly remedy: string;
  /** Who must act on it; null when nobody must. */
  readonly whoMustAct: 'admin' | 'user' | null;
}

/** The page's metadata: the lists the tuples index into, and the tables above. */
export interface HtmlReportMeta {
  readonly statuses: readonly string[];
  readonly planStatuses: readonly string[];
  readonly kinds: readonly string[];
  /** Plain words for each kind ("add phone"), in the order of `kinds`. */
  readonly kindWords: readonly string[];
  readonly operationStatuses: readonly string[];
  /** Plain words for each operation status in this run ("undone" in a rollback), in the order of `operationStatuses`. */
  readonly operationStatusWords: readonly string[];
  /** Phone types and default methods in plain words, by Graph's name. */
  readonly targetWords: Readonly<Record<string, string>>;
  /** Words for each device outcome. */
  readonly deviceOutcomes: readonly string[];
  readonly codes: readonly HtmlIssueCode[];
  /** `planned`: nothing was written, "after" is what apply would write; `exports`: validate, Entra not read. */
  readonly afterBasis: 'planned' | 'applied' | 'exports';
  /** The run's command: a rollback's writes are undo steps. */
  readonly command: 'validate' | 'plan' | 'apply' | 'verify' | 'rollback' | 'sync';
  readonly entry: typeof USER_ENTRY;
  readonly changed: typeof CHANGED_BITS;
}
