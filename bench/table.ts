/**
 * The tables the benchmarks print: one shape for all of them, so figures copy into a note or
 * docs/performance.md as they are. The first column (a name or size) is left-aligned, figures
 * right-aligned.
 */

/** `columns`: space-separated for the terminal; `markdown`: a Markdown table. */
export type TableStyle = 'columns' | 'markdown';

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], style: TableStyle = 'columns'): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const cells = (row: readonly string[]): string[] => widths.map((width, column) => (column === 0 ? (row[column] ?? '').padEnd(width) : (row[column] ?? '').padStart(width)));
  if (style === 'columns') return `${[header, ...rows].map((row) => cells(row).join('  ').trimEnd()).join('\n')}\n`;
  const line = (row: readonly string[]): string => `| ${cells(row).join(' | ')} |`;
  return `${[line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n')}\n`;
}
