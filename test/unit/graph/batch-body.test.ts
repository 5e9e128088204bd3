import { describe, expect, it } from 'vitest';
import { buildBatchBody, readBatchAnswers, type BatchItem } from '../../../src/graph/batch-body.js';
import { MAX_BATCH_REQUESTS } from '../../../src/graph/limits.js';

const get = (id: string, url: string, extra: Partial<BatchItem> = {}): BatchItem => ({ id, method: 'GET', url, ...extra });

describe('$batch body (json-batching.md)', () => {
  it('writes requests with relative urls, a Content-Type for bodies and dependsOn only when given', () => {
    expect(
      buildBatchBody([
        get('1', 'users/a'),
        { id: '2', method: 'POST', url: '/users/a/authentication/phoneMethods', body: { phoneType: 'mobile' }, dependsOn: ['1'] },
        get('3', '/users?$count=true', { headers: { ConsistencyLevel: 'eventual' } }),
      ]),
    ).toEqual({
      requests: [
        { id: '1', method: 'GET', url: '/users/a' },
        { id: '2', method: 'POST', url: '/users/a/authentication/phoneMethods', headers: { 'Content-Type': 'application/json' }, body: { phoneType: 'mobile' }, dependsOn: ['1'] },
        { id: '3', method: 'GET', url: '/users?$count=true', headers: { ConsistencyLevel: 'eventual' } },
      ],
    });
  });

  it(`refuses more than ${MAX_BATCH_REQUESTS} requests, ids equal but for case, and a dependsOn outside the batch`, () => {
    expect(() => buildBatchBody(Array.from({ length: MAX_BATCH_REQUESTS + 1 }, (_, n) => get(String(n), '/users')))).toThrow(/1 to 20/);
    expect(() => buildBatchBody([get('a', '/x'), get('A', '/y')])).toThrow(/unique/);
    expect(() => buildBatchBody([get('1', '/x', { dependsOn: ['9'] })])).toThrow(/not another request/);
    expect(() => buildBatchBody([get('1', '/x', { dependsOn: ['1'] })])).toThrow(/not another request/);
  });

  it('reads answers by id in any order, with header names in lower case, skipping malformed ones', () => {
    const answers = readBatchAnswers({
      responses: [
        { id: '2', status: 429, headers: { 'Retry-After': '1.5', 'x-ms-resource-unit': 1 }, body: { error: { code: 'Request_ThrottledTemporarily' } } },
        { id: 'One', status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: 'x' } },
        { status: 200 },
        'nonsense',
      ],
    });
    expect([...(answers?.keys() ?? [])]).toEqual(['2', 'one']);
    expect(answers?.get('2')?.headers).toEqual({ 'retry-after': '1.5', 'x-ms-resource-unit': '1' });
    expect(answers?.get('one')).toMatchObject({ id: 'One', status: 200, body: { id: 'x' } });
    expect(readBatchAnswers({ value: [] })).toBeNull();
    expect(readBatchAnswers('<html>')).toBeNull();
  });
});
