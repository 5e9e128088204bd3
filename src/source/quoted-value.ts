/**
 * Export text quoted in a message (a header the tool does not know, a value it cannot read).
 * Messages reach the terminal, the JSON document, the journal and the reports, so quoted text is
 * kept short, cannot move the cursor or colour the terminal, and never shows what looks like a key:
 * when a row's fields do not line up with the header, a seed or push token can sit in any column.
 */

/** Characters of a value shown before it is cut; a real header or value fits easily. */
export const MAX_QUOTED_CHARACTERS = 60;

// The shortest run hidden. RFC 4226 §4 asks for seeds of at least 128 bits (26 Base32 or 32 hex
// characters); 80 bits (16 Base32 characters, as in the common test seed JBSWY3DPEHPK3PXP) keeps
// shorter ones hidden too, and is still longer than a header word or a date's parts.
const SHORTEST_KEY_CHARACTERS = 16;
// Seeds and push tokens are written in groups (`JBSW Y3DP …`, `31-32-33 …`) and padded with `=`.
const KEY_GROUPING = /[\s=-]+/g;
// Base32, hex and Base64; Firebase push tokens are two such runs joined by `:` (`…:APA91b…`),
// which is also how a time splits a date into short runs that are not hidden.
const KEY_CHARACTERS = /^[A-Za-z0-9+/_.]+$/;
const DIGIT = /\d/;
// C0 controls, DEL and C1 controls (ESC and CSI start terminal sequences), and the
// bidirectional embeddings, overrides and isolates that can reorder a line as it is shown.
const LAST_C0_CONTROL = 0x1f;
const DELETE = 0x7f;
const LAST_C1_CONTROL = 0x9f;
const BIDI_EMBEDDINGS = [0x202a, 0x202e] as const;
const BIDI_ISOLATES = [0x2066, 0x2069] as const;

function isUnprintable(code: number): boolean {
  return (
    code <= LAST_C0_CONTROL ||
    (code >= DELETE && code <= LAST_C1_CONTROL) ||
    (code >= BIDI_EMBEDDINGS[0] && code <= BIDI_EMBEDDINGS[1]) ||
    (code >= BIDI_ISOLATES[0] && code <= BIDI_ISOLATES[1])
  );
}

/**
 * True when `text` holds something shaped like a secret key: a run, between `:`s and once grouping
 * is removed, of at least 16 key characters with a digit (hex and Base32 seeds nearly always have
 * one) or all in one case (the Base32 seeds that have none). Header names are words in mixed case
 * and the runs of a date are short, so neither is hidden.
 */
export function looksLikeKey(text: string): boolean {
  return text
    .replace(KEY_GROUPING, '')
    .split(':')
    .some((run) => run.length >= SHORTEST_KEY_CHARACTERS && KEY_CHARACTERS.test(run) && (DIGIT.test(run) || run === run.toUpperCase() || run === run.toLowerCase()));
}

// `text` with each unprintable character written as an escape (`\n`, `\u001b`).
function escaped(text: string): string {
  let result = '';
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (!isUnprintable(code)) result += character;
    else if (character === '\n') result += '\\n';
    else if (character === '\r') result += '\\r';
    else if (character === '\t') result += '\\t';
    else result += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return result;
}

/**
 * `text` in double quotes for a message: control characters escaped (`\n`, `\u001b`), cut after
 * MAX_QUOTED_CHARACTERS with its full length noted, or a placeholder when it looks like a key.
 */
export function quotedValue(text: string): string {
  if (looksLikeKey(text)) return `(a ${text.length}-character value shaped like a secret key, not shown)`;
  const shown = text.length > MAX_QUOTED_CHARACTERS ? `${cutAt(text, MAX_QUOTED_CHARACTERS)}…` : text;
  const quoted = `"${escaped(shown)}"`;
  return text.length > MAX_QUOTED_CHARACTERS ? `${quoted} (${text.length} characters)` : quoted;
}

const FIRST_HIGH_SURROGATE = 0xd800;
const LAST_HIGH_SURROGATE = 0xdbff;

// The first `length` UTF-16 code units, one less when that would split a surrogate pair.
function cutAt(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  const splitsPair = last >= FIRST_HIGH_SURROGATE && last <= LAST_HIGH_SURROGATE;
  return text.slice(0, splitsPair ? length - 1 : length);
}
