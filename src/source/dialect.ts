/**
 * How an export is written, decided from its first lines the way a person opening it would:
 * which character separates fields (Excel writes `;` where the list separator is `;`, as in most
 * of Europe, and tab for "Text (Tab delimited)"), and whether PowerShell 5.1's `Export-Csv` put its
 * `#TYPE System.Management.Automation.PSCustomObject` line above the header.
 */
import type { CsvDelimiter } from './csv-records.js';

/** `--delimiter`: `auto` sniffs it from the header line. */
export type DelimiterOption = 'auto' | CsvDelimiter;

const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t'];

/** PowerShell 5.1 `Export-Csv` (without -NoTypeInformation) writes this line above the header. */
const POWERSHELL_TYPE_LINE = /^#TYPE\s/i;

export function isPowerShellTypeLine(text: string): boolean {
  return POWERSHELL_TYPE_LINE.test(text);
}

/** The lines of `head` up to the header: a `#TYPE` line and blank lines are passed over. */
function headerLine(head: string): string | null {
  for (const line of head.split(/\r\n|\n|\r/)) {
    const text = line.trim();
    if (text === '' || isPowerShellTypeLine(text)) continue;
    return line;
  }
  return null;
}

/**
 * The separator of the header line: the candidate found most often outside quotes. Headers name
 * fields ("Primary Phone", "Username"), which hold none of them, so the count is unambiguous for
 * any real export; a tie (or a header of one column) keeps the comma.
 */
export function sniffDelimiter(head: string): CsvDelimiter {
  const line = headerLine(head);
  if (line === null) return ',';
  const counts = new Map<CsvDelimiter, number>(CANDIDATES.map((candidate) => [candidate, 0]));
  let quoted = false;
  for (const character of line) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && counts.has(character as CsvDelimiter)) counts.set(character as CsvDelimiter, (counts.get(character as CsvDelimiter) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  for (const candidate of CANDIDATES) if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  return best;
}

export function delimiterName(delimiter: CsvDelimiter): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}
