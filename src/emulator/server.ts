/**
 * The local Microsoft Graph emulator (docs/design.md "Emulator"): a node:http(s) server answering
 * the Graph calls mfa-migrate makes as Graph answers them, seeded from a tenant file, with
 * throttling, faults, masked phone numbers, an https token endpoint, and
 * `/_emulator/state|stats|reset` for tests and benchmarks. `startEmulator` is what tests,
 * `mfa-migrate demo` and `mfa-migrate emulator` call.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { usageError } from '../errors.js';
import { TokenAuthority, type Principal } from './auth.js';
import { batchItemUrl, readBatch, runBatch } from './batch.js';
import { systemClock, type Clock } from './clock.js';
import { FaultInjector, parseFaultSpec, type FaultConfig } from './faults.js';
import { GraphPipeline, injectedThrottle, serverError, splitGraphPath } from './graph-pipeline.js';
import { errors, graphError, jsonResponse, withInnerError, type GraphResponse } from './graph-response.js';
import { Router, WRITE_METHODS, type RouteContext } from './router.js';
import { authenticationMethodRoutes } from './routes/authentication-methods.js';
import { groupRoutes } from './routes/groups.js';
import { hardwareOathRoutes } from './routes/hardware-oath.js';
import { phoneMethodRoutes } from './routes/phone-methods.js';
import { policyRoutes } from './routes/policies.js';
import { userRoutes } from './routes/users.js';
import { loadSeed, type TenantSeed } from './seed.js';
import { seededRandom } from './seeded-random.js';
import { EmulatorStats, type StatsSnapshot } from './stats.js';
import { TenantStore } from './tenant-store.js';
import { resolveThrottle, ThrottleModel, type ThrottleConfig, type ThrottleSetting } from './throttle.js';
import { createEmulatorCertificate, type EmulatorCertificate } from './tls.js';

export interface EmulatorOptions {
  /** A seed file path, or a seed document (parsed JSON). */
  readonly tenant: string | object;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Serve https with a certificate made at start-up (needed for @azure/identity). */
  readonly https?: boolean;
  /** Default `off`; `realistic` applies Graph's documented limits. */
  readonly throttle?: ThrottleSetting;
  /** A FaultConfig, or the compact `--faults` spec. */
  readonly faults?: FaultConfig | string | null;
  /** Answer phone numbers masked, as delegated authentication administrators see them. */
  readonly maskPhoneNumbers?: boolean;
  readonly clock?: Clock;
  /** Seed of the order of `$batch` responses; default the faults seed. */
  readonly batchOrderSeed?: number;
  /** Told every Graph request answered and its answer, plain or inside `$batch` (the conformance test records them). */
  readonly observer?: EmulatorObserver;
}

/** One Graph request and the answer it got, as the emulator handled it. */
export interface EmulatorExchange {
  readonly method: string;
  /** Absolute; a `$batch` item's URL resolved against the batch's version. */
  readonly url: string;
  /** Header names in lower case. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Parsed JSON; undefined when there was no body (or it was not JSON). */
  readonly requestBody: unknown;
  readonly status: number;
  /** JSON, a text body (`$count`) or undefined (204). */
  readonly responseBody: unknown;
  readonly inBatch: boolean;
}

export interface EmulatorObserver {
  readonly exchange: (exchange: EmulatorExchange) => void;
}

export interface RunningEmulator {
  /** `http(s)://127.0.0.1:PORT`; Graph paths below it, e.g. `/v1.0/users`. */
  readonly url: string;
  /** Authority host for @azure/identity (`authorityHost`): the same origin. */
  readonly authorityHost: string;
  /** `{url}/{tenantId}/oauth2/v2.0/token`. */
  readonly tokenUrl: string;
  readonly tenantId: string;
  readonly seed: TenantSeed;
  readonly throttle: ThrottleConfig | null;
  /** The CA that signed the https certificate (null over http). */
  readonly caCertPem: string | null;
  /** The same CA on disk, for NODE_EXTRA_CA_CERTS. */
  readonly caCertPath: string | null;
  stats(): StatsSnapshot;
  state(): Record<string, unknown>;
  /** Back to the seed; stats, throttle windows and the fault sequence start again. */
  reset(): void;
  /** Tokens issued so far are refused as expired from now on (a token expiring mid-run). */
  expireIssuedTokens(): void;
  /** An access token for an app of the seed (default the seed's app), as the token endpoint issues. */
  issueToken(clientId?: string): string;
  /** Stops listening and ends open connections (stalled ones included). */
  close(): Promise<void>;
}

