/** Small export files written to a temp folder for the reader tests. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../src/findings.js';
import type { ReadItem, ReadOptions } from '../../../src/source/records.js';

export const AUTO: ReadOptions = { encoding: 'auto', columns: {} };

export interface ExportFolder {
  /** Writes `content` (text as UTF-8, or raw bytes) to `name` and returns its path. */
  write(name: string, content: string | Uint8Array): Promise<string>;
  readonly path: string;
  remove(): Promise<void>;
}

export async function exportFolder(): Promise<ExportFolder> {
  const path = await mkdtemp(join(tmpdir(), 'mfa-migrate-source-'));
  return {
    path,
    async write(name, content) {
      const file = join(path, name);
      await writeFile(file, content);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export interface Collected<T> {
  readonly records: T[];
  readonly findings: Finding[];
  /** Records and findings in the order they came. */
  readonly items: ReadItem<T>[];
}

export async function collect<T>(items: AsyncIterable<ReadItem<T>>): Promise<Collected<T>> {
  const collected: Collected<T> = { records: [], findings: [], items: [] };
  for await (const item of items) {
    collected.items.push(item);
    if (item.kind === 'record') collected.records.push(item.record);
    else collected.findings.push(item.finding);
  }
  return collected;
}

/** The rejection of the first `next()`, or a failure when there is none. */
export async function firstError(items: AsyncIterable<unknown>): Promise<unknown> {
  const iterator = items[Symbol.asyncIterator]();
  try {
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
      // Read to the end: the error may come after some items.
    }
  } catch (error) {
    return error;
  }
  throw new Error('expected the reader to throw');
}

export function utf16le(text: string, bom = true): Uint8Array {
  const body = Buffer.from(text, 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

export function utf16be(text: string): Uint8Array {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1] ?? 0;
    be[i + 1] = le[i] ?? 0;
  }
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}
