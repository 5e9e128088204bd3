/**
 * Enterprise networks: every Graph request (and the sign-in) goes through the proxy that
 * HTTPS_PROXY / HTTP_PROXY name unless NO_PROXY names the host — checked with a local proxy that
 * counts what passes through it, for an http emulator (absolute-form requests) and an https one
 * with a secret sign-in (CONNECT tunnels). A certificate Node does not trust, as a TLS-inspecting
 * proxy presents, is GRAPH_CERTIFICATE_UNTRUSTED with exit 5 and the NODE_EXTRA_CA_CERTS remedy,
 * not "interrupted, check the network".
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import { sampleSeed } from '../support/emulator.js';
import { runCli } from '../support/run-cli.js';

interface CountingProxy {
  readonly url: string;
  /** Absolute-form requests forwarded (http targets). */
  forwarded: number;
  /** CONNECT tunnels opened (https targets). */
  tunnels: number;
  close(): Promise<void>;
}

/** A forward proxy on 127.0.0.1 that passes everything on to where it was asked, counting. */
async function countingProxy(): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CountingProxy = { url: '', forwarded: 0, tunnels: 0, close: () => Promise.resolve() };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    proxy.forwarded += 1;
    const target = new URL(request.url ?? '');
    const upstream = httpRequest(target, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => { response.writeHead(502).end(); });
    request.pipe(upstream);
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.tunnels += 1;
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${String(port)}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    },
  });
}

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'mfa-migrate-proxy-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const SOURCE = ['--users', 'fixtures/users.csv', '--upn-suffix', 'contoso.com', '--match-attribute', 'onPremisesSamAccountName', '--no-progress'];
/** The proxy settings of the machine the tests run on must not leak into them. */
const NO_PROXY_SETTINGS = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', ALL_PROXY: '', all_proxy: '', NO_PROXY: '', no_proxy: '' };

describe('Graph through the environment\'s proxy', () => {
  it('sends every Graph request of plan through HTTP_PROXY to an http emulator, and none when NO_PROXY names it', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off' });
    const proxy = await countingProxy();
    try {
      const args = ['plan', ...SOURCE, '--auth', 'emulator', '--graph-url', emulator.url, '--state', join(dir, 'http.db'), '--reports', join(dir, 'reports')];
      const through = await runCli(args, { env: { ...NO_PROXY_SETTINGS, HTTP_PROXY: proxy.url }, timeoutMs: 60_000 });
      expect(through.code, through.stderr).toBe(0);
      expect(proxy.forwarded).toBe(emulator.stats().requests);
      expect(proxy.forwarded).toBeGreaterThan(0);

      const before = proxy.forwarded;
      const direct = await runCli(args, { env: { ...NO_PROXY_SETTINGS, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }, timeoutMs: 60_000 });
      expect(direct.code, direct.stderr).toBe(0);
      expect(proxy.forwarded).toBe(before);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  }, 120_000);

  it('tunnels the sign-in and every Graph request through HTTPS_PROXY to an https emulator (--auth secret)', async () => {
    const seed = sampleSeed();
    const emulator = await startEmulator({ tenant: seed, throttle: 'off', https: true });
    const proxy = await countingProxy();
    try {
      const env = {
        ...NO_PROXY_SETTINGS,
        HTTPS_PROXY: proxy.url,
        NODE_EXTRA_CA_CERTS: emulator.caCertPath ?? '',
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: String(seed.app['clientId']),
        AZURE_CLIENT_SECRET: String(seed.app['clientSecret']),
      };
      const result = await runCli(['plan', ...SOURCE, '--auth', 'secret', '--graph-url', emulator.url, '--state', join(dir, 'https.db'), '--reports', join(dir, 'reports')], { env, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(proxy.tunnels).toBeGreaterThan(0);
      expect(proxy.forwarded).toBe(0);
      expect(emulator.stats().requests).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await emulator.close();
    }
  }, 120_000);
});

describe('a certificate Node does not trust', () => {
  it('is GRAPH_CERTIFICATE_UNTRUSTED, exit 5, with the NODE_EXTRA_CA_CERTS remedy — not "interrupted"', async () => {
    const emulator = await startEmulator({ tenant: sampleSeed(), throttle: 'off', https: true });
    try {
      // The emulator's own CA is not trusted here, as a TLS-inspecting proxy's root is not.
      const result = await runCli(['plan', ...SOURCE, '--auth', 'emulator', '--graph-url', emulator.url, '--state', join(dir, 'untrusted.db'), '--reports', join(dir, 'reports')], { env: { ...NO_PROXY_SETTINGS, NODE_EXTRA_CA_CERTS: '' }, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toContain('GRAPH_CERTIFICATE_UNTRUSTED');
      expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS=');
      expect(emulator.stats().requests).toBe(0);
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
