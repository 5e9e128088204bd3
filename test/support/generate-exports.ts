/**
 * Synthetic MFA Server exports for benchmarks and tests: users.csv shaped like
 * MFA Server "File > Export Users", devices.csv (mobile-app activations) and tokens.csv (Entra's
 * hardware OATH upload format). The mix exercises every mapping rule (R1–R16), plus about 1 %
 * deliberately bad user rows. Output is deterministic from the seed and streamed with
 * backpressure, so a million users need constant memory.
 *
 * It lives with the tests, which use it too; `bench/generate-exports.ts` is its command line:
 *
 *   node dist/bench/generate-exports.js --users 100000 --out bench/data/100k [--seed 42]
 *     [--devices-per-user 1] [--token-share 0.05] [--encoding utf8|utf16le]
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import {
  getExampleNumber,
  isValidPhoneNumber,
  parsePhoneNumber,
  type CountryCode,
} from 'libphonenumber-js/max';
import { BASE32_ALPHABET } from '../../src/base32.js';
import { ExitCode } from '../../src/errors.js';

export type ExportEncoding = 'utf8' | 'utf16le';

/** What to generate. */
export interface GenerateOptions {
  /** Data rows in users.csv, deliberately bad rows included. */
  users: number;
  /** Folder receiving users.csv, devices.csv and tokens.csv; created when missing. */
  outDir: string;
  /** Same seed, same options → byte-identical files. */
  seed: number;
  /** Average device rows per user (1.0 → about `users` rows), orphan devices included. */
  devicesPerUser: number;
  /** Share of users whose method is OATH token with a hardware token serial (0.05 in benchmarks). */
  tokenShare: number;
  /** utf8: LF, no BOM. utf16le: BOM FF FE and CRLF, like exports saved on Windows. */
  encoding: ExportEncoding;
  /** Username shapes; only the realistic mix (≈70 % UPN, 20 % DOMAIN\sam, 10 % bare sam) exists. */
  upnStyle?: 'mixed';
}

/** Paths written and row counts (data rows, headers and blank lines excluded). */
export interface GeneratedFiles {
  users: string;
  devices: string;
  tokens: string;
  /**
   * `badRows` counts users.csv rows damaged on purpose: primary phone too short (PHONE_INVALID),
   * empty username (ROW_INVALID), a repeated username in other case (DUPLICATE_USER) and method
   * `Fax` (VALUE_UNKNOWN). Valid-but-awkward rows (quoted commas, line breaks, non-digit
   * extensions, orphan devices, missing or bad seeds) are not counted.
   */
  counts: { users: number; devices: number; tokens: number; badRows: number };
}

// ---------------------------------------------------------------------------------------------
// Shares of the mix. Each is the probability per user row unless said otherwise.

const SHARE_USERNAME_UPN = 0.7;
const SHARE_USERNAME_DOMAIN_SAM = 0.2; // the rest (≈10 %) is a bare sam
const SHARE_UPN_CAPITALISED = 0.03;
const UPN_SUFFIX = 'contoso.com';
const NETBIOS_DOMAIN = 'CONTOSO';

/** Each bad-row kind gets a quarter of the ≈1 % bad rows. */
const SHARE_BAD_ROW_EACH = 0.0025;

const SHARE_LAST_NAME_SUFFIX = 0.01; // "Smith, Jr." — a quoted field with a comma
const SHARE_NICKNAME_QUOTES = 0.002; // Robert "Bob" — escaped double quotes
const SHARE_LINE_BREAK = 0.0005; // a line break inside a quoted field
const SHARE_EMAIL_EMPTY = 0.03;
const SHARE_BLANK_LINE = 0.0002;

const SHARE_COUNTRY_CODE_PLUS = 0.12; // "+44"
const SHARE_COUNTRY_CODE_NAMED = 0.08; // "United Kingdom +44"
const SHARE_NANP_COUNTRY_CODE_EMPTY = 0.02; // falls back to --default-country-code 1
const SHARE_PHONE_PADDED = 0.003; // surrounding spaces
const SHARE_EXTENSION = 0.1;
const SHARE_EXTENSION_UNSUPPORTED = 0.002; // "," or "#": EXTENSION_UNSUPPORTED (R2)
const SHARE_EXTENSION_IN_PHONE = 0.1; // of extensions: written "x123" / "ext. 123" in the phone
const SHARE_BACKUP = 0.3;
const SHARE_BACKUP_EQUAL = 0.02; // of all users, part of SHARE_BACKUP (R6)
const SHARE_BACKUP_OTHER_COUNTRY = 0.2; // of backups
const SHARE_BACKUP_EXTENSION = 0.05; // of backups (R4 office)

const SHARE_MODES_EMPTY = 0.1;
const SHARE_PIN_MODE = 0.03; // R10
const SHARE_ENABLED = 0.97;
const SHARE_LANGUAGE_ENGLISH_ANYWAY = 0.05;

