/**
 * What a Graph handler answers, before the pipeline adds the headers every Graph response carries
 * (request-id, client-request-id, x-ms-ags-diagnostic, Date). Error bodies follow Graph's shape
 * (microsoftgraph/microsoft-graph-docs-contrib concepts/errors.md):
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`;
 * the pipeline fills `innerError` once the request id is known.
 */
export interface GraphResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON value, a plain-text body (`$count`), or nothing (204). */
  readonly body: unknown;
}

/** Content type Graph sends with OData JSON payloads (concepts/json-batching.md, example responses). */
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'content-type': ODATA_JSON, 'odata-version': '4.0', ...headers }, body };
}

export function textResponse(status: number, text: string): GraphResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body: text };
}

export function noContent(): GraphResponse {
  return { status: 204, headers: {}, body: undefined };
}

export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: { error: { code, message } } };
}

export function isGraphErrorBody(body: unknown): body is { error: { code: string; message: string; innerError?: unknown } } {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object';
}

/** Adds Graph's `innerError` (date, request-id, client-request-id) to an error body. */
export function withInnerError(response: GraphResponse, requestId: string, clientRequestId: string, date: Date): GraphResponse {
  if (!isGraphErrorBody(response.body)) return response;
  const { code, message } = response.body.error;
  return {
    ...response,
    body: {
      error: {
        code,
        message,
        innerError: { date: date.toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId },
      },
    },
  };
}

/** Error codes and messages shared by several handlers, taken from the Graph reference pages cited. */
export const errors = {
  /** user-get.md: "If a user with the ID doesn't exist, this method returns a 404". Body as Graph sends for directory objects. */
  resourceNotFound: (id: string): GraphResponse =>
    graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  /** Graph's answer to a path segment it does not know. */
  segmentNotFound: (segment: string): GraphResponse =>
    graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  /** concepts/json-batching.md, example response for request 4. */
  methodNotAllowed: (): GraphResponse =>
    graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
  /** concepts/json-batching.md, example response for request 3. */
  insufficientPrivileges: (): GraphResponse =>
    graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  invalidJson: (): GraphResponse =>
    graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'),
  badRequest: (message: string): GraphResponse => graphError(400, 'badRequest', message),
  /** aad-advanced-queries.md: `$count` without `ConsistencyLevel: eventual`. */
  countNotSupported: (): GraphResponse => graphError(400, 'Request_BadRequest', '$count is not currently supported.'),
};
