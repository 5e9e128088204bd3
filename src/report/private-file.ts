/**
 * Report files hold phone numbers and names: each is written to a temporary file (mode 0600) in
 * its final folder (mode 0700), fsynced, and renamed over the old report, so a reader — or a
 * crash — sees the previous report or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Text is buffered up to this many characters before one write: a row costs no system call. */
const WRITE_BUFFER_CHARS = 256 * 1024;

/** Creates the folder (and missing parents) private to this account, and makes an existing one private. */
export async function ensurePrivateFolder(path: string): Promise<void> {
  // One level at a time, not `recursive`: Node's recursive mkdir loops for ever when a parent
  // answers ENOENT for a child it can never hold (/proc), where this gives the error back.
  const missing: string[] = [];
  for (let folder = resolve(path); !(await exists(folder)); folder = dirname(folder)) {
    missing.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of missing) {
    try {
      await mkdir(folder, { mode: PRIVATE_FOLDER_MODE });
    } catch (error) {
      // Another process (a second report of the same run) may have made it in between.
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
  }
  // A file in the way is the admin's: left as it is, with the answer mkdir would have given.
  if (!(await stat(path)).isDirectory()) throw Object.assign(new Error(`${path} is not a folder`), { code: 'ENOTDIR' });
  await chmod(path, PRIVATE_FOLDER_MODE);
}

/** Whether anything is at `path`; ENOENT is the only answer that means no (EACCES and the rest are thrown). */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
}

export class PrivateFile {
  readonly #handle: FileHandle;
  /** Where the text is written until commit. */
  readonly temporaryPath: string;
  /** Where commit puts it. */
  readonly path: string;
  #buffer: string[] = [];
  #buffered = 0;
  #closed = false;
  /** Writes in flight, chained: a FileHandle must not be written twice at once (Node's fs docs). */
  #writing: Promise<void> = Promise.resolve();

  private constructor(handle: FileHandle, temporaryPath: string, path: string) {
    this.#handle = handle;
    this.temporaryPath = temporaryPath;
    this.path = path;
  }

  /** A new temporary file beside `path` (its folder must exist). */
  static async create(path: string): Promise<PrivateFile> {
    const temporaryPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    // 'wx': never follow or reuse a file someone placed there.
    const handle = await open(temporaryPath, 'wx', PRIVATE_FILE_MODE);
    return new PrivateFile(handle, temporaryPath, path);
  }

  /**
   * Adds text. Returns a promise only when the buffer was full and went to disk: await it before
   * writing more. A million rows cost no million promises.
   */
  write(text: string): Promise<void> | undefined {
    this.#buffer.push(text);
    this.#buffered += text.length;
    return this.#buffered >= WRITE_BUFFER_CHARS ? this.#flush() : undefined;
  }

  /**
   * The file as a stream, for a library that writes streams (exceljs). Do not mix it with write();
   * end it (and wait for its 'finish') before commit.
   */
  writableStream(): Writable {
    // Not the handle's own createWriteStream, which closes the handle when it ends: commit must fsync it first.
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        // Discarded: what the library still sends is dropped, not written to a closed handle.
        if (this.#closed) {
          done();
          return;
        }
        this.#handle.write(chunk).then(() => { done(); }, done);
      },
    });
  }

  /** Appends the bytes of another file (a spool). */
  async append(path: string): Promise<void> {
    await this.#flush();
    for await (const chunk of createReadStream(path)) {
      if (!(chunk instanceof Buffer)) throw new Error(`reading ${path} gave text, not bytes`);
      await this.#handle.write(chunk);
    }
  }

  /** Flushes and closes the file, leaving it at temporaryPath (a spool to append elsewhere). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#flush();
    this.#closed = true;
    await this.#handle.close();
  }

  /** Flushes, fsyncs and renames the file over `path`. */
  async commit(): Promise<void> {
    await this.#flush();
    await this.#handle.sync();
    await this.close();
    await rename(this.temporaryPath, this.path);
  }

  /** Closes and removes the temporary file; safe to call after a failure, and after commit (then it does nothing). */
  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#handle.close().catch(() => undefined);
    }
    await rm(this.temporaryPath, { force: true });
  }

  #flush(): Promise<void> {
    if (this.#buffered > 0) {
      const text = this.#buffer.join('');
      this.#buffer = [];
      this.#buffered = 0;
      this.#writing = this.#writing.then(async () => { await this.#handle.write(text, null, 'utf8'); });
    }
    return this.#writing;
  }
}