const DEVICE_MULTI_BASE_SHARE = 0.04; // users with 2–7 devices
const DEVICE_MULTI_MIN = 2;
const DEVICE_MULTI_MAX = 7;
const DEVICE_MULTI_MEAN = (DEVICE_MULTI_MIN + DEVICE_MULTI_MAX) / 2;
const DEVICES_PER_USER_MAX = DEVICE_MULTI_MAX;
const SHARE_ORPHAN_DEVICE = 0.002; // of device rows (ORPHAN_DEVICE)
const SHARE_DEVICE_PERSONAL_NAME = 0.08; // "Anna’s iPhone"
const SHARE_DEVICE_NO_SECRET = 0.05;
const SHARE_DEVICE_NEVER_USED = 0.02;
const SHARE_DATE_ISO = 0.1;
const SHARE_IOS = 0.55;

const SHARE_TOKEN_SEED_MISSING = 0.01; // of OATH users (TOKEN_SEED_MISSING)
const SHARE_TOKEN_SEED_INVALID = 0.005; // of token rows (TOKEN_SEED_INVALID)
const SHARE_TOKEN_UPN_EMPTY = 0.5; // joined through the users' serial instead
const SHARE_TOKEN_HEX = 0.3;
const SHARE_TOKEN_INTERVAL_60 = 0.1;
const SHARE_TOKEN_SPARE = 0.02; // of token rows: unassigned tokens in the vendor file (TOKEN_UNCLAIMED)

/** Entra hardware OATH seeds are 20 bytes in practice (160-bit HMAC-SHA1 keys). */
const SEED_BYTES = 20;
const SERIAL_DIGITS = 9;
const SERIAL_SPACE = 10 ** SERIAL_DIGITS;
/** Odd and not a multiple of 5: multiplying by it permutes 0..10^9-1, so serials stay unique. */
const SERIAL_SCRAMBLE = 7_919;

const ACTIVATED_FROM_S = Date.UTC(2018, 0, 1) / 1000;
const ACTIVATED_TO_S = Date.UTC(2025, 5, 30) / 1000;
const LAST_USED_TO_S = Date.UTC(2025, 10, 1) / 1000;

/** Characters buffered per file before a write; big chunks keep the stream calls few. */
const FLUSH_CHARS = 256 * 1024;
const STREAM_HIGH_WATER_MARK_BYTES = 1024 * 1024;

export const USERS_HEADER = [
  'Username', 'First Name', 'Last Name', 'Email', 'Primary Country Code', 'Primary Phone',
  'Primary Extension', 'Backup Country Code', 'Backup Phone', 'Backup Extension', 'Method',
  'Phone Call Mode', 'Text Message Mode', 'Mobile App Mode', 'Enabled', 'OATH Token Serial',
  'Language',
] as const;
export const DEVICES_HEADER = [
  'Username', 'Device Name', 'Device Token', 'Notification Type', 'OATH Secret Key', 'OS',
  'App Version', 'Activated', 'Last Used',
] as const;
export const TOKENS_HEADER = [
  'upn', 'serial number', 'secret key', 'time interval', 'manufacturer', 'model',
] as const;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

/** mulberry32: tiny, fast, and good enough for test data; never Math.random. */
class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** [0, 1) */
  next(): number {
    return this.uint32() / 4_294_967_296;
  }

  /** [0, maxExclusive) */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** [min, max] */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return itemAt(items, this.int(items.length));
  }

  digits(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String(this.int(10));
    return text;
  }

  /** `count` characters of an ASCII alphabet; built in a byte buffer, string concatenation is slow here. */
  fromAlphabet(alphabet: string, count: number): string {
    const scratch = this.scratch(count);
    for (let i = 0; i < count; i++) scratch[i] = alphabet.charCodeAt(this.int(alphabet.length));
    return scratch.toString('latin1', 0, count);
  }

  /** `byteCount` random bytes, encoded natively by Buffer. */
  bytes(byteCount: number, encoding: 'hex' | 'base64url'): string {
    const scratch = this.scratch(byteCount + 3);
    for (let offset = 0; offset < byteCount; offset += 4) scratch.writeUInt32LE(this.uint32(), offset);
    return scratch.toString(encoding, 0, byteCount);
  }

  private scratchBuffer = Buffer.alloc(256);

  private scratch(size: number): Buffer {
    if (this.scratchBuffer.length < size) this.scratchBuffer = Buffer.alloc(size);
    return this.scratchBuffer;
  }
}

function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`index ${index} outside a list of ${items.length}`);
  return item;
}

class WeightedChoice<T> {
  private readonly items: readonly T[];
  private readonly cumulative: readonly number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    let sum = 0;
    const cumulative: number[] = [];
    for (const [, weight] of entries) {
      sum += weight;
      cumulative.push(sum);
    }
    this.items = entries.map(([item]) => item);
    this.cumulative = cumulative;
    this.total = sum;
  }

  pick(prng: Prng): T {
    const target = prng.next() * this.total;
    let index = 0;
    while (index < this.cumulative.length - 1 && itemAt(this.cumulative, index) <= target) index++;
    return itemAt(this.items, index);
  }
}

// ---------------------------------------------------------------------------------------------
// Names.

