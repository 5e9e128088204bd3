/**
 * validate (docs/design.md "validate command"): read the three exports and map every user offline.
 * Streams the users file so memory holds only what must be joined (devices and seeds by user, one
 * key per username), never the users themselves: each user's desired state is handed to `onUser` as
 * soon as it is decided.
 */
import type { Finding, FindingCode } from '../findings.js';
import { finding } from '../findings.js';
import type { DesiredState, MappingOptions } from '../mapping/desired-state.js';
import { mapUser } from '../mapping/map-user.js';
import { userKey } from '../mapping/usernames.js';
import type { ReadItem, ReadOptions, SourceDevice, SourceToken, SourceUser } from '../source/records.js';
import { readDevices } from '../source/devices-reader.js';
import { readTokens } from '../source/tokens-reader.js';
import { readUsers } from '../source/users-reader.js';
import type { StepDeps } from './deps.js';

export interface SourceFiles {
  readonly users: string;
  readonly devices: string | null;
  readonly tokens: string | null;
}

export interface ValidateInput {
  readonly files: SourceFiles;
  readonly read: ReadOptions;
  readonly mapping: MappingOptions;
}

export interface ValidateSummary {
  users: number;
  ready: number;
  skipped: number;
  rejected: number;
  issues: Partial<Record<FindingCode, number>>;
}

export interface ValidateResult {
  readonly summary: ValidateSummary;
  /** Findings about a file or about rows that belong to no user (orphan devices, unclaimed seeds). */
  readonly fileIssues: readonly Finding[];
}

/** Row findings that stand for a users-file row that produced no record. */
const ROW_LEVEL_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>(['BYTES_UNDECODABLE', 'ROW_INVALID']);

/**
 * Seeds indexed both ways the tokens file can name a holder (docs/design.md "R13 Hardware tokens").
 */
interface SeedIndex {
  readonly bySerial: Map<string, SourceToken[]>;
  readonly byUser: Map<string, SourceToken[]>;
  readonly claimed: Set<SourceToken>;
}

/** Who claims each hardware-token serial, found by a first light pass over the users file (R13). */
type SerialClaims = Map<string, { readonly key: string; readonly username: string; readonly line: number }[]>;

