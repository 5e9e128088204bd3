/**
 * The $batch executor against a scripted transport: packing, answers read one by one, retries
 * after the largest inner Retry-After, dependsOn chains, 5xx and network bounds, token refresh.
 * Delays are a few tens of milliseconds of real time.
 */
import { describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { BatchExecutor, DEFAULT_EXECUTOR_SETTINGS, type CallListener, type GraphCall, type SettledCall } from '../../../src/graph/batch-executor.js';
import { AppPool, NO_TENANT_LIMITS, type AppLane } from '../../../src/graph/app-pool.js';
import { Governor, GRAPH_LIMITS, type GovernorLimits } from '../../../src/graph/governor.js';
import { TransportError, type HttpRequest, type HttpResponse, type HttpTransport } from '../../../src/graph/http-client.js';
import { systemClock } from '../../../src/clock.js';

interface InnerAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

interface SentRequest {
  readonly at: number;
  readonly request: HttpRequest;
  readonly items: readonly { id: string; url: string; dependsOn?: string[] }[];
}

/** Answers each $batch item with `answer(url, attempt)`; whole-request answers can be scripted per call number. */
function scriptedGraph(
  answer: (url: string, attempt: number) => InnerAnswer,
  whole: (call: number) => HttpResponse | TransportError | null = () => null,
): HttpTransport & { sent: SentRequest[]; maxConcurrent: number } {
  const attempts = new Map<string, number>();
  let concurrent = 0;
  const fake = {
    sent: [] as SentRequest[],
    maxConcurrent: 0,
    async send(request: HttpRequest): Promise<HttpResponse> {
      const items = request.path === '/$batch' ? (request.body as { requests: SentRequest['items'] }).requests : [{ id: 'single', url: request.path }];
      fake.sent.push({ at: Date.now(), request, items });
      concurrent += 1;
      fake.maxConcurrent = Math.max(fake.maxConcurrent, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 2));
      concurrent -= 1;
      const scripted = whole(fake.sent.length);
      if (scripted instanceof TransportError) throw scripted;
      if (scripted !== null) return scripted;
      const answers = items.map((item) => {
        const attempt = (attempts.get(item.url) ?? 0) + 1;
        attempts.set(item.url, attempt);
        const inner = answer(item.url, attempt);
        return { id: item.id, status: inner.status, headers: inner.headers ?? {}, body: inner.body };
      });
      if (request.path !== '/$batch') {
        const [only] = answers;
        return { status: only?.status ?? 500, headers: { 'content-type': 'application/json', ...only?.headers }, bodyText: only?.body === undefined ? '' : JSON.stringify(only.body) };
      }
      // Graph answers in any order.
      return { status: 200, headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify({ responses: answers.reverse() }) };
    },
    close: () => undefined,
  };
  return fake;
}

function executorFor(
  transport: HttpTransport,
  overrides: Partial<typeof DEFAULT_EXECUTOR_SETTINGS> = {},
  tokens = { getToken: () => Promise.resolve('token'), invalidate: () => undefined },
  limits: Partial<GovernorLimits> = {},
  waits: ({ until: number; reason: string } | null)[] = [],
) {
  const sent: { at: number; notBefore: number[] }[] = [];
  const appId = 'c0ffee00-0000-4000-8000-000000000001';
  const lane: AppLane = { app: { name: null, clientId: appId }, tokens, transport, governor: new Governor({ ...GRAPH_LIMITS, ...limits }, systemClock), principal: { kind: 'application', appId } };
  const executor = new BatchExecutor({
    apps: new AppPool([lane], NO_TENANT_LIMITS, systemClock),
    clock: systemClock,
    random: () => 0.5,
    settings: { ...DEFAULT_EXECUTOR_SETTINGS, retryBaseDelayMs: 20, retryMaxDelayMs: 80, ...overrides },
    target: 'https://graph.test',
    observer: {
      sent: (event) => sent.push({ at: event.at, notBefore: event.calls.map((call) => call.notBefore) }),
      waiting: (event) => waits.push(event === null ? null : { until: event.until, reason: event.reason }),
    },
  });
  return { executor, sent };
}

