/**
 * The JSON of `$batch`, built and read by us (the client library's batch helpers are not used;
 * docs/decisions.md). Rules from microsoftgraph/microsoft-graph-docs-contrib concepts/json-batching.md:
 * at most 20 requests; ids unique, compared case-insensitively; `url` relative to the batch's
 * version; a request with a body needs a Content-Type header; `dependsOn` names ids of the same
 * batch; answers come back in any order, matched by id, each with its own status and headers.
 */
import { MAX_BATCH_REQUESTS } from './limits.js';
import { isRecord } from '../json-value.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface BatchItem {
  readonly id: string;
  readonly method: HttpMethod;
  /** Relative to the version: `/users/{id}/authentication/methods`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly dependsOn?: readonly string[];
}

export interface BatchRequestBody {
  readonly requests: readonly {
    readonly id: string;
    readonly method: HttpMethod;
    readonly url: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: unknown;
    readonly dependsOn?: readonly string[];
  }[];
}

/** Builds the body; a broken invariant is a bug in the caller, so it throws a plain Error. */
export function buildBatchBody(items: readonly BatchItem[]): BatchRequestBody {
  if (items.length === 0 || items.length > MAX_BATCH_REQUESTS) {
    throw new Error(`A $batch holds 1 to ${MAX_BATCH_REQUESTS} requests, not ${items.length}.`);
  }
  const ids = new Set(items.map((item) => item.id.toLowerCase()));
  if (ids.size !== items.length) throw new Error('Request ids in a $batch must be unique (case-insensitively).');
  return {
    requests: items.map((item) => {
      for (const dependency of item.dependsOn ?? []) {
        if (!ids.has(dependency.toLowerCase()) || dependency.toLowerCase() === item.id.toLowerCase()) {
          throw new Error(`Request ${item.id} depends on ${dependency}, which is not another request of the batch.`);
        }
      }
      const headers: Record<string, string> = { ...item.headers };
      if (item.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
      return {
        id: item.id,
        method: item.method,
        url: item.url.startsWith('/') ? item.url : `/${item.url}`,
        ...(Object.keys(headers).length === 0 ? {} : { headers }),
        ...(item.body === undefined ? {} : { body: item.body }),
        ...(item.dependsOn === undefined || item.dependsOn.length === 0 ? {} : { dependsOn: [...item.dependsOn] }),
      };
    }),
  };
}

export interface BatchAnswer {
  readonly id: string;
  readonly status: number;
  /** Header names in lower case (Graph mixes `Retry-After` and `x-ms-resource-unit`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * The answers of a `$batch` keyed by lower-cased id, or null when the body is not a batch answer.
 * Answers are read one by one; a malformed one is skipped (its request then counts as unanswered).
 */
export function readBatchAnswers(body: unknown): Map<string, BatchAnswer> | null {
  if (!isRecord(body) || !Array.isArray(body['responses'])) return null;
  const answers = new Map<string, BatchAnswer>();
  for (const entry of body['responses'] as unknown[]) {
    if (!isRecord(entry)) continue;
    const { id, status } = entry;
    if (typeof id !== 'string' || typeof status !== 'number') continue;
    const headers: Record<string, string> = {};
    if (isRecord(entry['headers'])) {
      for (const [name, value] of Object.entries(entry['headers'])) {
        if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
      }
    }
    answers.set(id.toLowerCase(), { id, status, headers, body: entry['body'] });
  }
  return answers;
}