export async function runValidate(
  input: ValidateInput,
  deps: StepDeps,
  /**
   * Each user as mapped, with the users-file row it was mapped from (null for a row the reader
   * could not use). May return a promise to apply back-pressure; undefined lets the next user go at once.
   */
  onUser: (user: DesiredState, source: SourceUser | null) => Promise<void> | undefined,
): Promise<ValidateResult> {
  const fileIssues: Finding[] = [];
  const summary: ValidateSummary = { users: 0, ready: 0, skipped: 0, rejected: 0, issues: {} };
  const count = (issue: Finding): void => {
    summary.issues[issue.code] = (summary.issues[issue.code] ?? 0) + 1;
  };
  const fileIssue = (issue: Finding): void => {
    fileIssues.push(issue);
    count(issue);
  };

  const tokensWanted = input.files.tokens !== null && input.mapping.hardwareTokens !== 'off';
  const seeds = tokensWanted
    ? await indexSeeds(input.files.tokens, input, deps, fileIssue)
    : null;
  const devices = input.files.devices === null
    ? new Map<string, IndexedDevice[]>()
    : await indexDevices(input.files.devices, input, deps, fileIssue);
  const serialClaims = seeds === null ? null : await collectSerialClaims(input, deps);

  const firstLineByKey = new Map<string, number>();
  deps.progress.start(`Mapping users from ${input.files.users}`, null);
  for await (const item of readUsers(input.files.users, input.read, { methodColumns: true })) {
    if (item.kind === 'finding') {
      if (ROW_LEVEL_CODES.has(item.finding.code)) {
        await emit(unreadableRow(item.finding), null);
      } else {
        fileIssue(item.finding);
      }
      continue;
    }
    const user = item.record;
    const key = userKey(user.username, input.mapping.upnSuffix);
    const firstLine = user.username === '' ? undefined : firstLineByKey.get(key);
    if (user.username !== '' && firstLine === undefined) firstLineByKey.set(key, user.line);
    const isFirst = user.username !== '' && firstLine === undefined;

    // Devices and seeds join the first row of a username only; a duplicate row is rejected (R15).
    const userDevices = isFirst ? takeDevices(devices, input.files.devices, key) : [];
    const userTokens = isFirst && seeds !== null ? seedsFor(seeds, user, key) : [];
    const desired = mapUser(
      user,
      {
        devices: userDevices,
        tokens: userTokens,
        tokensFileGiven: input.files.tokens !== null,
        serialConflict: isFirst ? conflictFor(serialClaims, user, key) : null,
        duplicateOf: firstLine === undefined ? null : { line: firstLine },
        existingAuthenticatorNames: null,
        disabledByPolicy: new Set(),
      },
      input.mapping,
    );
    await emit(desired, user);
  }
  deps.progress.finish();

  // What is left in the device index belongs to no user of the users file (R12).
  const devicesFile = input.files.devices ?? '';
  for (const rows of devices.values()) {
    for (const device of rows) {
      fileIssue(
        finding(
          'ORPHAN_DEVICE',
          devicesFile,
          device.line,
          `${devicesFile} line ${device.line}: device "${device.deviceName ?? '(no name)'}" belongs to "${device.username}", who is not in ${input.files.users} — check the username; the device is ignored.`,
        ),
      );
    }
  }
  if (seeds !== null) {
    for (const rows of seeds.bySerial.values()) {
      for (const token of rows) {
        if (seeds.claimed.has(token)) continue;
        fileIssue(
          finding(
            'TOKEN_UNCLAIMED',
            token.file,
            token.line,
            `${token.file} line ${token.line}: hardware token ${token.serialNumber} belongs to no user of ${input.files.users} — nothing to do if it is unassigned.`,
          ),
        );
      }
    }
  }
  return { summary, fileIssues };

  async function emit(desired: DesiredState, source: SourceUser | null): Promise<void> {
    summary.users += 1;
    summary[desired.status] += 1;
    for (const issue of desired.issues) count(issue);
    deps.progress.advance(1);
    const pending = onUser(desired, source);
    if (pending !== undefined) await pending;
  }
}

/** A users-file row the reader could not turn into a record still appears, rejected, with its line. */
function unreadableRow(issue: Finding): DesiredState {
  return {
    username: '',
    upn: null,
    displayName: null,
    file: issue.file,
    line: issue.line,
    status: 'rejected',
    phones: { mobile: null, alternateMobile: null, office: null },
    requestedDefaultMethod: null,
    defaultMethod: null,
    devices: [],
    hardwareTokens: [],
    matchKeys: { samAccountName: null, email: null, sid: null, objectGuid: null },
    issues: [issue],
  };
}

/**
 * A device row as the index keeps it until its user is mapped: only what R12 and the orphan
 * finding need. At 1,000,000 device rows the full SourceDevice (five strings, two Dates) was most
 * of validate's peak memory; this keeps about a third of it (bench/validate.bench.ts).
 */
interface IndexedDevice {
  readonly username: string;
  readonly deviceName: string | null;
  readonly line: number;
  /** Epoch milliseconds, NaN when absent: a number costs less than a Date held for minutes. */
  readonly activatedAt: number;
  readonly lastUsedAt: number;
  readonly hasOathSecret: boolean;
  readonly findings: readonly Finding[];
}

const NO_FINDINGS: readonly Finding[] = [];

function indexed(device: SourceDevice): IndexedDevice {
  return {
    username: device.username,
    deviceName: device.deviceName,
    line: device.line,
    activatedAt: device.activatedAt?.getTime() ?? Number.NaN,
    lastUsedAt: device.lastUsedAt?.getTime() ?? Number.NaN,
    hasOathSecret: device.hasOathSecret,
    findings: device.findings.length === 0 ? NO_FINDINGS : device.findings,
  };
}

function sourceDevice(file: string, device: IndexedDevice): SourceDevice {
  return {
    file,
    line: device.line,
    username: device.username,
    deviceName: device.deviceName,
    // Not used by any rule; dropped from the index to save memory.
    notificationType: null,
    os: null,
    appVersion: null,
    hasOathSecret: device.hasOathSecret,
    activatedAt: Number.isNaN(device.activatedAt) ? null : new Date(device.activatedAt),
    lastUsedAt: Number.isNaN(device.lastUsedAt) ? null : new Date(device.lastUsedAt),
    findings: device.findings,
  };
}

