/**
 * Parsed JSON read defensively: Graph answers, `$batch` bodies, journal columns and seed files are
 * `unknown` until checked, and an object is the one shape `typeof` does not tell apart from
 * arrays and null.
 */

/** A JSON object as parsed: its values are still unchecked. */
export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is a JSON object, else null (arrays, null and primitives alike). */
export function recordOrNull(value: unknown): JsonRecord | null {
  return isRecord(value) ? value : null;
}
