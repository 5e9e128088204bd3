/**
 * Mobile-app (Microsoft Authenticator) devices of one user (R12). Graph cannot create
 * Authenticator registrations (microsoftAuthenticatorAuthenticationMethod supports list and
 * delete only), so a device is migrated only in the sense that Entra already holds it; the rest
 * must be registered again by the user.
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { SourceDevice } from '../source/records.js';
import type { DesiredDevice } from './desired-state.js';

/**
 * "Entra limits users to 5 cumulative devices (mobile app instances + hardware OATH token +
 * software OATH token) per user" — MFA Server migration guide, User portal table
 * (https://learn.microsoft.com/entra/identity/authentication/how-to-mfa-server-migration-utility).
 */
export const MAX_AUTHENTICATOR_DEVICES = 5;

export interface DevicePlan {
  /** Kept devices first, then dropped ones; each group newest first. Repeated names appear once. */
  readonly devices: readonly DesiredDevice[];
  readonly keptCount: number;
  readonly findings: readonly Finding[];
}

const NO_DEVICES: DevicePlan = { devices: [], keptCount: 0, findings: [] };

interface NamedDevice {
  readonly source: SourceDevice;
  readonly name: string;
  /** Lower-cased name, or a per-row key for unnamed devices so they never merge. */
  readonly key: string;
  /** lastUsedAt, else activatedAt, in ms; -Infinity when neither is known. */
  readonly recency: number;
}

function named(device: SourceDevice): NamedDevice {
  const trimmed = device.deviceName?.trim() ?? '';
  // An unnamed device cannot match an Entra display name; it is listed under its row so support can find it.
  const name = trimmed === '' ? `Unnamed device (line ${device.line})` : trimmed;
  const key = trimmed === '' ? `\u0000${device.file}:${device.line}` : trimmed.toLowerCase();
  const when = device.lastUsedAt ?? device.activatedAt;
  return { source: device, name, key, recency: when === null ? Number.NEGATIVE_INFINITY : when.getTime() };
}

/** Newest first: lastUsedAt, else activatedAt; ties and unknown dates go to the later row. */
function newestFirst(a: NamedDevice, b: NamedDevice): number {
  if (a.recency !== b.recency) return a.recency > b.recency ? -1 : 1;
  return b.source.line - a.source.line;
}

/**
 * Plans a user's devices: one per name (case-insensitive; the most recent row wins and the older
 * rows are left out), newest first, at most `maxKept` kept and the rest dropped with DEVICE_LIMIT.
 * With `existingAuthenticatorNames` (lower-cased display names in Entra) a kept device is
 * `present` or `reregistrationRequired` (DEVICE_REREGISTRATION_REQUIRED); null (offline) leaves
 * every registration `unknown`.
 */
export function planDevices(
  sourceDevices: readonly SourceDevice[],
  maxKept: number,
  existingAuthenticatorNames: ReadonlySet<string> | null,
  username: string,
): DevicePlan {
  if (sourceDevices.length === 0) return NO_DEVICES;
  const ordered = sourceDevices.map(named).sort(newestFirst);
  const seen = new Set<string>();
  const unique: NamedDevice[] = [];
  for (const device of ordered) {
    if (seen.has(device.key)) continue;
    seen.add(device.key);
    unique.push(device);
  }

  const devices: DesiredDevice[] = [];
  const findings: Finding[] = [];
  unique.forEach((device, index) => {
    const { file, line } = device.source;
    const base = { name: device.name, lastUsedAt: device.source.lastUsedAt, line };
    if (index >= maxKept) {
      const limit = maxKept < MAX_AUTHENTICATOR_DEVICES ? `${maxKept} Authenticator devices beside a hardware token` : `${maxKept} Authenticator devices`;
      findings.push(
        finding(
          'DEVICE_LIMIT',
          file,
          line,
          `${file} line ${line}: device "${device.name}" of ${username} is not migrated: Entra keeps at most ${limit} and ${maxKept} more recently used ones were kept — the user registers it again at https://aka.ms/mysecurityinfo if it is still needed.`,
        ),
      );
      devices.push({ ...base, status: 'dropped', registration: 'unknown' });
      return;
    }
    if (existingAuthenticatorNames === null) {
      devices.push({ ...base, status: 'kept', registration: 'unknown' });
      return;
    }
    if (existingAuthenticatorNames.has(device.name.toLowerCase())) {
      devices.push({ ...base, status: 'kept', registration: 'present' });
      return;
    }
    findings.push(
      finding(
        'DEVICE_REREGISTRATION_REQUIRED',
        file,
        line,
        `${file} line ${line}: device "${device.name}" of ${username} has no Microsoft Authenticator registration in Entra, and Graph cannot create one — the user registers the app again at https://aka.ms/mysecurityinfo (a Temporary Access Pass helps).`,
      ),
    );
    devices.push({ ...base, status: 'kept', registration: 'reregistrationRequired' });
  });
  return { devices, keptCount: Math.min(unique.length, maxKept), findings };
}
