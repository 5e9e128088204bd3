/**
 * How sync recognises a user of the exports and tells whether the export changed for them
 * (docs/design.md "sync command"): the R15 key, and a fingerprint of the mapped desired state, the
 * users-file row it was mapped from and the options that decide the diff. plan records both with
 * every user, so the apply or sync that writes the plan leaves them as the user's baseline.
 *
 * The fingerprint leaves out what moves without changing what Entra should hold: line numbers,
 * finding texts and a device's last use. A hardware token's seed enters as the journal's keyed
 * hash (Journal.seedFingerprint), never as itself.
 */
import { createHash } from 'node:crypto';
import type { DesiredState } from '../mapping/desired-state.js';
import { userKey } from '../mapping/usernames.js';
import type { SyncIdentity } from '../run-records.js';
import type { Secret } from '../secret.js';
import type { SourceUser } from '../source/records.js';
import type { DecidingOptionName, PlanDecidingOptions } from './deciding-options.js';

/** Raised when what the fingerprint covers changes, so every user counts as changed once. */
const FINGERPRINT_VERSION = 1;

/**
 * Which deciding options the fingerprint covers: those that change the desired state or the diff.
 * The encoding and separator only change how the same text is read (the row shows it), and
 * `--group` decides who is in scope, not what they should hold. Complete by type: an option added
 * to PlanDecidingOptions does not compile until it is decided here.
 */
const IN_FINGERPRINT: { readonly [Name in DecidingOptionName]-?: boolean } = {
  encoding: false,
  delimiter: false,
  defaultCountryCode: true,
  upnSuffix: true,
  includeDisabled: true,
  tokenSecretEncoding: true,
  hardwareTokens: true,
  phoneConflict: true,
  defaultMethod: true,
  group: false,
  matchAttribute: true,
};

const FINGERPRINT_OPTIONS = (Object.keys(IN_FINGERPRINT) as DecidingOptionName[]).filter((name) => IN_FINGERPRINT[name]);

/**
 * Remembers the keys of one export: a later row of a username already seen (R15: rejected as a
 * duplicate) and a row without a username get no identity, so they never stand for the user.
 */
export class SyncIdentities {
  readonly #seen = new Set<string>();
  readonly #options: PlanDecidingOptions;
  readonly #seedFingerprint: (seed: Secret) => string;

  constructor(options: PlanDecidingOptions, seedFingerprint: (seed: Secret) => string) {
    this.#options = options;
    this.#seedFingerprint = seedFingerprint;
  }

  of(desired: DesiredState, source: SourceUser | null): SyncIdentity | null {
    if (source === null || desired.username.trim() === '') return null;
    const key = userKey(desired.username, this.#options.upnSuffix);
    if (this.#seen.has(key)) return null;
    this.#seen.add(key);
    return { key, fingerprint: fingerprintOf(desired, source, this.#options, this.#seedFingerprint) };
  }
}

function fingerprintOf(desired: DesiredState, source: SourceUser, options: PlanDecidingOptions, seedFingerprint: (seed: Secret) => string): string {
  // Arrays in a fixed order, not objects: the text never depends on key order.
  const covered = [
    FINGERPRINT_VERSION,
    FINGERPRINT_OPTIONS.map((name) => options[name]),
    [
      desired.username,
      desired.upn,
      desired.status,
      desired.phones.mobile,
      desired.phones.alternateMobile,
      desired.phones.office,
      desired.requestedDefaultMethod,
      desired.defaultMethod,
      desired.devices.map((device) => [device.name, device.status]),
      desired.hardwareTokens.map((token) => [token.serialNumber, seedFingerprint(token.secretKey), token.timeIntervalInSeconds, token.hashFunction, token.manufacturer, token.model]),
      [desired.matchKeys.samAccountName, desired.matchKeys.email, desired.matchKeys.sid, desired.matchKeys.objectGuid],
    ],
    [
      source.username,
      source.firstName,
      source.lastName,
      source.email,
      source.countryCode,
      source.phone,
      source.extension,
      source.backupCountryCode,
      source.backupPhone,
      source.backupExtension,
      source.method,
      source.phoneCallMode,
      source.textMessageMode,
      source.mobileAppMode,
      source.enabled,
      source.oathTokenSerial,
      source.sid,
      source.objectGuid,
      source.language,
    ],
  ];
  return createHash('sha256').update(JSON.stringify(covered)).digest('hex');
}