type ObservedRequest = Pick<EmulatorExchange, 'method' | 'url' | 'requestHeaders' | 'requestBody'>;

/** Requests bodies above this are refused: Graph's own limit for JSON payloads is 4 MB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface ParsedBody {
  readonly ok: boolean;
  readonly value: unknown;
  readonly text: string;
}

async function readBody(request: IncomingMessage): Promise<ParsedBody | 'tooLarge'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return 'tooLarge';
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined, text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch {
    return { ok: false, value: undefined, text };
  }
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Whether a handled request carried out a write: a write answered below 400, or a `$batch` with
 * such an item (stats: `lostAfterWrite`, the lost answers a client must not re-send blind).
 */
function madeWrite(method: string, isBatch: boolean, body: unknown, answer: GraphResponse): boolean {
  if (!isBatch) return WRITE_METHODS.includes(method) && answer.status < 400;
  const requests = (body as { requests?: { id?: unknown; method?: unknown }[] } | null)?.requests;
  const responses = (answer.body as { responses?: { id?: unknown; status?: unknown }[] } | null)?.responses;
  if (!Array.isArray(requests) || !Array.isArray(responses)) return false;
  return responses.some((item) => {
    const sent = requests.find((candidate) => candidate.id === item.id);
    return typeof sent?.method === 'string' && WRITE_METHODS.includes(sent.method.toUpperCase()) && typeof item.status === 'number' && item.status < 400;
  });
}