const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Emma', 'Frank', 'Grace', 'Henry', 'Isabel', 'Jack', 'Karen',
  'Liam', 'Maria', 'Noah', 'Olivia', 'Peter', 'Quinn', 'Rachel', 'Samuel', 'Tara', 'Umar', 'Vera',
  'William', 'Xavier', 'Yusuf', 'Zoë', 'José', 'François', 'Søren', 'Åsa', 'Łukasz', 'Chloé',
  'Jürgen', 'Björn', 'Priya', 'Arjun', 'Hiroshi', 'Yuki', 'Mei', 'Wei', 'João', 'Ana', 'Carlos',
  'Lucía', 'Fatima', 'Olga', 'Siobhán', 'Niamh', 'Mateo', 'Ingrid',
] as const;

const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson',
  'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker',
  'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell',
  'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Parker', 'Collins', 'Edwards',
  'Stewart', "O'Brien", 'Müller', 'Schmidt', 'Schröder', 'Dubois', 'Lefèvre', 'García',
  'Martínez', 'Núñez', 'Kowalski', 'Wiśniewski', 'Nguyen', 'Tanaka', 'Nakamura', 'Suzuki',
  'Patel', 'Sharma', 'Singh', 'Silva', 'Gonçalves', 'Andersson', 'Øvergaard', 'Van der Berg',
] as const;

interface PersonName {
  readonly display: string;
  /** ASCII, lower-case, letters only: what goes into usernames and emails. */
  readonly slug: string;
}

function toPersonName(display: string): PersonName {
  const slug = display
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  return { display, slug };
}

const FIRST = FIRST_NAMES.map(toPersonName);
const LAST = LAST_NAMES.map(toPersonName);
const NAME_SUFFIXES = ['Jr.', 'Sr.', 'III'] as const;
const NICKNAMES = ['Bob', 'Liz', 'Bill', 'Kate', 'Sam'] as const;

// ---------------------------------------------------------------------------------------------
// Countries and phone numbers.

interface CountrySpec {
  readonly region: CountryCode;
  readonly name: string;
  /** Percent of users whose primary phone is in this country. */
  readonly weight: number;
  readonly language: string;
  /** Number prefixes (national significant number minus its last 4 digits) beside the example's. */
  readonly extraPrefixes: readonly string[];
}

/** NANP numbers use the 555 exchange: valid for libphonenumber, never a real subscriber. */
const COUNTRIES: readonly CountrySpec[] = [
  { region: 'US', name: 'United States', weight: 50, language: 'English', extraPrefixes: ['425555', '206555', '212555', '415555', '312555', '617555'] },
  { region: 'CA', name: 'Canada', weight: 5, language: 'English', extraPrefixes: ['416555', '604555', '613555'] },
  { region: 'GB', name: 'United Kingdom', weight: 10, language: 'English', extraPrefixes: ['770012', '783456'] },
  { region: 'DE', name: 'Germany', weight: 8, language: 'German', extraPrefixes: ['170123'] },
  { region: 'FR', name: 'France', weight: 5, language: 'French', extraPrefixes: [] },
  { region: 'IN', name: 'India', weight: 6, language: 'English', extraPrefixes: [] },
  { region: 'AU', name: 'Australia', weight: 4, language: 'English', extraPrefixes: [] },
  { region: 'JP', name: 'Japan', weight: 3, language: 'Japanese', extraPrefixes: [] },
  { region: 'BR', name: 'Brazil', weight: 3, language: 'Portuguese', extraPrefixes: [] },
  { region: 'MX', name: 'Mexico', weight: 2, language: 'Spanish', extraPrefixes: [] },
  { region: 'NL', name: 'Netherlands', weight: 1, language: 'Dutch', extraPrefixes: [] },
  { region: 'ES', name: 'Spain', weight: 1, language: 'Spanish', extraPrefixes: [] },
  { region: 'IT', name: 'Italy', weight: 1, language: 'Italian', extraPrefixes: [] },
  { region: 'SE', name: 'Sweden', weight: 0.5, language: 'Swedish', extraPrefixes: [] },
  { region: 'IE', name: 'Ireland', weight: 0.5, language: 'English', extraPrefixes: [] },
];

type PhoneStyle = 'national' | 'dashed' | 'dotted' | 'digits' | 'international' | 'e164';

const PHONE_STYLES = new WeightedChoice<PhoneStyle>([
  ['national', 45], ['dashed', 12], ['dotted', 8], ['digits', 12], ['international', 18], ['e164', 5],
]);

/** A formatted number with its last 4 digits cut out: parts[0] d parts[1] d parts[2] d parts[3] d parts[4]. */
type PhoneTemplate = readonly [string, string, string, string, string];

interface PhonePrefix {
  readonly templates: ReadonlyMap<PhoneStyle, PhoneTemplate>;
  /** Too few digits to be valid anywhere in the country: the PHONE_INVALID bad row. */
  readonly tooShort: string;
}

interface PhoneCountry {
  readonly spec: CountrySpec;
  readonly callingCode: string;
  readonly prefixes: readonly PhonePrefix[];
}

function templateOf(formatted: string): PhoneTemplate {
  const cuts: number[] = [];
  for (let i = formatted.length - 1; i >= 0 && cuts.length < 4; i--) {
    const char = formatted.charAt(i);
    if (char >= '0' && char <= '9') cuts.unshift(i);
  }
  const [a, b, c, d] = cuts;
  if (a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`phone format "${formatted}" has fewer than 4 digits`);
  }
  return [
    formatted.slice(0, a), formatted.slice(a + 1, b), formatted.slice(b + 1, c),
    formatted.slice(c + 1, d), formatted.slice(d + 1),
  ];
}

