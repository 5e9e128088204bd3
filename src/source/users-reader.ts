/**
 * The users export (MFA Server "File > Export Users"; docs/design.md "Users export") as SourceUser
 * records.
 */
import { inputError, type MigrateError } from '../errors.js';
import { finding } from '../findings.js';
import { readTable } from './table.js';
import type { TableSeams } from './table.js';
import type { ColumnLayout } from './header.js';
import type { UserField } from './fields.js';
import type { ReadItem, ReadOptions, SourceUser } from './records.js';
import { readCountryCode, readEnabled, readMethod, readMode } from './values.js';

type UserColumns = Readonly<Record<UserField, number>>;

function userColumns(layout: ColumnLayout): UserColumns {
  return {
    username: layout.indexOf('username'),
    firstName: layout.indexOf('firstName'),
    lastName: layout.indexOf('lastName'),
    email: layout.indexOf('email'),
    countryCode: layout.indexOf('countryCode'),
    phone: layout.indexOf('phone'),
    extension: layout.indexOf('extension'),
    backupCountryCode: layout.indexOf('backupCountryCode'),
    backupPhone: layout.indexOf('backupPhone'),
    backupExtension: layout.indexOf('backupExtension'),
    method: layout.indexOf('method'),
    phoneCallMode: layout.indexOf('phoneCallMode'),
    textMessageMode: layout.indexOf('textMessageMode'),
    mobileAppMode: layout.indexOf('mobileAppMode'),
    enabled: layout.indexOf('enabled'),
    oathTokenSerial: layout.indexOf('oathTokenSerial'),
    sid: layout.indexOf('sid'),
    objectGuid: layout.indexOf('objectGuid'),
    language: layout.indexOf('language'),
  };
}

// Header texts of the columns whose values can raise a finding, as the file spells them.
type UserLabels = Readonly<Record<'countryCode' | 'backupCountryCode' | 'method' | 'phoneCallMode' | 'textMessageMode' | 'mobileAppMode' | 'enabled' | 'language', string>>;

function userLabels(layout: ColumnLayout): UserLabels {
  return {
    countryCode: layout.headerOf('countryCode'),
    backupCountryCode: layout.headerOf('backupCountryCode'),
    method: layout.headerOf('method'),
    phoneCallMode: layout.headerOf('phoneCallMode'),
    textMessageMode: layout.headerOf('textMessageMode'),
    mobileAppMode: layout.headerOf('mobileAppMode'),
    enabled: layout.headerOf('enabled'),
    language: layout.headerOf('language'),
  };
}

/**
 * Streams the users export at `path` (as named on the command line). Yields one record per data
 * row, and findings about the file (unknown columns, the Language column, an empty file) or about
 * rows that give no record (undecodable bytes). Throws MigrateError (exit 3) on the first `next()`
 * when the file is missing, unreadable, empty, or lacks the Username column.
 */
/** What the pipeline asks of a users file beyond its being readable. */
export interface UsersFileExpectations {
  /**
   * At least one column a method is made from (primary phone, backup phone, method, token
   * serial); else CSV_NO_METHOD_COLUMNS. Migration sets it: a users export without any would give
   * every user "nothing to migrate" — the wrong file, or its headers renamed.
   */
  readonly methodColumns?: boolean;
}

/** The users fields a method is made from. */
const METHOD_FIELDS = ['phone', 'backupPhone', 'method', 'oathTokenSerial'] as const;

function noMethodColumns(path: string, layout: ColumnLayout): MigrateError {
  return inputError(
    'CSV_NO_METHOD_COLUMNS',
    `${path}: none of the columns holds a phone number, a method or a token serial, so no user could be migrated (headers found: ${layout.headersFound}).`,
    'Export the users again from MFA Server (File > Export Users), or map your headers with --columns map.json ({"phone": "<your phone header>", "method": "<your method header>"}).',
    { file: path, line: layout.line },
  );
}

export function readUsers(path: string, options: ReadOptions, expectations: UsersFileExpectations = {}): AsyncIterable<ReadItem<SourceUser>> {
  return readUsersWith(path, options, {}, expectations);
}

/** readUsers with test seams (chunk size). */
export async function* readUsersWith(path: string, options: ReadOptions, seams: TableSeams, expectations: UsersFileExpectations = {}): AsyncGenerator<ReadItem<SourceUser>, void, undefined> {
  let columns: UserColumns | null = null;
  let labels: UserLabels | null = null;
  let headerLine = 1;
  let languageNoted = false;
  for await (const batch of readTable(path, 'users', options, seams)) {
    for (const item of batch) {
      if (item.kind === 'header') {
        if (expectations.methodColumns === true && METHOD_FIELDS.every((field) => item.layout.indexOf(field) < 0)) throw noMethodColumns(path, item.layout);
        columns = userColumns(item.layout);
        labels = userLabels(item.layout);
        headerLine = item.layout.line;
        continue;
      }
      if (item.kind === 'finding') {
        yield item;
        continue;
      }
      if (columns === null || labels === null) continue;
      const row = item.row;
      const language = row.text(columns.language);
      if (language !== null && !languageNoted) {
        languageNoted = true;
        yield {
          kind: 'finding',
          finding: finding(
            'LANGUAGE_NOT_MIGRATED',
            path,
            headerLine,
            `${path} line ${headerLine}: the ${labels.language} column is not migrated — Entra uses the browser or phone language, not a per-user MFA language; nothing to do.`,
          ),
        };
      }
      const record: SourceUser = {
        file: path,
        line: row.line,
        username: row.cell(columns.username),
        firstName: row.text(columns.firstName),
        lastName: row.text(columns.lastName),
        email: row.text(columns.email),
        countryCode: readCountryCode(row.cell(columns.countryCode), labels.countryCode, row),
        phone: row.text(columns.phone),
        extension: row.text(columns.extension),
        backupCountryCode: readCountryCode(row.cell(columns.backupCountryCode), labels.backupCountryCode, row),
        backupPhone: row.text(columns.backupPhone),
        backupExtension: row.text(columns.backupExtension),
        method: readMethod(row.cell(columns.method), labels.method, row),
        phoneCallMode: readMode(row.cell(columns.phoneCallMode), labels.phoneCallMode, row),
        textMessageMode: readMode(row.cell(columns.textMessageMode), labels.textMessageMode, row),
        mobileAppMode: readMode(row.cell(columns.mobileAppMode), labels.mobileAppMode, row),
        enabled: readEnabled(row.cell(columns.enabled), labels.enabled, row),
        oathTokenSerial: row.text(columns.oathTokenSerial),
        sid: row.text(columns.sid),
        objectGuid: row.text(columns.objectGuid),
        language,
        findings: row.findings,
      };
      yield { kind: 'record', record };
    }
  }
}
