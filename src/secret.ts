import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * An OATH seed, client secret or token. It prints as `[REDACTED]` however it is printed
 * (template string, JSON, console.log, util.inspect), so a secret can flow through records and
 * errors without ever reaching a log, report or the journal. Only `reveal()` gives the value, and
 * only code that must send it (the Graph gateway, TOTP) calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
