/**
 * The mobile-app devices export (docs/design.md "Devices export") as SourceDevice records. The
 * device token and the device's OATH secret are never kept: Graph cannot create Authenticator
 * registrations from them, so holding them would only add secrets to memory (only whether a secret
 * was present is kept).
 */
import { readTable, unalignedSecretRow } from './table.js';
import type { TableSeams } from './table.js';
import type { ColumnLayout } from './header.js';
import type { DeviceField } from './fields.js';
import type { ReadItem, ReadOptions, SourceDevice } from './records.js';
import { readDate } from './values.js';

type DeviceColumns = Readonly<Record<Exclude<DeviceField, 'deviceToken'>, number>>;

function deviceColumns(layout: ColumnLayout): DeviceColumns {
  return {
    username: layout.indexOf('username'),
    deviceName: layout.indexOf('deviceName'),
    notificationType: layout.indexOf('notificationType'),
    oathSecretKey: layout.indexOf('oathSecretKey'),
    os: layout.indexOf('os'),
    appVersion: layout.indexOf('appVersion'),
    activatedAt: layout.indexOf('activatedAt'),
    lastUsedAt: layout.indexOf('lastUsedAt'),
  };
}

/**
 * Streams the devices export at `path` (as named on the command line). Yields one record per data
 * row and findings about the file or rows that give no record (ROW_INVALID for a row that does not
 * line up with the header, when the file has an OATH secret or device token column). Throws
 * MigrateError (exit 3) on the first `next()` when the file is missing, unreadable, empty, or lacks
 * the Username column.
 */
export function readDevices(path: string, options: ReadOptions): AsyncIterable<ReadItem<SourceDevice>> {
  return readDevicesWith(path, options, {});
}

/** readDevices with test seams (chunk size). */
export async function* readDevicesWith(path: string, options: ReadOptions, seams: TableSeams): AsyncGenerator<ReadItem<SourceDevice>, void, undefined> {
  let columns: DeviceColumns | null = null;
  // Set when the file has a secret column: its rows are then used only when they line up.
  let secretLayout: ColumnLayout | null = null;
  let activatedLabel = 'Activated';
  let lastUsedLabel = 'Last Used';
  for await (const batch of readTable(path, 'devices', options, seams)) {
    for (const item of batch) {
      if (item.kind === 'header') {
        columns = deviceColumns(item.layout);
        const holdsSecrets = item.layout.indexOf('oathSecretKey') !== -1 || item.layout.indexOf('deviceToken') !== -1;
        secretLayout = holdsSecrets ? item.layout : null;
        activatedLabel = item.layout.headerOf('activatedAt');
        lastUsedLabel = item.layout.headerOf('lastUsedAt');
        continue;
      }
      if (item.kind === 'finding') {
        yield item;
        continue;
      }
      if (columns === null) continue;
      const row = item.row;
      const rejection = secretLayout === null ? null : unalignedSecretRow(row, secretLayout, 'OATH secret key or push token');
      if (rejection !== null) {
        yield { kind: 'finding', finding: rejection };
        continue;
      }
      const record: SourceDevice = {
        file: path,
        line: row.line,
        username: row.cell(columns.username),
        deviceName: row.text(columns.deviceName),
        notificationType: row.text(columns.notificationType),
        hasOathSecret: row.cell(columns.oathSecretKey) !== '',
        os: row.text(columns.os),
        appVersion: row.text(columns.appVersion),
        activatedAt: readDate(row.cell(columns.activatedAt), activatedLabel, row),
        lastUsedAt: readDate(row.cell(columns.lastUsedAt), lastUsedLabel, row),
        findings: row.findings,
      };
      yield { kind: 'record', record };
    }
  }
}