type DeviceIndex = Map<string, IndexedDevice[]>;

async function indexDevices(
  path: string,
  input: ValidateInput,
  deps: StepDeps,
  fileIssue: (issue: Finding) => void,
): Promise<DeviceIndex> {
  const byUser: DeviceIndex = new Map();
  deps.progress.start(`Reading devices from ${path}`, null);
  for await (const item of readDevices(path, input.read)) {
    deps.progress.advance(1);
    const device = recordOrIssue(item, fileIssue);
    if (device === null) continue;
    const key = userKey(device.username, input.mapping.upnSuffix);
    const rows = byUser.get(key);
    if (rows === undefined) byUser.set(key, [indexed(device)]);
    else rows.push(indexed(device));
  }
  deps.progress.finish();
  return byUser;
}

async function indexSeeds(
  path: string,
  input: ValidateInput,
  deps: StepDeps,
  fileIssue: (issue: Finding) => void,
): Promise<SeedIndex> {
  const index: SeedIndex = { bySerial: new Map(), byUser: new Map(), claimed: new Set() };
  deps.progress.start(`Reading hardware token seeds from ${path}`, null);
  for await (const item of readTokens(path, input.read)) {
    deps.progress.advance(1);
    const token = recordOrIssue(item, fileIssue);
    if (token === null) continue;
    push(index.bySerial, serialKey(token.serialNumber), token);
    if (token.username !== null) push(index.byUser, userKey(token.username, input.mapping.upnSuffix), token);
  }
  deps.progress.finish();
  return index;
}

/** Light first pass: only the username and serial of each row, to see serials claimed twice (R13). */
async function collectSerialClaims(input: ValidateInput, deps: StepDeps): Promise<SerialClaims> {
  const claims: SerialClaims = new Map();
  deps.progress.start(`Checking hardware token serials in ${input.files.users}`, null);
  for await (const item of readUsers(input.files.users, input.read, { methodColumns: true })) {
    deps.progress.advance(1);
    if (item.kind !== 'record' || item.record.oathTokenSerial === null || item.record.username === '') continue;
    const key = userKey(item.record.username, input.mapping.upnSuffix);
    const serial = serialKey(item.record.oathTokenSerial);
    const holders = claims.get(serial) ?? [];
    if (!holders.some((holder) => holder.key === key)) {
      holders.push({ key, username: item.record.username, line: item.record.line });
      claims.set(serial, holders);
    }
  }
  deps.progress.finish();
  return claims;
}

function conflictFor(
  claims: SerialClaims | null,
  user: SourceUser,
  key: string,
): { otherUsername: string; otherLine: number } | null {
  if (claims === null || user.oathTokenSerial === null) return null;
  const other = claims.get(serialKey(user.oathTokenSerial))?.find((holder) => holder.key !== key);
  return other === undefined ? null : { otherUsername: other.username, otherLine: other.line };
}

function seedsFor(seeds: SeedIndex, user: SourceUser, key: string): SourceToken[] {
  const found = new Set<SourceToken>();
  if (user.oathTokenSerial !== null) {
    for (const token of seeds.bySerial.get(serialKey(user.oathTokenSerial)) ?? []) found.add(token);
  }
  for (const token of seeds.byUser.get(key) ?? []) found.add(token);
  for (const token of found) seeds.claimed.add(token);
  return [...found];
}

function takeDevices(devices: DeviceIndex, file: string | null, key: string): SourceDevice[] {
  const rows = devices.get(key);
  if (rows === undefined || file === null) return [];
  devices.delete(key);
  return rows.map((row) => sourceDevice(file, row));
}

function recordOrIssue<T>(item: ReadItem<T>, fileIssue: (issue: Finding) => void): T | null {
  if (item.kind === 'record') return item.record;
  fileIssue(item.finding);
  return null;
}

/** Serial numbers compare without case or surrounding space: vendors and admins write them both ways. */
function serialKey(serial: string): string {
  return serial.trim().toUpperCase();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const rows = map.get(key);
  if (rows === undefined) map.set(key, [value]);
  else rows.push(value);
}