function fillTemplate(template: PhoneTemplate, lastFour: string): string {
  return template[0] + lastFour.charAt(0) + template[1] + lastFour.charAt(1) + template[2]
    + lastFour.charAt(2) + template[3] + lastFour.charAt(3) + template[4];
}

/**
 * Learns each country's valid shapes from libphonenumber's mobile examples; only the last 4
 * digits vary per row, a range checked valid here once (0000, 5000 and 9999 of every prefix) so
 * rows need no per-row validation.
 */
function buildPhoneCountry(spec: CountrySpec): PhoneCountry {
  const example = getExampleNumber(spec.region, mobileExamples);
  if (example === undefined) throw new Error(`libphonenumber has no example number for ${spec.region}`);
  const prefixes = [example.nationalNumber.slice(0, -4), ...spec.extraPrefixes].map((prefix) => {
    for (const lastFour of ['0000', '5000', '9999']) {
      // Valid, and in the country itself (+44 7911 12… is Guernsey, not the United Kingdom).
      const sample = parsePhoneNumber(prefix + lastFour, spec.region);
      if (!sample.isValid() || sample.country !== spec.region) {
        throw new Error(`${spec.region} prefix ${prefix} with ${lastFour} is not a valid ${spec.region} number`);
      }
    }
    const tooShort = prefix.slice(0, 5);
    if (isValidPhoneNumber(tooShort, spec.region)) {
      throw new Error(`${spec.region} number ${tooShort} was meant to be invalid`);
    }
    const parsed = parsePhoneNumber(prefix + '0000', spec.region);
    const national = parsed.formatNational();
    const dashed = national.replace(/[()]/g, '').trim().replace(/[\s-]+/g, '-');
    const templates = new Map<PhoneStyle, PhoneTemplate>([
      ['national', templateOf(national)],
      ['dashed', templateOf(dashed)],
      ['dotted', templateOf(dashed.replace(/-/g, '.'))],
      ['digits', templateOf(national.replace(/\D/g, ''))],
      ['international', templateOf(parsed.formatInternational())],
      ['e164', templateOf(parsed.number)],
    ]);
    return { templates, tooShort };
  });
  return { spec, callingCode: example.countryCallingCode, prefixes };
}

interface PhoneNumberDraw {
  readonly country: PhoneCountry;
  readonly prefix: PhonePrefix;
  readonly lastFour: string;
}

function templateFor(prefix: PhonePrefix, style: PhoneStyle): PhoneTemplate {
  const template = prefix.templates.get(style);
  if (template === undefined) throw new Error(`no ${style} phone template`);
  return template;
}

// ---------------------------------------------------------------------------------------------
// Devices.

const IOS_DEVICES = [
  'iPhone 11', 'iPhone 12', 'iPhone 13', 'iPhone 14', 'iPhone 15', 'iPhone 15 Pro', 'iPhone 16',
  'iPhone SE', 'iPad Air',
] as const;
const ANDROID_DEVICES = [
  'Pixel 6', 'Pixel 7', 'Pixel 8', 'Pixel 9', 'Galaxy S22', 'Galaxy S23', 'Galaxy S24',
  'Galaxy A54', 'moto g power', 'OnePlus 12',
] as const;
const IOS_VERSIONS = ['15.8', '16.7', '17.2', '17.4', '17.6', '18.1'] as const;
const ANDROID_VERSIONS = ['11', '12', '13', '14', '15'] as const;
/** APNs device tokens are 32 bytes, shown as hex; FCM tokens are an instance id, ':' and a long token. */
const APNS_TOKEN_BYTES = 32;
const FCM_INSTANCE_ID_BYTES = 16;
const FCM_TOKEN_BYTES = 30;
const INVALID_SEED_CHARACTERS = '!?%*&~';
/** Base32 length of SEED_BYTES. */
const SEED_BASE32_CHARS = Math.ceil((SEED_BYTES * 8) / 5);

interface DeviceMix {
  /** Share of users with DEVICE_MULTI_MIN..MAX devices. */
  readonly multiShare: number;
  /** Share of the other users with exactly one device. */
  readonly singleShare: number;
}

