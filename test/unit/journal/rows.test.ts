/** Rows that do not have the shape the journal writes are refused with the row and field named. */
import { describe, expect, it } from 'vitest';
import { operationFromRow, runFromRow, type OperationRow, type RunRow } from '../../../src/journal/rows.js';

const anOperationRow = (overrides: Partial<OperationRow> = {}): OperationRow => ({
  id: 7, run_id: 'r', user_id: 3, seq: 1, kind: 'updatePhone', target: 'mobile',
  payload: '{"phoneNumber":"+1 4255550100","previousPhoneNumber":"+1 4255550111"}', status: 'planned', attempts: 0,
  request_id: null, graph_code: null, error_message: null, result: null, reverts_operation_id: null, sent_at: null, done_at: null, app_id: null,
  ...overrides,
});

const aRunRow = (overrides: Partial<RunRow> = {}): RunRow => ({
  id: '20261128-153012-ab12', command: 'plan', parent_run_id: null, status: 'running', started_at: '2026-11-28T15:30:12.000Z',
  finished_at: null, tenant_id: null, graph_url: null, options: '{}', inputs: '[]', summary: null, ...overrides,
});

function damage(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toMatchObject({ code: 'JOURNAL_UNREADABLE', exitCode: 3, file: 'j.db' });
    return error instanceof Error ? error.message : '';
  }
  throw new Error('the row was accepted');
}

describe('row mapping', () => {
  it('reads an operation with its kind-specific payload', () => {
    expect(operationFromRow(anOperationRow(), 'j.db')).toMatchObject({
      kind: 'updatePhone', target: 'mobile', phoneNumber: '+1 4255550100', previousPhoneNumber: '+1 4255550111', seq: 1,
    });
    expect(operationFromRow(anOperationRow({ kind: 'setPreferredMethod', target: 'sms', payload: '{"previous":"voiceMobile"}' }), 'j.db'))
      .toMatchObject({ kind: 'setPreferredMethod', target: 'sms', previous: 'voiceMobile' });
  });

  it('refuses an unknown kind, a target of the wrong kind, a missing payload field or broken JSON', () => {
    expect(damage(() => operationFromRow(anOperationRow({ kind: 'deleteEverything' }), 'j.db'))).toContain('operations row 7, kind: expected one of createPhone');
    expect(damage(() => operationFromRow(anOperationRow({ target: 'fax' }), 'j.db'))).toContain('operations row 7, target: expected one of mobile, alternateMobile, office');
    expect(damage(() => operationFromRow(anOperationRow({ payload: '{"previousPhoneNumber":null}' }), 'j.db'))).toContain('payload.phoneNumber: expected a string');
    expect(damage(() => operationFromRow(anOperationRow({ payload: '{"phoneNumber":' }), 'j.db'))).toContain('operations row 7, column payload is not valid JSON');
    expect(damage(() => operationFromRow(anOperationRow({ sent_at: 'yesterday' }), 'j.db'))).toContain('sent_at: expected an ISO 8601 date');
  });

  it('refuses a run with an unknown status or malformed inputs', () => {
    expect(damage(() => runFromRow(aRunRow({ status: 'paused' }), 'j.db'))).toContain('runs row 20261128-153012-ab12, status');
    expect(damage(() => runFromRow(aRunRow({ inputs: '[{"role":"users","path":"u.csv","size":"big"}]' }), 'j.db'))).toContain('inputs[0].size: expected an integer');
    expect(damage(() => runFromRow(aRunRow({ options: '[]' }), 'j.db'))).toContain('options: expected an object');
  });
});
