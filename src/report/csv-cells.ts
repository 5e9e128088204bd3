/**
 * CSV for scripts, safe in a spreadsheet: UTF-8 with a byte-order mark (without it Excel reads
 * UTF-8 as the ANSI code page and garbles `•` and accented names), CRLF line ends, and RFC 4180
 * quoting (a field holding a comma, a quote or a line break is quoted, quotes doubled). People
 * open reconciliation.xlsx instead (xlsx-report.ts): Excel splits a CSV on the Windows list
 * separator, which is `;` in much of Europe, and shows the guard below.
 *
 * Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with `=`, `+`,
 * `-` or `@` (tab and carriage return can hide such a start) as a formula, and usernames and
 * messages come from exports anyone could have typed into. Such a cell is prefixed with `'`, which
 * makes it text. That includes phone numbers: `+1 ••••••0100` is written `'+1 ••••••0100`, still
 * readable, where an unprefixed `+1 4255550100` would have become the number 14255550100. A cell
 * that itself begins with `'` gets one more, so removing one leading `'` always gives the value back.
 */

/** Excel's signal that a CSV file is UTF-8. */
export const UTF8_BOM = '\uFEFF';

/** RFC 4180 line end; Excel on every platform reads it. */
export const CSV_LINE_END = '\r\n';

/** Separator of several values in one cell (device names, issue codes, request-ids). */
export const LIST_SEPARATOR = '; ';

/**
 * First characters a spreadsheet treats as the start of a formula (OWASP's list; the full-width
 * forms because some spreadsheets fold them), and `'` itself (see the module comment).
 */
const FORMULA_STARTS: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠', "'"]);

/** Characters that force quoting under RFC 4180, and leading or trailing spaces, which some readers trim. */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/u;

/** The value with a leading `'` when a spreadsheet would otherwise run it as a formula. */
export function neutraliseCell(value: string): string {
  const first = value.charAt(0);
  return FORMULA_STARTS.has(first) ? `'${value}` : value;
}

/** One field, neutralised and quoted as needed. */
export function csvCell(value: string): string {
  const safe = neutraliseCell(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One record with its line end. */
export function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}${CSV_LINE_END}`;
}
