/**
 * Reads one stored row back into typed values, checking every column and every JSON field on the
 * way out: a journal edited by hand, written by a buggy build or damaged on disk must stop the
 * command with an error naming the row, not send a wrong phone number to Graph.
 */
import { isRecord } from '../json-value.js';
import { journalDamaged } from './journal-errors.js';

export function isKeyOf<K extends string>(table: Readonly<Record<K, unknown>>, value: unknown): value is K {
  return typeof value === 'string' && Object.hasOwn(table, value);
}

/** One row; `where` names it in errors ("users row 42"), paths name the column and field. */
export class RowReader {
  constructor(
    private readonly journalPath: string,
    private readonly where: string,
  ) {}

  json(text: string, column: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw journalDamaged(this.journalPath, `${this.where}, column ${column} is not valid JSON`, error);
    }
  }

  fail(path: string, expected: string): never {
    throw journalDamaged(this.journalPath, `${this.where}, ${path}: expected ${expected}`);
  }

  object(value: unknown, path: string): Readonly<Record<string, unknown>> {
    return isRecord(value) ? value : this.fail(path, 'an object');
  }

  array<T>(value: unknown, path: string, item: (element: unknown, at: string) => T): T[] {
    if (!Array.isArray(value)) return this.fail(path, 'an array');
    const elements: readonly unknown[] = value;
    return elements.map((element, index) => item(element, `${path}[${index}]`));
  }

  string(value: unknown, path: string): string {
    return typeof value === 'string' ? value : this.fail(path, 'a string');
  }

  nullableString(value: unknown, path: string): string | null {
    if (value === null || typeof value === 'string') return value;
    return this.fail(path, 'a string or null');
  }

  integer(value: unknown, path: string): number {
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : this.fail(path, 'an integer');
  }

  nullableBoolean(value: unknown, path: string): boolean | null {
    if (value === null || typeof value === 'boolean') return value;
    return this.fail(path, 'true, false or null');
  }

  oneOf<K extends string>(value: unknown, table: Readonly<Record<K, unknown>>, path: string): K {
    return isKeyOf(table, value) ? value : this.fail(path, `one of ${Object.keys(table).join(', ')}`);
  }

  nullableOneOf<K extends string>(value: unknown, table: Readonly<Record<K, unknown>>, path: string): K | null {
    return value === null ? null : this.oneOf(value, table, path);
  }

  /** An ISO 8601 timestamp written by the journal. */
  date(value: unknown, path: string): Date {
    return this.nullableDate(value, path) ?? this.fail(path, 'an ISO 8601 date');
  }

  nullableDate(value: unknown, path: string): Date | null {
    if (value === null) return null;
    const date = new Date(this.string(value, path));
    return Number.isNaN(date.getTime()) ? this.fail(path, 'an ISO 8601 date') : date;
  }
}
