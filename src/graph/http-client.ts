/**
 * One HTTP exchange with Graph, over node:http(s) with keep-alive agents: the URL is the Graph
 * root, the version and the path; the body is JSON; the bearer token is attached to every request
 * (an emulator on http://127.0.0.1 included); a per-request timeout and an extra CA (the
 * emulator's) are honoured. Responses are taken raw: status, headers and body are read by the
 * gateway, once. (@microsoft/microsoft-graph-client used to build these requests; docs/decisions.md
 * says why and what was measured when it went.)
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { agentFor, type Environment } from './proxy.js';

export type GraphVersion = 'v1.0' | 'beta';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly version: GraphVersion;
  /** Below the version, with its query already encoded: `/users/x@contoso.com?$select=id`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON value, or undefined for none. */
  readonly body: unknown;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

/** No answer came: the connection failed or the request timed out. */
export class TransportError extends Error {
  readonly kind: 'timeout' | 'network';
  /** Node's error code (ECONNREFUSED, ENOTFOUND, …) when there is one. */
  readonly errorCode: string | null;

  constructor(kind: 'timeout' | 'network', message: string, options: { errorCode?: string | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.kind = kind;
    this.errorCode = options.errorCode ?? null;
  }
}

/** What sends one request; the gateway's only way out. Tests may pass a small fake. */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

/** Where the access token comes from; cached and refreshed by its implementation. */
export interface TokenSource {
  getToken(): Promise<string>;
  /** The token was refused (401): the next getToken must fetch a new one. */
  invalidate(): void;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export interface NodeRequestInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
  /** An extra CA (PEM) for an https target; given to the request too, so a proxy's tunnel checks the target with it. */
  readonly ca?: string | null;
}

/** One exchange over node:http(s); no answer within `timeoutMs`, or a failed connection, is a TransportError. */
export function nodeRequest(url: URL, init: NodeRequestInit, agent: HttpAgent | HttpsAgent): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
  return new Promise((resolve, reject) => {
    const tls = url.protocol === 'https:' && init.ca != null ? { ca: init.ca } : {};
    const request = send(url, { method: init.method, headers, agent, ...tls }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(new TransportError('network', error.message, { cause: error }));
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks) });
      });
    });
    const timer = setTimeout(() => {
      request.destroy(new TransportError('timeout', `no answer within ${init.timeoutMs / 1000} s`));
    }, init.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error instanceof TransportError ? error : new TransportError('network', error.message, { errorCode: error.code ?? null, cause: error }));
    });
    if (init.body !== undefined) request.write(init.body);
    request.end();
  });
}

export interface GraphHttpClientOptions {
  /** Graph service root, no trailing slash: `https://graph.microsoft.com` or an emulator URL. */
  readonly graphRoot: string;
  readonly tokens: TokenSource;
  /** An extra CA certificate (PEM) to trust, e.g. the emulator's; null uses Node's (and NODE_EXTRA_CA_CERTS). */
  readonly ca: string | null;
  readonly maxSockets: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read; default the process's environment. */
  readonly env?: Environment;
}

/** The real transport: `{root}/{version}{path}`, JSON bodies, the bearer token on every request. */
export function createGraphHttpClient(options: GraphHttpClientOptions): HttpTransport {
  // Every request goes to the one Graph root: one agent, through the environment's proxy unless NO_PROXY names the host.
  const agent = agentFor(new URL(options.graphRoot), options.env ?? process.env, { keepAlive: true, maxSockets: options.maxSockets, ca: options.ca });
  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const token = await options.tokens.getToken();
      const url = new URL(`${options.graphRoot}/${request.version}${request.path}`);
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const headers: Record<string, string> = { ...request.headers, Authorization: `Bearer ${token}` };
      if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      const answer = await nodeRequest(url, { method: request.method, headers, body, timeoutMs: request.timeoutMs, ca: options.ca }, agent);
      return { status: answer.status, headers: answer.headers, bodyText: answer.body.toString('utf8') };
    },
    close: () => {
      agent.destroy();
    },
  };
}
