/**
 * The agents Graph requests leave through: directly, or through the proxy the environment names —
 * as @azure/identity (the sign-in) and the Azure CLI read it: `HTTPS_PROXY`, `ALL_PROXY`,
 * `HTTP_PROXY` (upper or lower case, the first set wins, for every request), and `NO_PROXY` /
 * `no_proxy` for the hosts that go direct. An https target is reached through the proxy with
 * CONNECT (a tunnel: the proxy sees no request), an http one (an emulator) with absolute-form
 * requests.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

export type Environment = Readonly<Record<string, string | undefined>>;

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

function setting(env: Environment, name: string): string | null {
  const value = env[name]?.trim() ?? '';
  return value === '' ? null : value;
}

/** The proxy of the environment, or null for none. A value without a scheme is an http proxy, as curl reads it. */
export function proxyUrl(env: Environment): URL | null {
  for (const name of PROXY_VARIABLES) {
    const value = setting(env, name);
    if (value === null) continue;
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  }
  return null;
}

/**
 * Whether `NO_PROXY` sends `target` direct. Entries are comma- or space-separated: `*` (every
 * host), a host (`graph.microsoft.com`, which also covers its subdomains), a domain with a leading
 * dot or `*.` (`.microsoft.com`), each optionally with `:port`; an IP address matches itself.
 */
export function bypassesProxy(target: URL, env: Environment): boolean {
  const list = setting(env, 'NO_PROXY') ?? setting(env, 'no_proxy');
  if (list === null) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port === '' ? (target.protocol === 'https:' ? '443' : '80') : target.port;
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // `host:port` or `[v6]:port`; a bare IPv6 address (`::1`) has colons but no port.
    const portMatch = entry.startsWith('[') || entry.split(':').length === 2 ? /^(.*):(\d+)$/.exec(entry) : null;
    const name = (portMatch?.[1] ?? entry).replace(/^\*?\./, '.').replace(/^\[|\]$/g, '');
    if (portMatch?.[2] !== undefined && portMatch[2] !== port) continue;
    if (name.startsWith('.') ? host.endsWith(name) || host === name.slice(1) : host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

export interface AgentSettings {
  readonly keepAlive: boolean;
  readonly maxSockets: number;
  /** An extra CA certificate (PEM) to trust for the target, e.g. the emulator's. */
  readonly ca: string | null;
}

/** The agent a request to `target` leaves through, honouring the environment's proxy. */
export function agentFor(target: URL, env: Environment, settings: AgentSettings): HttpAgent | HttpsAgent {
  const https = target.protocol === 'https:';
  const tls = settings.ca === null ? {} : { ca: settings.ca };
  const proxy = proxyUrl(env);
  if (proxy === null || bypassesProxy(target, env)) {
    return https ? new HttpsAgent({ keepAlive: settings.keepAlive, maxSockets: settings.maxSockets, ...tls }) : new HttpAgent({ keepAlive: settings.keepAlive, maxSockets: settings.maxSockets });
  }
  return https
    ? new HttpsProxyAgent(proxy, { keepAlive: settings.keepAlive, maxSockets: settings.maxSockets, ...tls })
    : new HttpProxyAgent(proxy, { keepAlive: settings.keepAlive, maxSockets: settings.maxSockets });
}
