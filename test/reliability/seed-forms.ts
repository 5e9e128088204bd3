/**
 * A hardware-token seed in the forms a seed file may write it, and a check that a text holds no
 * part of it in any form (secrets never appear in logs, reports, error messages or the journal:
 * docs/design.md "Security").
 */
import fc from 'fast-check';
import { encodeBase32 } from '../../src/base32.js';

const BASE32_BLOCK_CHARACTERS = 8;
// 80 bits of the seed: a run this long in a message is a leak, and cannot occur by chance.
const LEAK_WINDOW_BASE32 = 16;
const LEAK_WINDOW_HEX = 20;
const GROUP_CHARACTERS = 4;

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function grouped(text: string, separator: string): string {
  return (text.match(new RegExp(`.{1,${GROUP_CHARACTERS}}`, 'g')) ?? []).join(separator);
}

export type SeedForm = 'base32' | 'base32-lower' | 'base32-padded' | 'base32-spaced' | 'hex' | 'hex-upper' | 'hex-dashed';

/** The seed as a seed file writes it in `form`. */
export function written(bytes: Uint8Array, form: SeedForm): string {
  const upper = encodeBase32(bytes);
  switch (form) {
    case 'base32':
      return upper;
    case 'base32-lower':
      return upper.toLowerCase();
    case 'base32-padded':
      return upper.padEnd(Math.ceil(upper.length / BASE32_BLOCK_CHARACTERS) * BASE32_BLOCK_CHARACTERS, '=');
    case 'base32-spaced':
      return grouped(upper, ' ');
    case 'hex':
      return hex(bytes);
    case 'hex-upper':
      return hex(bytes).toUpperCase();
    case 'hex-dashed':
      return grouped(hex(bytes), '-');
  }
}

/** 10 to 40 random bytes: from the shortest seed vendors ship to a SHA-256 key and more. */
export const seedBytes = fc.uint8Array({ minLength: 10, maxLength: 40 });
export const seedForms = fc.constantFrom<SeedForm>('base32', 'base32-lower', 'base32-padded', 'base32-spaced', 'hex', 'hex-upper', 'hex-dashed');

function windows(text: string, size: number): string[] {
  const found: string[] = [];
  for (let start = 0; start + size <= text.length; start++) found.push(text.slice(start, start + size));
  return found;
}

/**
 * The part of the seed `text` shows (any 80 bits of it as Base32 or hex, whatever the case,
 * spacing or dashes), or null when it shows none.
 */
export function seedShownIn(text: string, bytes: Uint8Array): string | null {
  const compact = text.replace(/[\s=-]/g, '').toUpperCase();
  const pieces = [...windows(encodeBase32(bytes), LEAK_WINDOW_BASE32), ...windows(hex(bytes).toUpperCase(), LEAK_WINDOW_HEX)];
  return pieces.find((piece) => compact.includes(piece)) ?? null;
}
