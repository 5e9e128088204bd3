/**
 * `--json` output: one JSON document on stdout (DESIGN §5). Per-user entries are spooled to a
 * private temporary file as they are decided, so a 1,000,000-user document costs no memory and
 * the summary, known only at the end, can still come first as the contract shows it.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class JsonArraySpool {
  readonly #dir: string;
  readonly #path: string;
  readonly #out: WriteStream;
  #count = 0;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#path = join(dir, 'entries.jsonl');
    // 0600: entries hold phone numbers.
    this.#out = createWriteStream(this.#path, { mode: 0o600 });
  }

  static async create(): Promise<JsonArraySpool> {
    return new JsonArraySpool(await mkdtemp(join(tmpdir(), 'mfa-migrate-')));
  }

  get count(): number {
    return this.#count;
  }

  async add(entry: unknown): Promise<void> {
    this.#count += 1;
    if (!this.#out.write(`${JSON.stringify(entry)}\n`)) await once(this.#out, 'drain');
  }

  /**
   * Writes `{ ...head, [key]: [spooled entries], ...tail }` to `stdout`, then removes the spool.
   * Top-level keys and each entry stand on their own line: diff- and grep-friendly, still one document.
   */
  async writeDocument(
    stdout: NodeJS.WritableStream,
    head: Readonly<Record<string, unknown>>,
    key: string,
    tail: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    this.#out.end();
    await once(this.#out, 'close');
    const write = async (text: string): Promise<void> => {
      if (!stdout.write(text)) await once(stdout, 'drain');
    };
    const fields = (record: Readonly<Record<string, unknown>>): string[] =>
      Object.entries(record).map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    try {
      const before = fields(head);
      await write(`{\n${before.map((field) => `  ${field},\n`).join('')}  ${JSON.stringify(key)}: [`);
      let first = true;
      const lines = createInterface({ input: createReadStream(this.#path), crlfDelay: Infinity });
      for await (const line of lines) {
        await write(`${first ? '\n    ' : ',\n    '}${line}`);
        first = false;
      }
      const after = fields(tail);
      await write(`${first ? ']' : '\n  ]'}${after.map((field) => `,\n  ${field}`).join('')}\n}\n`);
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
