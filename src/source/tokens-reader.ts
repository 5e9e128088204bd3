/**
 * The hardware-token seed file (a vendor seed file or Entra's upload CSV;
 * docs/design.md "Tokens export") as SourceToken records. The seed is wrapped in a Secret the
 * moment it is read, so it prints as [REDACTED] wherever the record goes; no message of this module
 * quotes it.
 */
import { Secret } from '../secret.js';
import { readTable, unalignedSecretRow } from './table.js';
import type { TableSeams } from './table.js';
import type { ColumnLayout } from './header.js';
import type { TokenField } from './fields.js';
import type { ReadItem, ReadOptions, SourceToken } from './records.js';
import { readHashFunction, readTimeInterval } from './values.js';

type TokenColumns = Readonly<Record<TokenField, number>>;

function tokenColumns(layout: ColumnLayout): TokenColumns {
  return {
    username: layout.indexOf('username'),
    serialNumber: layout.indexOf('serialNumber'),
    secretKey: layout.indexOf('secretKey'),
    timeInterval: layout.indexOf('timeInterval'),
    manufacturer: layout.indexOf('manufacturer'),
    model: layout.indexOf('model'),
    hashFunction: layout.indexOf('hashFunction'),
  };
}

/**
 * Streams the tokens file at `path` (as named on the command line). Yields one record per data row
 * and findings about the file or rows that give no record (ROW_INVALID for a row that does not
 * line up with the header). Throws MigrateError (exit 3) on the first `next()` when the file is
 * missing, unreadable, empty, or lacks the serial number or secret key column.
 */
export function readTokens(path: string, options: ReadOptions): AsyncIterable<ReadItem<SourceToken>> {
  return readTokensWith(path, options, {});
}

/** readTokens with test seams (chunk size). */
export async function* readTokensWith(path: string, options: ReadOptions, seams: TableSeams): AsyncGenerator<ReadItem<SourceToken>, void, undefined> {
  let columns: TokenColumns | null = null;
  let layout: ColumnLayout | null = null;
  for await (const batch of readTable(path, 'tokens', options, seams)) {
    for (const item of batch) {
      if (item.kind === 'header') {
        columns = tokenColumns(item.layout);
        layout = item.layout;
        continue;
      }
      if (item.kind === 'finding') {
        yield item;
        continue;
      }
      if (columns === null || layout === null) continue;
      const row = item.row;
      const rejection = unalignedSecretRow(row, layout, 'seed');
      if (rejection !== null) {
        yield { kind: 'finding', finding: rejection };
        continue;
      }
      const secret = row.cell(columns.secretKey);
      const record: SourceToken = {
        file: path,
        line: row.line,
        username: row.text(columns.username),
        serialNumber: row.cell(columns.serialNumber),
        secretKey: secret === '' ? null : new Secret(secret),
        timeInterval: readTimeInterval(row.cell(columns.timeInterval)),
        manufacturer: row.text(columns.manufacturer),
        model: row.text(columns.model),
        hashFunction: readHashFunction(row.cell(columns.hashFunction)),
        findings: row.findings,
      };
      yield { kind: 'record', record };
    }
  }
}
