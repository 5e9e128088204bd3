/**
 * A certificate authority and a server certificate for 127.0.0.1 and localhost, made at start-up
 * so the emulator can serve https (MSAL refuses plain-http authorities). The CA certificate is
 * written to a private temp folder: callers trust it with NODE_EXTRA_CA_CERTS (read by Node at
 * process start) or pass it as `ca` to an https agent or @azure/identity's `tlsOptions`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface EmulatorCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caCertPem: string;
  /** The CA certificate on disk, for NODE_EXTRA_CA_CERTS. */
  readonly caCertPath: string;
  /** Removes the temp folder. */
  dispose(): Promise<void>;
}

export async function createEmulatorCertificate(): Promise<EmulatorCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'mfa-migrate emulator CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const folder = await mkdtemp(join(tmpdir(), 'mfa-migrate-emulator-'));
  const caCertPath = join(folder, 'emulator-ca.pem');
  await writeFile(caCertPath, ca.cert, { mode: 0o600 });
  return {
    certPem: server.cert,
    keyPem: server.private,
    caCertPem: ca.cert,
    caCertPath,
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
}
