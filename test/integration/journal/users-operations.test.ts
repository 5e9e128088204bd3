import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finding } from '../../../src/findings.js';
import { openMemoryJournal, USERS_PER_TRANSACTION, type Journal } from '../../../src/journal/journal.js';
import type { StoredOperation } from '../../../src/run-records.js';
import { manualClock } from '../../support/clock.js';
import { aDesiredToken } from '../../support/desired-builders.js';
import { aPlanRun, aRecordedDesiredState, aRecordedEntraState, aUserPlan, aUserRecord, createOffice, setDefault, updateMobile } from '../../support/journal-builders.js';

let journal: Journal;
let clock: ReturnType<typeof manualClock>;
let runId: string;
beforeEach(() => {
  clock = manualClock();
  journal = openMemoryJournal({ clock });
  runId = journal.createRun(aPlanRun()).id;
});
afterEach(() => { journal.close(); });

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('no item');
  return item;
}

function opIds(operations: readonly StoredOperation[]): number[] {
  return operations.map((operation) => operation.id);
}

describe('recordUsers and iterateUsers', () => {
  it('gives back what plan recorded: desired state, plan decisions, before-state, issues and operations', () => {
    const record = aUserRecord(2);
    journal.recordUsers(runId, [record]);
    const user = only([...journal.iterateUsers(runId)]);

    // The user's findings are stored once, in issues; the stored desired state has none of its own.
    const { issues: mappingIssues, ...desired } = record.desired;
    expect(mappingIssues).toEqual([]);
    expect(user).toMatchObject({
      runId,
      line: 2,
      username: 'user2@contoso.com',
      upn: 'user2@contoso.com',
      entraUserId: 'a1b2c3d4-0000-0000-0000-000000000001',
      matchedBy: 'userPrincipalName',
      mappingStatus: 'ready',
      planStatus: 'planned',
      finalStatus: null,
      desired,
      plan: { defaultMethod: 'voiceMobile', devices: aUserPlan().devices },
      before: aRecordedEntraState(),
      issues: record.issues,
      updatedAt: new Date('2026-11-28T15:30:12.000Z'),
    });
    expect(user.desired.devices[0]?.lastUsedAt).toEqual(new Date('2026-01-02T03:04:05.000Z'));
    expect(user.operations).toEqual([
      { ...updateMobile, id: 1, runId, userId: user.id, seq: 1, attempts: 0, requestId: null, graphCode: null, errorMessage: null, result: null, revertsOperationId: null, sentAt: null, doneAt: null, appId: null },
      expect.objectContaining({ ...createOffice, seq: 2 }),
    ]);
  });

  it('records a user without a plan (unmatched) with its status only', () => {
    journal.recordUsers(runId, [{
      desired: aRecordedDesiredState({ line: 5 }),
      before: null,
      plan: { status: 'unmatched' },
      issues: [finding('USER_NOT_FOUND', 'users.csv', 5, 'users.csv line 5: no Entra user user5@contoso.com')],
    }]);
    const user = only([...journal.iterateUsers(runId)]);
    expect(user).toMatchObject({ planStatus: 'unmatched', plan: null, before: null, entraUserId: null, matchedBy: null, operations: [] });
  });

  it('stores a hardware token by serial, interval, hash and seed fingerprint, never the seed', () => {
    const token = aDesiredToken();
    journal.recordUsers(runId, [aUserRecord(2, { desired: aRecordedDesiredState({ hardwareTokens: [token] }) })]);
    const stored = only(only([...journal.iterateUsers(runId)]).desired.hardwareTokens);
    expect(stored).toEqual({
      serialNumber: 'TOTP0001',
      seedFingerprint: journal.seedFingerprint(token.secretKey),
      timeIntervalInSeconds: 30,
      hashFunction: 'hmacsha1',
      manufacturer: 'Contoso',
      model: 'Hardware Key',
      file: 'tokens.csv',
      line: 2,
    });
    expect(stored).not.toHaveProperty('secretKey');
  });

  it('records many users in chunks and streams them back in users-file order', () => {
    const count = USERS_PER_TRANSACTION * 2 + 17;
    const lines = Array.from({ length: count }, (_, i) => count + 1 - i);
    expect(journal.recordUsers(runId, lines.map((line) => aUserRecord(line)))).toBe(count);
    let previous = 0;
    let seen = 0;
    for (const user of journal.iterateUsers(runId)) {
      expect(user.line).toBeGreaterThan(previous);
      previous = user.line;
      seen++;
    }
    expect(seen).toBe(count);
  });

  it('frees the statement when iteration stops early, so the journal can be written again', () => {
    journal.recordUsers(runId, [aUserRecord(2), aUserRecord(3)]);
    for (const user of journal.iterateUsers(runId)) {
      expect(user.line).toBe(2);
      break;
    }
    expect(() => { journal.markSent(opIds(journal.nextPlannedOperations(runId, 1))); }).not.toThrow();
  });

  it('sets final statuses', () => {
    journal.recordUsers(runId, [aUserRecord(2)]);
    const user = only([...journal.iterateUsers(runId)]);
    clock.advance(1_000);
    journal.setFinalStatus([{ userId: user.id, status: 'migrated' }]);
    expect(only([...journal.iterateUsers(runId)])).toMatchObject({ finalStatus: 'migrated', updatedAt: new Date('2026-11-28T15:30:13.000Z') });
    expect(() => { journal.setFinalStatus([{ userId: 999, status: 'failed' }]); }).toThrow(/user 999 is not in the journal/);
  });
});