/** Graph's diagnostic header (every Graph response carries one). */
const AGS_DIAGNOSTIC = JSON.stringify({
  ServerInfo: { DataCenter: 'Local Emulator', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'MFA-MIGRATE-EMULATOR' },
});

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const seed = await loadSeed(options.tenant);
  const clock = options.clock ?? systemClock;
  const faultConfig = typeof options.faults === 'string' ? parseFaultSpec(options.faults) : (options.faults ?? null);
  const throttleConfig = resolveThrottle(options.throttle ?? 'off');
  const certificate: EmulatorCertificate | null = options.https === true ? await createEmulatorCertificate() : null;

  const store = new TenantStore(seed, clock, faultConfig?.refusedPhoneNumbers ?? []);
  const stats = new EmulatorStats();
  const throttle = new ThrottleModel(throttleConfig, seed.tenant.id, store.userCount, clock);
  const faults = new FaultInjector(faultConfig);
  const authority = new TokenAuthority(seed, clock);
  const router = new Router([...userRoutes, ...groupRoutes, ...phoneMethodRoutes, ...authenticationMethodRoutes, ...hardwareOathRoutes, ...policyRoutes]);
  const batchOrderSeed = options.batchOrderSeed ?? faultConfig?.seed ?? 1;
  let batchOrder = seededRandom(batchOrderSeed);
  const secure = certificate !== null;

  let baseUrl = '';
  const context: { -readonly [K in keyof RouteContext]: RouteContext[K] } = {
    store,
    clock,
    stats,
    baseUrl,
    maskPhoneNumbers: options.maskPhoneNumbers === true,
  };
  const pipeline = new GraphPipeline({ router, throttle, faults, stats, clock, context, sleep: (ms) => delay(ms) });

  const reset = (): void => {
    store.reset();
    stats.reset();
    throttle.reset();
    pipeline.reset();
    faults.reset();
    batchOrder = seededRandom(batchOrderSeed);
  };

  const send = (response: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void => {
    if (response.destroyed || response.writableEnded) return;
    const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
    response.end(payload);
  };

  const sendGraph = (response: ServerResponse, graphResponse: GraphResponse, requestId: string, clientRequestId: string, exchange: ObservedRequest): void => {
    const decorated = withInnerError(graphResponse, requestId, clientRequestId, new Date(clock.now()));
    options.observer?.exchange({ ...exchange, status: decorated.status, responseBody: decorated.body, inBatch: false });
    send(
      response,
      decorated.status,
      {
        'cache-control': 'no-cache',
        ...decorated.headers,
        'request-id': requestId,
        'client-request-id': clientRequestId,
        'x-ms-ags-diagnostic': AGS_DIAGNOSTIC,
        date: new Date(clock.now()).toUTCString(),
      },
      decorated.body,
    );
  };

  const handleInspection = (request: IncomingMessage, response: ServerResponse, path: string): void => {
    const json = { 'content-type': 'application/json' };
    if (path === '/_emulator/stats' && request.method === 'GET') send(response, 200, json, stats.snapshot());
    else if (path === '/_emulator/state' && request.method === 'GET') send(response, 200, json, store.snapshot());
    else if (path === '/_emulator/reset' && request.method === 'POST') {
      reset();
      send(response, 204, {}, undefined);
    } else send(response, 404, json, { error: { code: 'NotFound', message: 'Known: GET /_emulator/state, GET /_emulator/stats, POST /_emulator/reset.' } });
  };

  const handleIdentity = (request: IncomingMessage, response: ServerResponse, parts: readonly string[], body: string): boolean => {
    const [tenant = '', ...rest] = parts;
    const tail = rest.join('/');
    const json = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache' };
    if (request.method === 'GET' && tail === 'v2.0/.well-known/openid-configuration') {
      const answer = authority.openIdConfiguration(baseUrl, tenant);
      send(response, answer.status, json, answer.body);
      return true;
    }
    if (request.method === 'GET' && tail === 'discovery/v2.0/keys') {
      send(response, 200, json, { keys: [] });
      return true;
    }
    if (request.method === 'POST' && tail === 'oauth2/v2.0/token') {
      const answer = authority.token(tenant, new URLSearchParams(body), request.headers.authorization);
      if (answer.status === 200) stats.tokenIssued();
      send(response, answer.status, json, answer.body);
      return true;
    }
    return false;
  };

  const handleGraph = async (request: IncomingMessage, response: ServerResponse, url: URL, parsed: ParsedBody, receivedAt: number): Promise<void> => {
    const requestId = randomUUID();
    const headers = lowerCaseHeaders(request);
    const clientRequestId = headers['client-request-id'] ?? requestId;
    const method = (request.method ?? 'GET').toUpperCase();
    const path = splitGraphPath(url.pathname);
    const family = path === null ? 'unknown' : router.familyOf(path.version, path.segments);
    const isBatch = path !== null && path.segments.length === 1 && path.segments[0] === '$batch';
    const observed: ObservedRequest = { method, url: url.href, requestHeaders: headers, requestBody: parsed.value };
    const finishRefused = (graphResponse: GraphResponse): void => {
      if (WRITE_METHODS.includes(method) && !isBatch) stats.writeAttempted();
      stats.operation(method, isBatch ? 'batch' : family, graphResponse.status, false);
      sendGraph(response, graphResponse, requestId, clientRequestId, observed);
    };

    const fault = faults.next(false);
    if (fault.kind === 'drop') {
      stats.fault('drop');
      if (WRITE_METHODS.includes(method) && !isBatch) stats.writeAttempted();
      request.socket.destroy();
      return;
    }
    if (fault.kind === 'stall') {
      // Never answered: the client's timeout decides; close() ends the connection.
      stats.fault('stall');
      if (WRITE_METHODS.includes(method) && !isBatch) stats.writeAttempted();
      return;
    }
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.kind === 'serverError') {
      stats.fault('serverError');
      finishRefused(serverError(fault.status));
      return;
    }
    if (fault.kind === 'throttled') {
      stats.fault('throttled');
      finishRefused(injectedThrottle(faults.retryAfterSeconds));
      return;
    }
    const principal = authority.authenticate(headers['authorization'], secure);
    if ('status' in principal) {
      finishRefused(principal);
      return;
    }
    if (!parsed.ok) {
      finishRefused(errors.invalidJson());
      return;
    }
    let graphResponse: GraphResponse;
    if (isBatch) {
      graphResponse = await executeBatchRequest(method, path.version, parsed.value, principal, requestId, clientRequestId, receivedAt);
    } else {
      graphResponse = await pipeline.execute({ method, url, headers, body: parsed.value, inBatch: false, receivedAt }, principal);
    }
    const wrote = madeWrite(method, isBatch, parsed.value, graphResponse);
    if (fault.kind === 'lostResponse' || (wrote && faults.loseWriteAnswer())) {
      // The request was handled (a write is applied) but its answer never arrives.
      stats.fault('lostResponse');
      if (wrote) stats.fault('lostAfterWrite');
      request.socket.destroy();
      return;
    }
    sendGraph(response, graphResponse, requestId, clientRequestId, observed);
  };

  const executeBatchRequest = async (
    method: string,
    version: 'v1.0' | 'beta',
    body: unknown,
    principal: Principal,
    requestId: string,
    clientRequestId: string,
    receivedAt: number,
  ): Promise<GraphResponse> => {
    stats.batchReceived();
    if (method !== 'POST') {
      const refused = errors.methodNotAllowed();
      stats.operation(method, 'batch', refused.status, false);
      return refused;
    }
    const items = readBatch(body);
    if (!Array.isArray(items)) {
      stats.operation(method, 'batch', items.status, false);
      return items;
    }
    const responses = await runBatch(
      items,
      (item) =>
        pipeline.execute(
          { method: item.method, url: batchItemUrl(baseUrl, version, item.url), headers: item.headers, body: item.body, inBatch: true, receivedAt },
          principal,
        ),
      (inner) => withInnerError(inner, requestId, clientRequestId, new Date(clock.now())),
      (answered) => batchOrder.shuffle(answered),
    );
    if (options.observer !== undefined) {
      for (const item of items) {
        const answered = responses.find((candidate) => candidate.id === item.id);
        if (answered === undefined) continue;
        options.observer.exchange({
          method: item.method.toUpperCase(),
          url: batchItemUrl(baseUrl, version, item.url).href,
          requestHeaders: item.headers,
          requestBody: item.body,
          status: answered.status,
          responseBody: answered.body,
          inBatch: true,
        });
      }
    }
    // Items answered 424 never reached the pipeline, which counts the others.
    for (const answered of responses) {
      if (answered.status !== 424) continue;
      const item = items.find((candidate) => candidate.id === answered.id);
      const itemPath = item === undefined ? null : splitGraphPath(batchItemUrl(baseUrl, version, item.url).pathname);
      stats.operation(item?.method ?? 'POST', itemPath === null ? 'unknown' : router.familyOf(itemPath.version, itemPath.segments), 424, true);
    }
    stats.operation(method, 'batch', 200, false);
    return jsonResponse(200, { responses }, { 'content-type': 'application/json' });
  };

  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const receivedAt = clock.now();
    const url = new URL(request.url ?? '/', baseUrl);
    if (url.pathname.startsWith('/_emulator/')) {
      handleInspection(request, response, url.pathname);
      request.resume();
      return;
    }
    const parts = url.pathname.split('/').filter((part) => part !== '');
    const graph = splitGraphPath(url.pathname) !== null;
    if (graph) {
      stats.requestStarted();
      response.once('close', () => { stats.requestFinished(); });
    }
    const body = await readBody(request);
    if (body === 'tooLarge') {
      send(response, 413, { 'content-type': 'application/json' }, graphError(413, 'RequestEntityTooLarge', 'The request body is too large.').body);
      request.socket.destroy();
      return;
    }
    if (!graph) {
      if (handleIdentity(request, response, parts, body.text)) return;
      const known = 'Graph paths start with /v1.0 or /beta; identity paths are /{tenant}/oauth2/v2.0/token and /{tenant}/v2.0/.well-known/openid-configuration.';
      send(response, 404, { 'content-type': 'application/json' }, graphError(404, 'NotFound', `Nothing is served at '${url.pathname}'. ${known}`).body);
      return;
    }
    await handleGraph(request, response, url, body, receivedAt);
  };

  const server: Server =
    certificate === null
      ? createHttpServer((request, response) => { void handler(request, response).catch(() => response.destroy()); })
      : createHttpsServer({ cert: certificate.certPem, key: certificate.keyPem }, (request, response) => {
          void handler(request, response).catch(() => response.destroy());
        });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? usageError('EMULATOR_PORT_IN_USE', `Port ${options.port ?? 0} on ${host} is already in use.`, 'Choose another --port, or --port 0 for any free port.')
            : error,
        );
      });
      server.listen(options.port ?? 0, host, () => { resolve(); });
    });
  } catch (error) {
    await certificate?.dispose();
    throw error;
  }
  const address = server.address() as AddressInfo;
  baseUrl = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  context.baseUrl = baseUrl;

  let closed = false;
  return {
    url: baseUrl,
    authorityHost: baseUrl,
    tokenUrl: `${baseUrl}/${seed.tenant.id}/oauth2/v2.0/token`,
    tenantId: seed.tenant.id,
    seed,
    throttle: throttleConfig,
    caCertPem: certificate?.caCertPem ?? null,
    caCertPath: certificate?.caCertPath ?? null,
    stats: () => stats.snapshot(),
    state: () => store.snapshot(),
    expireIssuedTokens: () => { authority.expireIssuedTokens(); },
    reset,
    issueToken: (clientId) => {
      const app = [seed.app, ...seed.additionalApps].find((candidate) => clientId === undefined || candidate.clientId === clientId);
      if (app === undefined) throw new Error(`No app with client id ${clientId ?? ''} in the seed.`);
      stats.tokenIssued();
      return authority.issue(app);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      server.closeAllConnections();
      await stopped;
      await certificate?.dispose();
    },
  };
}
