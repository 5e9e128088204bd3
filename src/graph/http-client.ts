/**
 * One HTTP exchange with Graph. The request is built by @microsoft/microsoft-graph-client 3.0.7
 * (`Client.initWithMiddleware`: URL from root, version and path, headers, JSON body) and sent
 * through a middleware chain of our own, because the library's stock handlers fall short here:
 *
 * - its AuthenticationHandler attaches the token only for Graph's own hosts, so an emulator on
 *   http://127.0.0.1 would get no Authorization header (docs/decisions.md);
 * - its HTTPMessageHandler calls the global fetch, which cannot trust the emulator's own CA
 *   in-process and has no per-request timeout; ours uses node:http(s) with a keep-alive agent;
 * - its RetryHandler does not see 429s inside `$batch`, so retries live in the batch executor.
 *
 * Responses are taken RAW: status, headers and body are read by the gateway, once.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Client, ResponseType, type Context, type Middleware, type MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './limits.js';

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

/** Per-request settings and the transport's failure, carried through the library's middleware options. */
class RequestControl implements MiddlewareOptions {
  failure: unknown = undefined;

  constructor(readonly timeoutMs: number) {}
}

/** The library types headers loosely (any HeadersInit); ours are always plain objects or Headers. */
function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => { out[name] = value; });
  } else if (typeof headers === 'object' && headers !== null && !Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
  }
  return out;
}

/** Attaches the bearer token to every request, whatever its host (unlike the library's handler). */
class BearerTokenMiddleware implements Middleware {
  #next: Middleware | undefined;

  constructor(private readonly tokens: TokenSource) {}

  async execute(context: Context): Promise<void> {
    const token = await this.tokens.getToken();
    const options = context.options ?? {};
    options.headers = { ...plainHeaders(options.headers), Authorization: `Bearer ${token}` };
    context.options = options;
    if (this.#next === undefined) throw new Error('BearerTokenMiddleware must be followed by a transport.');
    await this.#next.execute(context);
  }

  setNext(next: Middleware): void {
    this.#next = next;
  }
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
}

/** One exchange over node:http(s); no answer within `timeoutMs`, or a failed connection, is a TransportError. */
export function nodeRequest(url: URL, init: NodeRequestInit, agent: HttpAgent | HttpsAgent): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
  return new Promise((resolve, reject) => {
    const request = send(url, { method: init.method, headers, agent }, (response) => {
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

/** Statuses whose Response may not carry a body (Fetch standard "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Sends with node:http(s) through keep-alive agents, honouring a per-request timeout and an extra CA. */
class NodeTransportMiddleware implements Middleware {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;

  constructor(options: { readonly ca: string | null; readonly maxSockets: number }) {
    this.#http = new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets });
    this.#https = new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets, ...(options.ca === null ? {} : { ca: options.ca }) });
  }

  async execute(context: Context): Promise<void> {
    const control = context.middlewareControl?.getMiddlewareOptions(RequestControl) as RequestControl | undefined;
    // RequestInfo is a DOM type the library's typings leave unresolved here; it is a string or a Request.
    const target: unknown = context.request;
    const url = new URL(typeof target === 'string' ? target : target instanceof Request ? target.url : String(target));
    const options = context.options ?? {};
    const body = typeof options.body === 'string' ? options.body : undefined;
    try {
      const answer = await nodeRequest(url, { method: options.method ?? 'GET', headers: plainHeaders(options.headers), body, timeoutMs: control?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS }, url.protocol === 'https:' ? this.#https : this.#http);
      context.response = new Response(NULL_BODY_STATUSES.has(answer.status) ? null : answer.body, {
        status: answer.status,
        headers: answer.headers,
      });
    } catch (error) {
      // The library wraps whatever a middleware throws into its own GraphError and loses the
      // cause; the control object carries the real failure back to the gateway.
      if (control !== undefined) control.failure = error;
      throw error;
    }
  }

  setNext(): void {
    // The last middleware: nothing follows the transport.
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

export interface GraphHttpClientOptions {
  /** Graph service root, no trailing slash: `https://graph.microsoft.com` or an emulator URL. */
  readonly graphRoot: string;
  readonly tokens: TokenSource;
  /** An extra CA certificate (PEM) to trust, e.g. the emulator's; null uses Node's (and NODE_EXTRA_CA_CERTS). */
  readonly ca: string | null;
  readonly maxSockets: number;
}

/** The real transport: the Graph client library with our middleware chain. */
export function createGraphHttpClient(options: GraphHttpClientOptions): HttpTransport {
  const transport = new NodeTransportMiddleware({ ca: options.ca, maxSockets: options.maxSockets });
  const client = Client.initWithMiddleware({
    baseUrl: options.graphRoot,
    defaultVersion: 'v1.0',
    middleware: [new BearerTokenMiddleware(options.tokens), transport],
  });
  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const control = new RequestControl(request.timeoutMs);
      const call = client.api(request.path).version(request.version).headers(request.headers).middlewareOptions([control]).responseType(ResponseType.RAW);
      let raw: unknown;
      try {
        raw = await sendWith(call, request);
      } catch (error) {
        if (control.failure instanceof Error) throw control.failure;
        throw error;
      }
      if (!(raw instanceof Response)) throw new Error('The Graph client returned no raw response.');
      const headers: Record<string, string> = {};
      raw.headers.forEach((value, name) => { headers[name.toLowerCase()] = value; });
      return { status: raw.status, headers, bodyText: await raw.text() };
    },
    close: () => { transport.close(); },
  };
}

function sendWith(call: ReturnType<Client['api']>, request: HttpRequest): Promise<unknown> {
  switch (request.method) {
    case 'GET':
      return call.get() as Promise<unknown>;
    case 'POST':
      return call.post(request.body) as Promise<unknown>;
    case 'PATCH':
      return call.patch(request.body) as Promise<unknown>;
    case 'PUT':
      return call.put(request.body) as Promise<unknown>;
    case 'DELETE':
      return call.delete() as Promise<unknown>;
  }
}