describe('copyPlan', () => {
  it('copies the users and operations of a plan into an apply run, leaving the plan untouched', () => {
    journal.recordUsers(runId, [aUserRecord(2), aUserRecord(3, { plan: { status: 'skipped' } }), aUserRecord(4, { plan: aUserPlan({ operations: [setDefault] }) })]);
    journal.finishRun(runId, 'finished', null);
    const apply = journal.createRun(aPlanRun({ command: 'apply', parentRunId: runId }));

    expect(journal.copyPlan(runId, apply.id)).toEqual({ users: 3, operations: 3 });
    const copied = [...journal.iterateUsers(apply.id)];
    const planned = [...journal.iterateUsers(runId)];
    expect(copied.map((user) => user.operations.map((op) => [op.kind, op.seq, op.status, op.userId === user.id]))).toEqual([
      [['updatePhone', 1, 'planned', true], ['createPhone', 2, 'planned', true]],
      [],
      [['setPreferredMethod', 1, 'planned', true]],
    ]);
    expect(copied.map((user) => user.desired)).toEqual(planned.map((user) => user.desired));
    journal.markSent(opIds(journal.nextPlannedOperations(apply.id, 10)));
    expect(journal.nextPlannedOperations(runId, 10)).toHaveLength(3);
  });
});

