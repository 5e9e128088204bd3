/**
 * JSON batching (microsoftgraph/microsoft-graph-docs-contrib concepts/json-batching.md): at most
 * 20 requests; ids unique (case-insensitive) or the batch fails with 400; a request with a body
 * needs a Content-Type header; `dependsOn` orders requests and a request whose dependency failed
 * fails with 424; responses may come back in any order (the emulator shuffles them with a seed);
 * the batch itself answers 200 whatever its requests answered, 429s included.
 */
import { graphError, type GraphResponse } from './graph-response.js';
import type { GraphVersion } from './router.js';
import { isRecord } from '../json-value.js';

/** concepts/json-batching.md "Batch size limitations". */
export const MAX_BATCH_REQUESTS = 20;

export interface BatchItem {
  readonly id: string;
  readonly method: string;
  /** Relative URL, e.g. `/users/{id}/authentication/phoneMethods`, resolved against the batch's version. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly dependsOn: readonly string[];
}

const CANONICAL_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  location: 'Location',
  'cache-control': 'Cache-Control',
  'odata-version': 'OData-Version',
};

function invalid(message: string): GraphResponse {
  return graphError(400, 'BadRequest', message);
}


/** The batch's requests, or Graph's 400 for the whole batch. */
export function readBatch(body: unknown): BatchItem[] | GraphResponse {
  if (!isRecord(body) || !Array.isArray(body['requests'])) return invalid('Invalid batch payload format.');
  const requests = body['requests'] as unknown[];
  if (requests.length > MAX_BATCH_REQUESTS) {
    return invalid(`The batch holds ${requests.length} requests; a batch can hold at most ${MAX_BATCH_REQUESTS}.`);
  }
  const items: BatchItem[] = [];
  for (const request of requests) {
    if (!isRecord(request)) return invalid('Invalid batch payload format.');
    const { id, method, url, headers, dependsOn } = request;
    if (typeof id !== 'string' || id === '' || typeof method !== 'string' || typeof url !== 'string') {
      return invalid('Invalid batch payload format: every request needs id, method and url.');
    }
    const itemHeaders: Record<string, string> = {};
    if (isRecord(headers)) for (const [name, value] of Object.entries(headers)) itemHeaders[name.toLowerCase()] = String(value);
    if (request['body'] !== undefined && itemHeaders['content-type'] === undefined) {
      return invalid(`Write request id : ${id} does not contain Content-Type header or body.`);
    }
    if (dependsOn !== undefined && (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))) {
      return invalid(`Request id : ${id} has a dependsOn that is not an array of request ids.`);
    }
    items.push({ id, method, url, headers: itemHeaders, body: request['body'], dependsOn: (dependsOn as string[] | undefined) ?? [] });
  }
  const ids = new Set<string>();
  for (const item of items) {
    const key = item.id.toLowerCase();
    if (ids.has(key)) return invalid(`Request id '${item.id}' appears more than once in the batch; ids must be unique.`);
    ids.add(key);
  }
  for (const item of items) {
    for (const dependency of item.dependsOn) {
      if (!ids.has(dependency.toLowerCase()) || dependency.toLowerCase() === item.id.toLowerCase()) {
        return invalid(`Request id '${item.id}' depends on '${dependency}', which is not another request of the batch.`);
      }
    }
  }
  // A cycle would never run: refuse it like an unknown dependency.
  const byId = new Map(items.map((item) => [item.id.toLowerCase(), item]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cyclic = (item: BatchItem): boolean => {
    const key = item.id.toLowerCase();
    if (state.get(key) === 'done') return false;
    if (state.get(key) === 'visiting') return true;
    state.set(key, 'visiting');
    const found = item.dependsOn.some((dependency) => {
      const next = byId.get(dependency.toLowerCase());
      return next !== undefined && cyclic(next);
    });
    state.set(key, 'done');
    return found;
  };
  const loop = items.find(cyclic);
  if (loop !== undefined) return invalid(`Request id '${loop.id}' is part of a dependsOn cycle.`);
  return items;
}

/** The URL of a batch request: relative to the batch's version, with or without a leading slash. */
export function batchItemUrl(baseUrl: string, version: GraphVersion, relative: string): URL {
  return new URL(`${baseUrl}/${version}/${relative.replace(/^\/+/, '')}`);
}

export interface BatchResponseItem {
  readonly id: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

function toBatchResponse(id: string, response: GraphResponse): BatchResponseItem {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[CANONICAL_HEADERS[name] ?? name] = value;
  return response.body === undefined ? { id, status: response.status, headers } : { id, status: response.status, headers, body: response.body };
}

/**
 * Runs the requests, each after the requests it depends on; a request whose dependency answered
 * 4xx/5xx answers 424 without running. Returns the responses in the order `order` gives them.
 */
export async function runBatch(
  items: readonly BatchItem[],
  run: (item: BatchItem) => Promise<GraphResponse>,
  decorate: (response: GraphResponse) => GraphResponse,
  order: <T>(responses: readonly T[]) => T[],
): Promise<BatchResponseItem[]> {
  const results = new Map<string, Promise<GraphResponse>>();
  const resultOf = (item: BatchItem): Promise<GraphResponse> => {
    const key = item.id.toLowerCase();
    let result = results.get(key);
    if (result === undefined) {
      result = (async () => {
        for (const dependency of item.dependsOn) {
          const prerequisite = items.find((candidate) => candidate.id.toLowerCase() === dependency.toLowerCase());
          if (prerequisite === undefined) continue;
          const answered = await resultOf(prerequisite);
          if (answered.status >= 400) {
            return graphError(424, 'FailedDependency', `The request depends on request '${prerequisite.id}', which failed with status ${answered.status}.`);
          }
        }
        return run(item);
      })();
      results.set(key, result);
    }
    return result;
  };
  const answered = await Promise.all(items.map(async (item) => toBatchResponse(item.id, decorate(await resultOf(item)))));
  return order(answered);
}