/** Keeps ≈4 % of users with several devices while meeting the requested average. */
function deviceMix(devicesPerUser: number): DeviceMix {
  const average = Math.min(Math.max(devicesPerUser, 0), DEVICES_PER_USER_MAX);
  const multiOnly = DEVICE_MULTI_BASE_SHARE * DEVICE_MULTI_MEAN;
  if (average <= multiOnly) return { multiShare: average / DEVICE_MULTI_MEAN, singleShare: 0 };
  const withEveryoneSingle = multiOnly + (1 - DEVICE_MULTI_BASE_SHARE);
  if (average <= withEveryoneSingle) {
    return {
      multiShare: DEVICE_MULTI_BASE_SHARE,
      singleShare: (average - multiOnly) / (1 - DEVICE_MULTI_BASE_SHARE),
    };
  }
  return { multiShare: Math.min(1, (average - 1) / (DEVICE_MULTI_MEAN - 1)), singleShare: 1 };
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** MFA Server's `M/D/YYYY h:mm:ss AM` (server local time, no zone). */
function formatServerDate(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const hours = date.getUTCHours();
  const hours12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${hours12}:`
    + `${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

function formatIsoDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Another spelling of the same name: a duplicate that R12 must fold case-insensitively. */
function otherCase(text: string): string {
  const lower = text.toLowerCase();
  return lower === text ? text.toUpperCase() : lower;
}

// ---------------------------------------------------------------------------------------------
// Buffered CSV output with backpressure.

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

class CsvFileWriter {
  rows = 0;
  /** Lines waiting for a write; joined once per chunk (a long `+=` rope is slow to encode). */
  private pending: string[] = [];
  private pendingChars = 0;
  private failure: Error | undefined;

  private constructor(
    readonly filePath: string,
    private readonly stream: WriteStream,
    private readonly encoding: ExportEncoding,
    readonly eol: string,
  ) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  static async open(filePath: string, encoding: ExportEncoding): Promise<CsvFileWriter> {
    const stream = createWriteStream(filePath, { highWaterMark: STREAM_HIGH_WATER_MARK_BYTES });
    await once(stream, 'open');
    // Windows saves UTF-16LE exports with a BOM and CRLF; the readers detect both.
    const writer = new CsvFileWriter(filePath, stream, encoding, encoding === 'utf16le' ? '\r\n' : '\n');
    if (encoding === 'utf16le') writer.append('\ufeff');
    return writer;
  }

  header(fields: readonly string[]): void {
    this.append(fields.join(',') + this.eol);
  }

  row(fields: readonly string[]): void {
    // join() builds flat strings; `+=` ropes cost more to flatten when the chunk is encoded.
    this.append(fields.map(csvField).join(','));
    this.append(this.eol);
    this.rows++;
  }

  blankLine(): void {
    this.append(this.eol);
  }

  private append(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
  }

  get full(): boolean {
    return this.pendingChars >= FLUSH_CHARS;
  }

  async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), this.encoding);
    this.pending = [];
    this.pendingChars = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  /** Stops writing after a failure elsewhere; the partial file stays for inspection. */
  abort(): void {
    this.stream.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The generator.

type BadRowKind = 'none' | 'phoneTooShort' | 'usernameEmpty' | 'usernameDuplicate' | 'methodUnknown';

const BAD_ROW_KINDS = new WeightedChoice<BadRowKind>([
  ['phoneTooShort', 1], ['usernameEmpty', 1], ['usernameDuplicate', 1], ['methodUnknown', 1],
]);

const OTHER_METHODS = new WeightedChoice<string>([
  ['Phone call', 45], ['Text message', 20], ['Mobile app', 30],
]);

/** Which of the three mode columns a method's PIN mode lives in. */
const PIN_MODE_OF_METHOD: ReadonlyMap<string, 0 | 1 | 2> = new Map([
  ['Phone call', 0], ['Text message', 1], ['Mobile app', 2],
] as const);

interface Writers {
  readonly users: CsvFileWriter;
  readonly devices: CsvFileWriter;
  readonly tokens: CsvFileWriter;
}

class ExportGenerator {
  badRows = 0;
  private readonly prng: Prng;
  private readonly countries: WeightedChoice<PhoneCountry>;
  private readonly devices: DeviceMix;
  /** The last good username written: the next duplicate repeats it in another case (R15). */
  private lastUsername = '';

  constructor(
    private readonly options: GenerateOptions,
    private readonly writers: Writers,
  ) {
    this.prng = new Prng(options.seed);
    this.countries = new WeightedChoice(
      COUNTRIES.map((spec) => [buildPhoneCountry(spec), spec.weight] as const),
    );
    this.devices = deviceMix(options.devicesPerUser);
  }

  /** Writes the users.csv row of user `index` and its device and token rows. */
  user(index: number): void {
    const { prng } = this;
    const n = index + 1;
    const first = prng.pick(FIRST);
    const last = prng.pick(LAST);
    let badKind = prng.chance(SHARE_BAD_ROW_EACH * 4) ? BAD_ROW_KINDS.pick(prng) : 'none';
    if (badKind === 'usernameDuplicate' && this.lastUsername === '') badKind = 'none';
    if (badKind !== 'none') this.badRows++;
    // Rows without a username of their own hold no devices or token: they would only repeat R15/R16.
    const ownsUsername = badKind !== 'usernameEmpty' && badKind !== 'usernameDuplicate';

    const { username, upn } = this.username(badKind, first, last, n);
    const country = this.countries.pick(prng);
    const primary = this.drawNumber(country);
    let phone = badKind === 'phoneTooShort' ? primary.prefix.tooShort : this.formatNumber(primary);
    let extension = '';
    if (prng.chance(SHARE_EXTENSION_UNSUPPORTED)) {
      extension = prng.pick([`,,${prng.digits(3)}`, `${prng.digits(3)}#`, `#${prng.digits(2)}`]);
    } else if (prng.chance(SHARE_EXTENSION)) {
      extension = prng.digits(prng.between(2, 5));
      if (prng.chance(SHARE_EXTENSION_IN_PHONE)) {
        phone += prng.chance(0.5) ? ` x${extension}` : ` ext. ${extension}`;
        extension = '';
      }
    }
    if (prng.chance(SHARE_PHONE_PADDED)) phone = ` ${phone} `;

    let backupCountryCode = '';
    let backupPhone = '';
    let backupExtension = '';
    if (prng.chance(SHARE_BACKUP_EQUAL)) {
      // Same number, another punctuation: equal only after normalisation (R6).
      backupCountryCode = this.countryCodeField(country);
      backupPhone = this.formatNumber(primary);
      for (const style of ['international', 'e164'] as const) {
        if (backupPhone.trim() !== phone.trim()) break;
        backupPhone = fillTemplate(templateFor(primary.prefix, style), primary.lastFour);
      }
    } else if (prng.chance((SHARE_BACKUP - SHARE_BACKUP_EQUAL) / (1 - SHARE_BACKUP_EQUAL))) {
      const backupCountry = prng.chance(SHARE_BACKUP_OTHER_COUNTRY) ? this.countries.pick(prng) : country;
      backupCountryCode = this.countryCodeField(backupCountry);
      backupPhone = this.formatNumber(this.drawNumber(backupCountry));
      if (prng.chance(SHARE_BACKUP_EXTENSION)) backupExtension = prng.digits(prng.between(2, 5));
    }

    const hasToken = ownsUsername && prng.chance(this.options.tokenShare);
    let method: string;
    if (badKind === 'methodUnknown') method = 'Fax';
    else if (hasToken) method = 'OATH token';
    else method = OTHER_METHODS.pick(prng);
    const serial = hasToken ? this.serial(index) : '';

    let lastName = last.display;
    if (prng.chance(SHARE_LAST_NAME_SUFFIX)) lastName += `, ${prng.pick(NAME_SUFFIXES)}`;
    if (prng.chance(SHARE_LINE_BREAK)) lastName += `${this.writers.users.eol}${prng.pick(LAST).display}`;
    let firstName = first.display;
    if (prng.chance(SHARE_NICKNAME_QUOTES)) firstName += ` "${prng.pick(NICKNAMES)}"`;
    const email = prng.chance(SHARE_EMAIL_EMPTY) ? '' : `${first.slug}.${last.slug}${n}@${UPN_SUFFIX}`;

    const [phoneCallMode, textMessageMode, mobileAppMode] = this.modes(method);
    const language = prng.chance(SHARE_LANGUAGE_ENGLISH_ANYWAY) ? 'English' : country.spec.language;

    if (prng.chance(SHARE_BLANK_LINE)) this.writers.users.blankLine();
    this.writers.users.row([
      username, firstName, lastName, email, this.countryCodeField(country), phone, extension,
      backupCountryCode, backupPhone, backupExtension, method, phoneCallMode, textMessageMode,
      mobileAppMode, prng.chance(SHARE_ENABLED) ? 'Yes' : 'No', serial, language,
    ]);

    if (ownsUsername) this.userDevices(username, first);
    if (hasToken && !prng.chance(SHARE_TOKEN_SEED_MISSING)) this.tokenRow(upn, serial);
    else if (!hasToken && prng.chance(this.options.tokenShare * SHARE_TOKEN_SPARE)) this.tokenRow('', this.serial(index));
    if (prng.chance(SHARE_ORPHAN_DEVICE * this.options.devicesPerUser)) {
      const orphan = prng.chance(0.5) ? `former.staff${n}@${UPN_SUFFIX}` : `${NETBIOS_DOMAIN}\\xleaver${n}`;
      this.deviceRow(orphan, this.deviceName(prng.pick(FIRST)));
    }
  }

  private username(badKind: BadRowKind, first: PersonName, last: PersonName, n: number): { username: string; upn: string } {
    const { prng } = this;
    if (badKind === 'usernameEmpty') return { username: '', upn: '' };
    if (badKind === 'usernameDuplicate' && this.lastUsername !== '') {
      return { username: otherCase(this.lastUsername), upn: '' };
    }
    const sam = `${first.slug.charAt(0)}${last.slug}${n}`;
    const shape = prng.next();
    let username: string;
    let upn: string;
    if (shape < SHARE_USERNAME_UPN) {
      upn = `${first.slug}.${last.slug}${n}@${UPN_SUFFIX}`;
      username = prng.chance(SHARE_UPN_CAPITALISED)
        ? `${capitalise(first.slug)}.${capitalise(last.slug)}${n}@${UPN_SUFFIX}`
        : upn;
    } else {
      upn = `${sam}@${UPN_SUFFIX}`;
      username = shape < SHARE_USERNAME_UPN + SHARE_USERNAME_DOMAIN_SAM ? `${NETBIOS_DOMAIN}\\${sam}` : sam;
    }
    this.lastUsername = username;
    return { username, upn };
  }

  /**
   * Phone call, text message and mobile app modes: mostly standard, some rows without modes, and
   * ≈3 % of users with a PIN mode (R10), usually on their own method.
   */
  private modes(method: string): readonly [string, string, string] {
    const { prng } = this;
    if (prng.chance(SHARE_MODES_EMPTY)) return ['', '', ''];
    const modes: [string, string, string] = ['Standard', prng.chance(0.75) ? 'OTP' : 'Standard', 'Standard'];
    if (prng.chance(SHARE_PIN_MODE)) {
      const pinned = PIN_MODE_OF_METHOD.get(method) ?? prng.int(3);
      modes[pinned] = pinned === 1 ? 'OTP + PIN' : 'PIN';
    }
    return modes;
  }

  private drawNumber(country: PhoneCountry): PhoneNumberDraw {
    return { country, prefix: this.prng.pick(country.prefixes), lastFour: this.prng.digits(4) };
  }

  private formatNumber(draw: PhoneNumberDraw): string {
    return fillTemplate(templateFor(draw.prefix, PHONE_STYLES.pick(this.prng)), draw.lastFour);
  }

  private countryCodeField(country: PhoneCountry): string {
    const { prng } = this;
    if (country.callingCode === '1' && prng.chance(SHARE_NANP_COUNTRY_CODE_EMPTY)) return '';
    const roll = prng.next();
    if (roll < SHARE_COUNTRY_CODE_NAMED) return `${country.spec.name} +${country.callingCode}`;
    if (roll < SHARE_COUNTRY_CODE_NAMED + SHARE_COUNTRY_CODE_PLUS) return `+${country.callingCode}`;
    return country.callingCode;
  }

  private serial(index: number): string {
    const scrambled = (index * SERIAL_SCRAMBLE) % SERIAL_SPACE;
    return `TOTP${String(scrambled).padStart(SERIAL_DIGITS, '0')}`;
  }

  private userDevices(username: string, first: PersonName): void {
    const { prng } = this;
    let count = 0;
    if (prng.chance(this.devices.multiShare)) count = prng.between(DEVICE_MULTI_MIN, DEVICE_MULTI_MAX);
    else if (prng.chance(this.devices.singleShare)) count = 1;
    if (count === 0) return;
    const firstDeviceName = this.deviceName(first);
    this.deviceRow(username, firstDeviceName);
    for (let i = 1; i < count - 1; i++) this.deviceRow(username, this.deviceName(first));
    // Several devices always include one name repeated in another case (R12 folds them).
    if (count > 1) this.deviceRow(username, otherCase(firstDeviceName));
  }

  private deviceName(first: PersonName): string {
    const { prng } = this;
    const ios = prng.chance(SHARE_IOS);
    if (prng.chance(SHARE_DEVICE_PERSONAL_NAME)) return `${first.display}’s ${ios ? 'iPhone' : 'Galaxy'}`;
    return ios ? prng.pick(IOS_DEVICES) : prng.pick(ANDROID_DEVICES);
  }

  private deviceRow(username: string, deviceName: string): void {
    const { prng } = this;
    const lower = deviceName.toLowerCase();
    const ios = lower.includes('iphone') || lower.includes('ipad');
    const activated = ACTIVATED_FROM_S + prng.int(ACTIVATED_TO_S - ACTIVATED_FROM_S);
    const lastUsed = activated + prng.int(LAST_USED_TO_S - activated);
    const formatDate = prng.chance(SHARE_DATE_ISO) ? formatIsoDate : formatServerDate;
    this.writers.devices.row([
      username,
      deviceName,
      ios
        ? prng.bytes(APNS_TOKEN_BYTES, 'hex')
        : `${prng.bytes(FCM_INSTANCE_ID_BYTES, 'base64url')}:APA91b${prng.bytes(FCM_TOKEN_BYTES, 'base64url')}`,
      ios ? 'APNS' : 'GCM',
      prng.chance(SHARE_DEVICE_NO_SECRET) ? '' : prng.fromAlphabet(BASE32_ALPHABET, SEED_BASE32_CHARS),
      ios ? `iOS ${prng.pick(IOS_VERSIONS)}` : `Android ${prng.pick(ANDROID_VERSIONS)}`,
      ios ? `6.8.${prng.between(0, 20)}` : `6.2${prng.between(400, 512)}.${prng.between(1000, 9999)}`,
      formatDate(activated),
      prng.chance(SHARE_DEVICE_NEVER_USED) ? '' : formatDate(lastUsed),
    ]);
  }

  private tokenRow(upn: string, serial: string): void {
    const { prng } = this;
    let secret = prng.chance(SHARE_TOKEN_HEX)
      ? prng.bytes(SEED_BYTES, 'hex')
      : prng.fromAlphabet(BASE32_ALPHABET, SEED_BASE32_CHARS);
    if (prng.chance(SHARE_TOKEN_SEED_INVALID)) {
      const at = prng.int(secret.length - 3);
      secret = secret.slice(0, at) + prng.fromAlphabet(INVALID_SEED_CHARACTERS, 3) + secret.slice(at + 3);
    }
    this.writers.tokens.row([
      upn === '' || prng.chance(SHARE_TOKEN_UPN_EMPTY) ? '' : upn,
      serial,
      secret,
      prng.chance(SHARE_TOKEN_INTERVAL_60) ? '60' : '30',
      'Contoso',
      'Hardware Key',
    ]);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function checkOptions(options: GenerateOptions): void {
  if (!Number.isSafeInteger(options.users) || options.users < 0) {
    throw new RangeError(`users must be a whole number ≥ 0, got ${options.users}`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be a whole number, got ${options.seed}`);
  if (!(options.devicesPerUser >= 0 && options.devicesPerUser <= DEVICES_PER_USER_MAX)) {
    throw new RangeError(`devicesPerUser must be between 0 and ${DEVICES_PER_USER_MAX}, got ${options.devicesPerUser}`);
  }
  if (!(options.tokenShare >= 0 && options.tokenShare <= 1)) {
    throw new RangeError(`tokenShare must be between 0 and 1, got ${options.tokenShare}`);
  }
  if (options.users > SERIAL_SPACE) throw new RangeError(`users must be at most ${SERIAL_SPACE} (unique token serials)`);
}

/** Writes users.csv, devices.csv and tokens.csv into `options.outDir`; memory stays constant. */
export async function generateExports(options: GenerateOptions): Promise<GeneratedFiles> {
  checkOptions(options);
  await mkdir(options.outDir, { recursive: true });
  const opened: CsvFileWriter[] = [];
  try {
    const openWriter = async (name: string): Promise<CsvFileWriter> => {
      const writer = await CsvFileWriter.open(path.join(options.outDir, name), options.encoding);
      opened.push(writer);
      return writer;
    };
    const writers: Writers = {
      users: await openWriter('users.csv'),
      devices: await openWriter('devices.csv'),
      tokens: await openWriter('tokens.csv'),
    };
    writers.users.header(USERS_HEADER);
    writers.devices.header(DEVICES_HEADER);
    writers.tokens.header(TOKENS_HEADER);

    const generator = new ExportGenerator(options, writers);
    for (let index = 0; index < options.users; index++) {
      generator.user(index);
      if (writers.users.full) await writers.users.flush();
      if (writers.devices.full) await writers.devices.flush();
      if (writers.tokens.full) await writers.tokens.flush();
    }
    await Promise.all([writers.users.close(), writers.devices.close(), writers.tokens.close()]);
    return {
      users: writers.users.filePath,
      devices: writers.devices.filePath,
      tokens: writers.tokens.filePath,
      counts: {
        users: writers.users.rows,
        devices: writers.devices.rows,
        tokens: writers.tokens.rows,
        badRows: generator.badRows,
      },
    };
  } catch (error) {
    for (const writer of opened) writer.abort();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Command line.

const USAGE = `usage: node dist/bench/generate-exports.js --users <n> --out <dir> [--seed 42]
       [--devices-per-user 1] [--token-share 0.05] [--encoding utf8|utf16le]`;

class GeneratorUsageError extends Error {}

function numberOption(name: string, text: string, whole: boolean): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (whole && !Number.isSafeInteger(value))) {
    throw new GeneratorUsageError(`--${name} must be ${whole ? 'a whole number' : 'a number'}, got "${text}"`);
  }
  return value;
}

export function parseGeneratorArgs(args: readonly string[]): GenerateOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      users: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'devices-per-user': { type: 'string', default: '1' },
      'token-share': { type: 'string', default: '0.05' },
      encoding: { type: 'string', default: 'utf8' },
    },
  });
  if (values.users === undefined) throw new GeneratorUsageError('--users is required');
  if (values.out === undefined || values.out === '') throw new GeneratorUsageError('--out is required');
  const users = numberOption('users', values.users, true);
  if (users < 1) throw new GeneratorUsageError(`--users must be at least 1, got ${users}`);
  if (users > SERIAL_SPACE) throw new GeneratorUsageError(`--users must be at most ${SERIAL_SPACE}`);
  const devicesPerUser = numberOption('devices-per-user', values['devices-per-user'], false);
  if (devicesPerUser < 0 || devicesPerUser > DEVICES_PER_USER_MAX) {
    throw new GeneratorUsageError(`--devices-per-user must be between 0 and ${DEVICES_PER_USER_MAX}`);
  }
  const tokenShare = numberOption('token-share', values['token-share'], false);
  if (tokenShare < 0 || tokenShare > 1) throw new GeneratorUsageError('--token-share must be between 0 and 1');
  const encoding = values.encoding;
  if (encoding !== 'utf8' && encoding !== 'utf16le') {
    throw new GeneratorUsageError(`--encoding must be utf8 or utf16le, got "${encoding}"`);
  }
  return {
    users,
    outDir: values.out,
    seed: numberOption('seed', values.seed, true),
    devicesPerUser,
    tokenShare,
    encoding,
  };
}

/** The command line of bench/generate-exports.ts: writes the files and says where; returns the exit code. */
export async function runGeneratorCommand(args: readonly string[]): Promise<number> {
  let options: GenerateOptions;
  try {
    options = parseGeneratorArgs(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`generate-exports: ${message}\n${USAGE}\n`);
    return ExitCode.usage;
  }
  const started = performance.now();
  try {
    const files = await generateExports(options);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${files.users}\t${files.counts.users} rows (${files.counts.badRows} bad)\n`
      + `${files.devices}\t${files.counts.devices} rows\n`
      + `${files.tokens}\t${files.counts.tokens} rows\n`
      + `generated in ${seconds.toFixed(1)} s (seed ${options.seed}, ${options.encoding})\n`,
    );
    return ExitCode.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`generate-exports: could not write the exports to ${options.outDir}: ${message}\n`);
    return ExitCode.internal;
  }
}