function get(path: string, extra: Partial<GraphCall> = {}): GraphCall {
  return { method: 'GET', version: 'v1.0', path, doing: `reading ${path}`, ...extra };
}

const ok = (url: string): InnerAnswer => ({ status: 200, body: { url } });

describe('batch executor', () => {
  it('packs calls 20 to a $batch with unique ids and matches answers that come back in any order', async () => {
    const graph = scriptedGraph(ok);
    const { executor } = executorFor(graph);
    const calls = Array.from({ length: 45 }, (_, n) => get(`/users/u${n}`));
    const results = await executor.run(calls);
    expect(graph.sent.map((sent) => sent.items.length).sort((a, b) => b - a)).toEqual([20, 20, 5]);
    for (const sent of graph.sent) expect(new Set(sent.items.map((item) => item.id.toLowerCase())).size).toBe(sent.items.length);
    expect(results.map((result) => (result.body as { url: string }).url)).toEqual(calls.map((call) => call.path));
    expect(results.every((result) => result.status === 200 && result.error === null && result.attempts === 1)).toBe(true);
    executor.close();
  });

  it('re-queues inner 429s after the largest inner Retry-After (fractional seconds), and never sends them sooner', async () => {
    const retryAfter: Record<string, string> = { '/users/a': '0.05', '/users/b': '0.12', '/users/c': '0.08' };
    const graph = scriptedGraph((url, attempt) => {
      const wait = retryAfter[url];
      return attempt === 1 && wait !== undefined ? { status: 429, headers: { 'Retry-After': wait }, body: { error: { code: 'Request_ThrottledTemporarily', message: 'throttled' } } } : ok(url);
    });
    const { executor, sent } = executorFor(graph);
    const results = await executor.run(['/users/a', '/users/b', '/users/c', '/users/d'].map((path) => get(path)));
    expect(results.map((result) => [result.status, result.attempts])).toEqual([[200, 2], [200, 2], [200, 2], [200, 1]]);
    const [first, second] = graph.sent;
    expect(second?.items.map((item) => item.url).sort()).toEqual(['/users/a', '/users/b', '/users/c']);
    // 120 ms is the largest Retry-After of the batch; the clock may tick a millisecond differently in the fake.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(118);
    for (const event of sent) for (const notBefore of event.notBefore) expect(event.at).toBeGreaterThanOrEqual(notBefore);
    executor.close();
  });

  it('makes an inner 4xx final at once, keeping Graph\'s code, message and request-id', async () => {
    const graph = scriptedGraph((url) =>
      url === '/policies/authenticationMethodsPolicy'
        ? { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.', innerError: { 'request-id': 'rid-403' } } } }
        : { status: 400, headers: { 'request-id': 'rid-400' }, body: { error: { code: 'Request_BadRequest', message: 'Invalid object identifier.' } } },
    );
    const { executor } = executorFor(graph);
    const [denied, bad] = await executor.run([
      get('/policies/authenticationMethodsPolicy', { permission: { permission: 'Policy.Read.All', satisfiedBy: ['Policy.Read.All'], purpose: 'to read the policy' } }),
      get('/users/bad'),
    ]);
    expect(graph.sent).toHaveLength(1);
    expect(denied?.error).toBeInstanceOf(MigrateError);
    expect(denied?.error).toMatchObject({ code: 'GRAPH_PERMISSION_MISSING', exitCode: 5, graphCode: 'Authorization_RequestDenied', requestId: 'rid-403' });
    expect(denied?.error?.message).toContain('Policy.Read.All');
    expect(bad).toMatchObject({ status: 400, requestId: 'rid-400', attempts: 1 });
    expect(bad?.error).toMatchObject({ code: 'GRAPH_REQUEST_FAILED', graphCode: 'Request_BadRequest', requestId: 'rid-400' });
    executor.close();
  });

  it('retries a throttled request together with the 424s that depended on it, keeping their order in one batch', async () => {
    const graph = scriptedGraph((url, attempt) => {
      if (url === '/users/a/authentication/phoneMethods' && attempt === 1) return { status: 429, headers: { 'retry-after': '0.03' } };
      if (url === '/users/a/authentication/signInPreferences' && attempt === 1) return { status: 424, body: { error: { code: 'FailedDependency', message: 'failed dependency' } } };
      if (url === '/users/b') return ok(url);
      return { status: url.endsWith('signInPreferences') ? 204 : 201 };
    });
    const { executor } = executorFor(graph);
    const results = await executor.run([
      { method: 'POST', version: 'v1.0', path: '/users/a/authentication/phoneMethods', body: { phoneNumber: '+1 4255550100', phoneType: 'mobile' }, key: 'phone', doing: 'adding a phone' },
      { method: 'PATCH', version: 'v1.0', path: '/users/a/authentication/signInPreferences', body: {}, key: 'preferred', dependsOn: ['phone'], doing: 'setting the default' },
      get('/users/b'),
    ]);
    expect(results.map((result) => result.status)).toEqual([201, 204, 200]);
    const retry = graph.sent[1];
    expect(retry?.items).toHaveLength(2);
    const [phone, preferred] = retry?.items ?? [];
    expect(preferred?.dependsOn).toEqual([phone?.id]);
    const firstBatch = graph.sent[0]?.request.body as { requests: { body?: unknown; headers?: Record<string, string> }[] };
    expect(firstBatch.requests[0]?.headers).toEqual({ 'Content-Type': 'application/json' });
    executor.close();
  });

  it('gives up on a request Graph keeps failing with 5xx after the bounded attempts (GRAPH_SERVICE_ERROR, exit 6)', async () => {
    const graph = scriptedGraph(() => ({ status: 503, body: { error: { code: 'serviceNotAvailable', message: 'try later' } } }));
    const { executor } = executorFor(graph, { maxServerErrorAttempts: 3 });
    const [result] = await executor.run([get('/users/a')]);
    expect(graph.sent).toHaveLength(3);
    expect(result?.error).toMatchObject({ code: 'GRAPH_SERVICE_ERROR', exitCode: 6, graphCode: 'serviceNotAvailable' });
    executor.close();
  });

  it('waits out a whole-request 429, and refreshes the token once on a 401', async () => {
    const invalidated: number[] = [];
    const answers: (HttpResponse | null)[] = [
      { status: 429, headers: { 'retry-after': '0.06' }, bodyText: '' },
      null,
      { status: 401, headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' } }) },
      { status: 401, headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' } }) },
    ];
    const graph = scriptedGraph(ok, (call) => answers[call - 1] ?? null);
    const { executor } = executorFor(graph, {}, { getToken: () => Promise.resolve('token'), invalidate: () => { invalidated.push(Date.now()); } });
    const [throttledOnce] = await executor.run([get('/users/a')]);
    expect(throttledOnce?.status).toBe(200);
    expect((graph.sent[1]?.at ?? 0) - (graph.sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(58);
    const [refused] = await executor.run([get('/users/b')]);
    expect(invalidated).toHaveLength(1);
    expect(refused?.error).toMatchObject({ code: 'GRAPH_AUTH_FAILED', exitCode: 5, graphCode: 'InvalidAuthenticationToken' });
    executor.close();
  });

  it('retries a request that got no answer with growing, jittered delays, then fails it with GRAPH_UNREACHABLE (exit 6)', async () => {
    const graph = scriptedGraph(ok, () => new TransportError('network', 'connect ECONNREFUSED 127.0.0.1:9', { errorCode: 'ECONNREFUSED' }));
    const { executor } = executorFor(graph, { maxTransportAttempts: 3 });
    const failure: unknown = await executor.run([get('/users/a')]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'GRAPH_UNREACHABLE', exitCode: 6 });
    expect((failure as Error).message).toContain('ECONNREFUSED');
    expect(graph.sent).toHaveLength(3);
    const gaps = graph.sent.slice(1).map((sent, n) => sent.at - (graph.sent[n]?.at ?? 0));
    // Equal jitter with random 0.5: 3/4 of 20 ms, then of 40 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(14);
    expect(gaps[1]).toBeGreaterThanOrEqual(29);
    executor.close();
  });

  it('reports calls marked whenUnanswered: report unanswered after a lost answer, without sending them again', async () => {
    // The first $batch loses its answer (the writes may have been made); later requests are answered.
    const graph = scriptedGraph(ok, (call) => (call === 1 ? new TransportError('network', 'socket hang up', { errorCode: 'ECONNRESET' }) : null));
    const { executor } = executorFor(graph);
    const write = (path: string, extra: Partial<GraphCall>): GraphCall => ({ method: 'POST', version: 'v1.0', path, body: {}, doing: `writing ${path}`, whenUnanswered: 'report', ...extra });
    const results = await executor.run([write('/users/a/phone', { key: 'a' }), write('/users/a/pref', { key: 'b', dependsOn: ['a'] }), get('/users/b')]);
    expect(results.map((result) => ({ answered: result.answered, status: result.status }))).toEqual([
      { answered: false, status: 0 },
      { answered: false, status: 0 },
      { answered: true, status: 200 },
    ]);
    // The read was sent again; the writes were not.
    expect(graph.sent.flatMap((sent) => sent.items.map((item) => item.url)).filter((url) => url !== '/users/b')).toEqual(['/users/a/phone', '/users/a/pref']);
    executor.close();
  });

  it('sends a single call as itself, not inside $batch', async () => {
    const graph = scriptedGraph(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 31 }));
    const { executor } = executorFor(graph);
    const result = await executor.single(get('/users/$count', { headers: { ConsistencyLevel: 'eventual' } }));
    expect(graph.sent[0]?.request).toMatchObject({ method: 'GET', path: '/users/$count', headers: { ConsistencyLevel: 'eventual' } });
    expect(result).toMatchObject({ status: 200, body: '31' });
    executor.close();
  });

  it('keeps at most the governor\'s concurrency of batches in flight', async () => {
    const graph = scriptedGraph(ok);
    const { executor } = executorFor(graph);
    await executor.run(Array.from({ length: 400 }, (_, n) => get(`/users/u${n}`)));
    expect(graph.maxConcurrent).toBeGreaterThan(1);
    expect(graph.maxConcurrent).toBeLessThanOrEqual(GRAPH_LIMITS.maxConcurrency);
    executor.close();
  });

  it('refuses dependsOn chains it cannot send: an unknown key, or more than 20 linked calls', () => {
    const { executor } = executorFor(scriptedGraph(ok));
    expect(() => executor.submit([get('/a', { key: 'a', dependsOn: ['missing'] })])).toThrow(/missing/);
    const chain = Array.from({ length: 21 }, (_, n) => get(`/u${n}`, { key: `k${n}`, ...(n === 0 ? {} : { dependsOn: [`k${n - 1}`] }) }));
    expect(() => executor.submit(chain)).toThrow(/at most 20/);
    executor.close();
  });

  it('tells a listener, once per request and just before it leaves, which of its calls it carries, then what each answer settled', async () => {
    const graph = scriptedGraph(ok);
    const { executor } = executorFor(graph);
    const carried: number[] = [];
    const settledPerAnswer: number[] = [];
    const listener: CallListener = {
      beforeSend: (calls) => {
        // Told before the transport sees the request.
        expect(graph.sent).toHaveLength(carried.length);
        carried.push(calls.length);
      },
      settled: (calls: readonly SettledCall[]) => settledPerAnswer.push(calls.length),
    };
    await executor.run(Array.from({ length: 25 }, (_, n) => get(`/users/u${n}`, { listener })));
    expect(carried.sort((a, b) => b - a)).toEqual([20, 5]);
    expect(settledPerAnswer.sort((a, b) => b - a)).toEqual([20, 5]);
    executor.close();
  });

  it('keeps a request from leaving when its listener throws in beforeSend, and fails its calls with that error', async () => {
    const graph = scriptedGraph(ok);
    const { executor } = executorFor(graph);
    const refusal = new Error('the journal cannot record sent');
    const listener: CallListener = { beforeSend: () => { throw refusal; }, settled: () => undefined };
    const failure: unknown = await executor.run([get('/users/a', { listener }), get('/users/b', { listener })]).catch((error: unknown) => error);
    expect(failure).toBe(refusal);
    expect(graph.sent).toHaveLength(0);
    executor.close();
  });

  it('builds a body with bodyAtSend anew for each send', async () => {
    const graph = scriptedGraph((url, attempt) => (attempt === 1 ? { status: 503, headers: { 'retry-after': '0.01' } } : ok(url)));
    const { executor } = executorFor(graph);
    let built = 0;
    await executor.run([{ method: 'POST', version: 'v1.0', path: '/users/a/thing', bodyAtSend: () => ({ built: ++built }), doing: 'posting' }]);
    const bodies = graph.sent.map((sent) => (sent.request.body as { requests: { body?: unknown }[] }).requests[0]?.body);
    expect(bodies).toEqual([{ built: 1 }, { built: 2 }]);
    executor.close();
  });

  it('on stop, lets nothing more leave: waiting writes settle as stopped, reads are rejected, the request on the wire is answered', async () => {
    const scripted = scriptedGraph(ok);
    // Answers take 40 ms, so the first request is still on the wire when the stop comes.
    const graph = { ...scripted, sent: scripted.sent, send: async (request: HttpRequest) => { await new Promise((resolve) => setTimeout(resolve, 40)); return scripted.send(request); } };
    const waits: ({ until: number; reason: string } | null)[] = [];
    // 20 writes per minute: the first batch leaves, the rest wait for the write budget.
    const { executor } = executorFor(graph, {}, undefined, { writesPerWindow: 20, writeWindowMs: 60_000 }, waits);
    const write = (n: number): GraphCall => ({ method: 'POST', version: 'v1.0', path: `/users/u${n}/phone`, body: {}, doing: 'writing', whenUnanswered: 'report', cost: { resourceUnits: 1, writes: 1, activations: 0 } });
    const writes = executor.submit(Array.from({ length: 45 }, (_, n) => write(n)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(executor.requestsInFlight).toBe(1);
    expect(waits.at(-1)).toMatchObject({ reason: 'writes' });
    expect((waits.at(-1)?.until ?? 0) - Date.now()).toBeGreaterThan(50_000);
    expect(executor.stop()).toBe(1);
    const read = executor.run([get('/users/later')]).catch((error: unknown) => error);
    const results = await Promise.all(writes);
    expect(await read).toMatchObject({ code: 'INTERRUPTED', exitCode: 6 });
    expect(results.filter((result) => result.answered).map((result) => result.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(results.filter((result) => !result.answered).map((result) => [result.stopped, result.status, result.attempts])).toEqual(Array.from({ length: 25 }, () => [true, 0, 0]));
    expect(graph.sent).toHaveLength(1);
    expect(waits.at(-1)).toBeNull();
    executor.close();
  });

  it('after a stop, a write Graph throttled is not sent again: it settles as stopped with its 429', async () => {
    const graph = scriptedGraph(() => ({ status: 429, headers: { 'retry-after': '0.05' } }));
    const { executor } = executorFor(graph);
    const pending = executor.run([{ method: 'POST', version: 'v1.0', path: '/users/a/phone', body: {}, doing: 'writing', whenUnanswered: 'report' }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(executor.stop()).toBe(0);
    const [result] = await pending;
    expect(result).toMatchObject({ answered: false, stopped: true, status: 429, attempts: 1 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(graph.sent).toHaveLength(1);
    executor.close();
  });
});
