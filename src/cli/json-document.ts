/**
 * `--json` output: one JSON document on stdout (its format: schemas/<command>.schema.json).
 * Per-user entries are spooled to a private temporary file as they are decided, so a
 * 1,000,000-user document costs no memory and the summary, known only at the end, can still come
 * before the users.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Entries are buffered up to this many characters before one write to the spool. */
const SPOOL_WRITE_CHARS = 256 * 1024;

/**
 * Document `D` with its array `key` spooled: the fields before the array (`head`, named by `H`)
 * and every other field after it (`tail`), so the three parts always make the whole document.
 */
export interface SpooledDocument<D, K extends keyof D & string, H extends keyof D> {
  readonly head: Pick<D, H>;
  readonly key: K;
  readonly tail: Omit<D, K | H>;
}

export class JsonArraySpool<Entry> {
  readonly #dir: string;
  readonly #path: string;
  readonly #out: WriteStream;
  #count = 0;
  #buffer = '';

  private constructor(dir: string) {
    this.#dir = dir;
    this.#path = join(dir, 'entries.json');
    // 0600: entries hold phone numbers.
    this.#out = createWriteStream(this.#path, { mode: 0o600 });
  }

  static async create<Entry>(): Promise<JsonArraySpool<Entry>> {
    return new JsonArraySpool<Entry>(await mkdtemp(join(tmpdir(), 'mfa-migrate-')));
  }

  get count(): number {
    return this.#count;
  }

  /**
   * Adds one entry. Entries are stored already separated and indented as the document shows them,
   * so the document is the spool's bytes copied between its head and tail. Returns a promise only
   * when a full buffer had to wait for the disk: a million entries cost no million promises.
   */
  add(entry: Entry): Promise<void> | undefined {
    this.#buffer += `${this.#count === 0 ? '\n    ' : ',\n    '}${JSON.stringify(entry)}`;
    this.#count += 1;
    return this.#buffer.length >= SPOOL_WRITE_CHARS ? this.#flush() : undefined;
  }

  async #flush(): Promise<void> {
    const text = this.#buffer;
    this.#buffer = '';
    if (text !== '' && !this.#out.write(text)) await once(this.#out, 'drain');
  }

  /**
   * Writes `{ ...head, [key]: [spooled entries], ...tail }` to `stdout`, then removes the spool.
   * Top-level keys and each entry stand on their own line: diff- and grep-friendly, still one document.
   */
  async writeDocument<D, K extends keyof D & string, H extends keyof D>(stdout: NodeJS.WritableStream, document: SpooledDocument<D, K, H>): Promise<void> {
    const { head, key, tail } = document;
    await this.#flush();
    this.#out.end();
    await once(this.#out, 'close');
    const write = async (text: string | Buffer): Promise<void> => {
      if (!stdout.write(text)) await once(stdout, 'drain');
    };
    const fields = (record: object): string[] =>
      Object.entries(record).map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    try {
      const before = fields(head);
      await write(`{\n${before.map((field) => `  ${field},\n`).join('')}  ${JSON.stringify(key)}: [`);
      for await (const chunk of createReadStream(this.#path, { highWaterMark: 1024 * 1024 })) await write(chunk as Buffer);
      const after = fields(tail);
      await write(`${this.#count === 0 ? ']' : '\n  ]'}${after.map((field) => `,\n  ${field}`).join('')}\n}\n`);
    } finally {
      await this.discard();
    }
  }

  async discard(): Promise<void> {
    if (!this.#out.writableEnded) {
      this.#out.end();
      await once(this.#out, 'close');
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}
