/**
 * Authenticator devices against Entra (R12). Graph cannot create Microsoft Authenticator
 * registrations (microsoftauthenticatorauthenticationmethod.md: list, get and delete only), so a
 * kept device is `present` when Entra already holds an Authenticator of that display name, and
 * otherwise the user must register the app again.
 */
import { finding } from '../findings.js';
import type { Finding } from '../findings.js';
import type { DesiredDevice, DesiredState } from '../mapping/desired-state.js';
import type { EntraState } from './entra-state.js';

export interface DeviceRegistrations {
  readonly devices: readonly DesiredDevice[];
  readonly findings: readonly Finding[];
}

function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

export function decideDeviceRegistrations(desired: DesiredState, current: EntraState): DeviceRegistrations {
  const { file, line } = desired;
  const registered = new Set<string>();
  for (const authenticator of current.authenticators) {
    if (authenticator.displayName !== null) registered.add(nameKey(authenticator.displayName));
  }
  const findings: Finding[] = [];
  const devices = desired.devices.map((device): DesiredDevice => {
    if (device.status === 'dropped') return device;
    if (registered.has(nameKey(device.name))) return { ...device, registration: 'present' };
    findings.push(
      finding(
        'DEVICE_REREGISTRATION_REQUIRED',
        file,
        line,
        `${file} line ${line}: device "${device.name}" of ${desired.username} (devices file line ${device.line}) has no Microsoft Authenticator registration in Entra, and Graph cannot create one — the user registers the app again at https://aka.ms/mysecurityinfo (a Temporary Access Pass helps).`,
      ),
    );
    return { ...device, registration: 'reregistrationRequired' };
  });
  return { devices, findings };
}