describe('operations: planned → sent → done | failed', () => {
  beforeEach(() => {
    journal.recordUsers(runId, [aUserRecord(2), aUserRecord(3, { plan: aUserPlan({ operations: [setDefault] }) })]);
  });

  it('hands out planned work in execution order and marks it sent before it leaves', () => {
    const batch = journal.nextPlannedOperations(runId, 2);
    expect(batch.map((op) => [op.kind, op.seq])).toEqual([['updatePhone', 1], ['createPhone', 2]]);
    clock.advance(1_000);
    journal.markSent(opIds(batch));

    const sent = journal.sentOperations(runId);
    expect(sent.map((op) => [op.id, op.status, op.attempts, op.sentAt])).toEqual(
      batch.map((op) => [op.id, 'sent', 1, new Date('2026-11-28T15:30:13.000Z')]),
    );
    expect(journal.nextPlannedOperations(runId, 10).map((op) => op.kind)).toEqual(['setPreferredMethod']);
  });

  it('records done with the request-id and what rollback needs, failed with Graph error code and message', () => {
    const [update, create] = journal.nextPlannedOperations(runId, 2);
    if (update === undefined || create === undefined) throw new Error('two operations expected');
    journal.markSent([update.id, create.id]);
    clock.advance(250);
    journal.markDone(update.id, 'req-1', { resourceId: 'b6332ec1-7057-4abe-9331-3d72feddfe41' });
    journal.markFailed(create.id, 'invalidPhoneNumber', 'Graph refused +1 4255550199x123', 'req-2');

    const [done, failed] = [...journal.iterateOperations(runId)];
    expect(done).toMatchObject({
      status: 'done', requestId: 'req-1', result: { resourceId: 'b6332ec1-7057-4abe-9331-3d72feddfe41' },
      doneAt: new Date('2026-11-28T15:30:12.250Z'), previousPhoneNumber: '+1 4255550111',
    });
    expect(failed).toMatchObject({ status: 'failed', requestId: 'req-2', graphCode: 'invalidPhoneNumber', errorMessage: 'Graph refused +1 4255550199x123' });
    expect([...journal.iterateOperations(runId, { status: 'failed' })].map((op) => op.id)).toEqual([create.id]);
  });

  it('resets sent operations to planned for reconciliation, keeping the attempt count', () => {
    const batch = journal.nextPlannedOperations(runId, 3);
    journal.markSent(opIds(batch));
    expect(journal.resetSentToPlanned(opIds(journal.sentOperations(runId)))).toBe(3);
    journal.markSent(opIds(journal.nextPlannedOperations(runId, 3)));
    expect(journal.sentOperations(runId).map((op) => op.attempts)).toEqual([2, 2, 2]);
  });

  it('marks planned operations skipped with the reason', () => {
    const [, second] = journal.nextPlannedOperations(runId, 2);
    if (second === undefined) throw new Error('operation expected');
    journal.markSkipped([second.id], 'the mobile phone it depends on failed');
    expect([...journal.iterateOperations(runId, { status: 'skipped' })]).toEqual([
      expect.objectContaining({ id: second.id, errorMessage: 'the mobile phone it depends on failed', attempts: 0 }),
    ]);
  });

  it('refuses a transition from the wrong state and rolls back the whole batch', () => {
    const [first, second] = journal.nextPlannedOperations(runId, 2);
    if (first === undefined || second === undefined) throw new Error('two operations expected');
    journal.markSent([first.id]);
    expect(() => { journal.markSent([second.id, first.id]); }).toThrow(`operation ${first.id} is sent, not planned`);
    expect(journal.sentOperations(runId).map((op) => op.id)).toEqual([first.id]);
    expect(() => { journal.markDone(second.id, 'req'); }).toThrow(`operation ${second.id} is planned, not sent`);
    expect(() => { journal.markFailed(424242, null, 'x', null); }).toThrow('operation 424242 is not in the journal');
  });

  it('commits several outcomes in one transaction', () => {
    const batch = journal.nextPlannedOperations(runId, 3);
    journal.markSent(opIds(batch));
    journal.transaction(() => {
      for (const op of batch) journal.markDone(op.id, `req-${op.id}`);
    });
    expect([...journal.iterateOperations(runId, { status: 'done' })]).toHaveLength(3);
    expect(() => journal.transaction(() => {
      journal.resetSentToPlanned([]);
      throw new Error('batch response unreadable');
    })).toThrow('batch response unreadable');
  });
});

describe('runSummary', () => {
  it('counts users by plan and final status, operations by kind and status, issues by code', () => {
    journal.recordUsers(runId, [
      aUserRecord(2),
      aUserRecord(3, { plan: aUserPlan({ operations: [setDefault] }) }),
      aUserRecord(4, { plan: { status: 'rejected' }, before: null, issues: [finding('PHONE_INVALID', 'users.csv', 4, 'bad'), finding('PHONE_INVALID', 'users.csv', 4, 'bad backup')] }),
    ]);
    const [first] = journal.nextPlannedOperations(runId, 1);
    if (first === undefined) throw new Error('operation expected');
    journal.markSent([first.id]);
    journal.markDone(first.id, 'req-1');
    const users = [...journal.iterateUsers(runId)];
    journal.setFinalStatus(users.slice(0, 1).map((user) => ({ userId: user.id, status: 'partial' as const })));

    expect(journal.runSummary(runId)).toEqual({
      users: 3,
      usersByPlanStatus: { planned: 2, rejected: 1 },
      usersByFinalStatus: { partial: 1 },
      operations: 3,
      operationsByKind: { updatePhone: { done: 1 }, createPhone: { planned: 1 }, setPreferredMethod: { planned: 1 } },
      issues: { PIN_MODE_NOT_MIGRATED: 2, PHONE_INVALID: 2 },
    });
    journal.finishRun(runId, 'finished', journal.runSummary(runId));
    expect(journal.getRun(runId)?.summary).toEqual(journal.runSummary(runId));
  });
});
