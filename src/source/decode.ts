/**
 * Opening an export and turning its bytes into text (docs/design.md "Encoding"). Text is decoded
 * here, before the CSV tokenizer sees it: tokenizing bytes mangles UTF-16 (csv-parse did, notably
 * with trim), and one decoder for every encoding keeps line counting in one place.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { inputError } from '../errors.js';
import type { MigrateError } from '../errors.js';
import type { SourceEncoding } from './records.js';

/** The encodings a file is actually decoded with (UTF-16BE only ever comes from a BOM). */
export type TextEncodingName = 'utf8' | 'utf16le' | 'utf16be' | 'windows1252';

/** Bytes read per file read; large enough that per-chunk overhead vanishes, small enough to stream. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

// WHATWG labels for Node's TextDecoder (full ICU, which Node's official builds ship).
const DECODER_LABEL: Readonly<Record<TextEncodingName, string>> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  windows1252: 'windows-1252',
};

export const ENCODING_DISPLAY_NAME: Readonly<Record<TextEncodingName, string>> = {
  utf8: 'UTF-8',
  utf16le: 'UTF-16LE',
  utf16be: 'UTF-16BE',
  windows1252: 'Windows-1252',
};

// The longest byte-order mark we recognise (UTF-8: EF BB BF).
const LONGEST_BOM = 3;

export interface DecodeOptions {
  readonly encoding: SourceEncoding;
  /** Bytes per read; tests make it tiny so chunks split multi-byte characters. */
  readonly chunkBytes?: number;
}

/** An export opened for reading, its encoding already decided. */
export interface DecodedText {
  readonly encoding: TextEncodingName;
  /** True when the encoding came from a byte-order mark rather than `--encoding` or the UTF-8 default. */
  readonly fromBom: boolean;
  /**
   * True when no byte-order mark or `--encoding` said, and the file is not valid UTF-8, so it was
   * read as Windows-1252 — what Excel writes for "CSV (Comma delimited)".
   */
  readonly guessed: boolean;
  /** Decoded text, BOM removed, chunk by chunk; closes the file when done or abandoned. */
  readonly chunks: AsyncGenerator<string, void, undefined>;
}

interface BomMatch {
  readonly encoding: TextEncodingName;
  readonly length: number;
}

function detectBom(head: Uint8Array): BomMatch | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', length: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', length: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', length: 2 };
  return null;
}

function forcedEncoding(encoding: SourceEncoding): TextEncodingName {
  return encoding === 'auto' ? 'utf8' : encoding;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function notAFile(file: string, cause?: unknown): MigrateError {
  return inputError('CSV_NOT_A_FILE', `${file}: this is a folder, not a CSV file.`, 'Give the path of the exported CSV file inside the folder.', {
    file,
    ...(cause === undefined ? {} : { cause }),
  });
}

function openFailure(file: string, error: unknown): MigrateError {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return inputError('CSV_FILE_NOT_FOUND', `${file}: the file does not exist.`, 'Check the path (it is relative to the current folder) and run again.', { file, cause: error });
  }
  if (code === 'EISDIR') return notAFile(file, error);
  return inputError(
    'CSV_UNREADABLE',
    `${file}: the file cannot be read (${code ?? 'read error'}).`,
    'Check that the file exists and that this account may read it, then run again.',
    { file, cause: error },
  );
}

async function readInto(handle: FileHandle, buffer: Uint8Array, file: string): Promise<number> {
  try {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    return bytesRead;
  } catch (error) {
    throw openFailure(file, error);
  }
}

async function openForReading(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw openFailure(file, error);
  }
}

/**
 * Opens `file` and decides its encoding. A byte-order mark always wins, because it is the file's
 * own declaration and one `--encoding` flag covers all three exports; `--encoding` decides for
 * files without a BOM; otherwise the whole file decides: UTF-8 when all of it is valid UTF-8,
 * else Windows-1252 (`guessed`). Throws a MigrateError (exit 3) when the file is missing, is a
 * folder or cannot be read.
 */
export async function openDecodedText(file: string, options: DecodeOptions): Promise<DecodedText> {
  const handle = await openForReading(file);
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw notAFile(file);
    const buffer = new Uint8Array(Math.max(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, LONGEST_BOM));
    // Read until we hold enough bytes to recognise any BOM (a tiny chunk size may need several reads).
    let held = 0;
    let ended = false;
    while (held < LONGEST_BOM) {
      const bytesRead = await readInto(handle, buffer.subarray(held), file);
      if (bytesRead === 0) {
        ended = true;
        break;
      }
      held += bytesRead;
    }
    const bom = detectBom(buffer.subarray(0, held));
    // Without a BOM or --encoding the whole file decides, before any row is read: one encoding
    // for all of it, so no row is decoded one way and its neighbour another.
    const guessed = bom === null && options.encoding === 'auto' && !(await isUtf8File(file));
    const encoding = bom?.encoding ?? (guessed ? 'windows1252' : forcedEncoding(options.encoding));
    const first = buffer.slice(bom?.length ?? 0, held);
    return { encoding, fromBom: bom !== null, guessed, chunks: decodeChunks(handle, buffer, first, ended, encoding, file) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Lead bytes announce how long their sequence is; continuation bytes are 10xxxxxx. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 0;
}

/**
 * Where a chunk's complete UTF-8 sequences end: a sequence cut by the chunk's end waits for the
 * next chunk (at most 3 bytes carried).
 */
function completeUpTo(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    return sequenceLength(byte) > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Whether the whole file is valid UTF-8 (Node's native check, chunk by chunk). One extra read of the file. */
async function isUtf8File(file: string): Promise<boolean> {
  const handle = await openForReading(file);
  try {
    const buffer = new Uint8Array(DEFAULT_CHUNK_BYTES + 3);
    let carried = 0;
    for (;;) {
      const bytesRead = await readInto(handle, buffer.subarray(carried, carried + DEFAULT_CHUNK_BYTES), file);
      const held = carried + bytesRead;
      if (bytesRead === 0) return carried === 0;
      const cut = completeUpTo(buffer.subarray(0, held));
      if (!isUtf8(buffer.subarray(0, cut))) return false;
      buffer.copyWithin(0, cut, held);
      carried = held - cut;
    }
  } finally {
    await handle.close();
  }
}

async function* decodeChunks(
  handle: FileHandle,
  buffer: Uint8Array,
  first: Uint8Array,
  ended: boolean,
  encoding: TextEncodingName,
  file: string,
): AsyncGenerator<string, void, undefined> {
  // fatal:false: an undecodable byte becomes U+FFFD, which the table reader reports for its row
  // (BYTES_UNDECODABLE) instead of stopping the whole file. ignoreBOM: we removed the BOM already.
  const decoder = new TextDecoder(DECODER_LABEL[encoding], { fatal: false, ignoreBOM: true });
  try {
    // `stream: true` keeps a multi-byte character or UTF-16 code unit split across reads intact.
    const head = decoder.decode(first, { stream: true });
    if (head !== '') yield head;
    if (!ended) {
      for (;;) {
        const bytesRead = await readInto(handle, buffer, file);
        if (bytesRead === 0) break;
        const text = decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
        if (text !== '') yield text;
      }
    }
    const tail = decoder.decode();
    if (tail !== '') yield tail;
  } finally {
    await handle.close();
  }
}
