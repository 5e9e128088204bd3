import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.reset();
});
afterAll(async () => {
  await emulator.close();
});

const phones = (user: string): string => `/v1.0/users/${user}/authentication/phoneMethods`;

describe('phoneMethods (authentication-post-phonemethods.md, phoneauthenticationmethod-update/-delete.md)', () => {
  it('creates a mobile: 201 Created, Location, the documented body with the fixed mobile id', async () => {
    const created = await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065555555', phoneType: 'mobile' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${emulator.url}/v1.0/users/${ids.bob}/authentication/phoneMethods/${ids.mobile}`);
    expect(created.body).toEqual({
      '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
      id: ids.mobile,
      phoneNumber: '+1 2065555555',
      phoneType: 'mobile',
      smsSignInState: 'ready',
    });
    const listed = await callGraph(emulator, 'GET', phones(ids.bob));
    expect(listed.body.value).toEqual([created.body]);
    expect(emulator.stats().phoneCreates).toEqual({ [`${ids.bob}/mobile`]: 1 });
  });

  it('gives each type its fixed id and an office phone its extension', async () => {
    await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 4255550101x123', phoneType: 'office' } });
    await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } });
    await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065550103', phoneType: 'alternateMobile' } });
    const listed = await callGraph(emulator, 'GET', phones(ids.bob));
    expect((listed.body.value as { id: string; phoneType: string; phoneNumber: string; smsSignInState: string }[]).map((p) => [p.id, p.phoneType, p.phoneNumber, p.smsSignInState])).toEqual([
      [ids.mobile, 'mobile', '+1 2065550102', 'ready'],
      [ids.alternateMobile, 'alternateMobile', '+1 2065550103', 'notSupported'],
      [ids.office, 'office', '+1 4255550101x123', 'notSupported'],
    ]);
    const one = await callGraph(emulator, 'GET', `${phones(ids.bob)}/${ids.office}`);
    expect(one.body).toMatchObject({ id: ids.office, phoneNumber: '+1 4255550101x123' });
  });

  it('refuses a second phone of the same type, an alternateMobile without a mobile, a bad number or type', async () => {
    const duplicate = await callGraph(emulator, 'POST', phones(ids.alice), { body: { phoneNumber: '+1 4255550199', phoneType: 'mobile' } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.code).toBe('badRequest');
    const alternate = await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065550102', phoneType: 'alternateMobile' } });
    expect(alternate.status).toBe(400);
    expect(alternate.body.error.message).toContain("'alternateMobile'");
    for (const phoneNumber of ['(425) 555-0100', '+1 (425) 555-0100', '4255550100', '+1 425-555-0100', '+1 4255550100 x12']) {
      const bad = await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber, phoneType: 'mobile' } });
      expect(bad.status, phoneNumber).toBe(400);
      expect(bad.body.error.message, phoneNumber).toContain('+{country code} {number}x{extension}');
    }
    const type = await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065550102', phoneType: 'pager' } });
    expect(type.status).toBe(400);
    const state = emulator.state() as { users: { id: string; phoneMethods: unknown[] }[] };
    expect(state.users.find((u) => u.id === ids.bob)?.phoneMethods).toEqual([]);
    expect(emulator.stats().phoneCreates).toEqual({});
  });

  it('updates a number with 204; the type cannot change; a missing phone is 404', async () => {
    const updated = await callGraph(emulator, 'PATCH', `${phones(ids.alice)}/${ids.mobile}`, { body: { phoneNumber: '+1 2065555554', phoneType: 'mobile' } });
    expect(updated.status).toBe(204);
    expect(updated.text).toBe('');
    const read = await callGraph(emulator, 'GET', `${phones(ids.alice)}/${ids.mobile}`);
    expect(read.body.phoneNumber).toBe('+1 2065555554');
    const retype = await callGraph(emulator, 'PATCH', `${phones(ids.alice)}/${ids.mobile}`, { body: { phoneNumber: '+1 2065555554', phoneType: 'office' } });
    expect(retype.status).toBe(400);
    const missing = await callGraph(emulator, 'PATCH', `${phones(ids.alice)}/${ids.office}`, { body: { phoneNumber: '+1 2065555554' } });
    expect(missing.status).toBe(404);
  });

  it('will not delete the mobile while an alternateMobile exists, nor the default method', async () => {
    const blocked = await callGraph(emulator, 'DELETE', `${phones(ids.victor)}/${ids.mobile}`);
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.message).toContain("'alternateMobile'");
    expect((await callGraph(emulator, 'DELETE', `${phones(ids.victor)}/${ids.alternateMobile}`)).status).toBe(204);
    expect((await callGraph(emulator, 'DELETE', `${phones(ids.victor)}/${ids.mobile}`)).status).toBe(204);
    expect((await callGraph(emulator, 'GET', phones(ids.victor))).body.value).toEqual([]);
    // Alice's default is voiceMobile (phoneauthenticationmethod-delete.md: the default can't be deleted).
    const defaultPhone = await callGraph(emulator, 'DELETE', `${phones(ids.alice)}/${ids.mobile}`);
    expect(defaultPhone.status).toBe(400);
    expect(defaultPhone.body.error.message).toContain('default');
    expect((await callGraph(emulator, 'DELETE', `${phones(ids.bob)}/${ids.mobile}`)).status).toBe(404);
  });

  it('marks a mobile already used for SMS sign-in by another user phoneNumberNotUnique', async () => {
    const created = await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 4255550100', phoneType: 'mobile' } });
    expect(created.status).toBe(201);
    expect(created.body.smsSignInState).toBe('phoneNumberNotUnique');
  });

  it('keeps phoneNumberNotUnique right through updates and deletes', async () => {
    const mobile = (user: string): string => `${phones(user)}/${ids.mobile}`;
    const stateOf = async (user: string): Promise<unknown> => (await callGraph(emulator, 'GET', mobile(user))).body.smsSignInState;
    await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065550177', phoneType: 'mobile' } });
    expect(await stateOf(ids.bob)).toBe('ready');
    // Bob moves to Alice's sign-in number, then back to a number of his own.
    expect((await callGraph(emulator, 'PATCH', mobile(ids.bob), { body: { phoneNumber: '+1 4255550100' } })).status).toBe(204);
    expect(await stateOf(ids.bob)).toBe('phoneNumberNotUnique');
    await callGraph(emulator, 'PATCH', mobile(ids.bob), { body: { phoneNumber: '+1 2065550177' } });
    expect(await stateOf(ids.bob)).toBe('ready');
    // Carol taking it is a duplicate until Bob's mobile is deleted; then Dave's is not.
    const carol = await callGraph(emulator, 'POST', phones(ids.carol), { body: { phoneNumber: '+1 2065550177', phoneType: 'mobile' } });
    expect(carol.body.smsSignInState).toBe('phoneNumberNotUnique');
    expect((await callGraph(emulator, 'DELETE', mobile(ids.bob))).status).toBe(204);
    expect((await callGraph(emulator, 'DELETE', mobile(ids.carol))).status).toBe(204);
    const dave = await callGraph(emulator, 'POST', phones(ids.dave), { body: { phoneNumber: '+1 2065550177', phoneType: 'mobile' } });
    expect(dave.body.smsSignInState).toBe('ready');
  });

  it('answers 404 for a user that does not exist', async () => {
    const response = await callGraph(emulator, 'POST', phones('walter.white@contoso.com'), { body: { phoneNumber: '+1 4255550117', phoneType: 'mobile' } });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('masked phone numbers (delegated authentication administrators)', () => {
  it('answers every read masked but stores the real number', async () => {
    const masked = await startTestEmulator({ maskPhoneNumbers: true });
    try {
      const listed = await callGraph(masked, 'GET', phones(ids.heidi));
      expect(listed.body.value[0]?.['phoneNumber']).toBe('+1 XXXXXXXX06x200');
      const methods = await callGraph(masked, 'GET', `/v1.0/users/${ids.alice}/authentication/methods`);
      expect((methods.body.value as { phoneNumber?: string }[]).find((m) => m.phoneNumber !== undefined)?.phoneNumber).toBe('+1 XXXXXXXX00');
      const state = masked.state() as { users: { id: string; phoneMethods: { phoneNumber: string }[] }[] };
      expect(state.users.find((u) => u.id === ids.alice)?.phoneMethods[0]?.phoneNumber).toBe('+1 4255550100');
    } finally {
      await masked.close();
    }
  });
});

describe('SMS sign-in state follows the policy targets', () => {
  it('is notAllowedByPolicy for a member of a group the Sms configuration excludes', async () => {
    const emulator = await startTestEmulator();
    try {
      // Peggy is in "No SMS (regional)", excluded from the Sms method in the sample policy.
      const peggy = await callGraph(emulator, 'POST', phones('peggy.patel@contoso.com'), { body: { phoneNumber: '+91 9876543210', phoneType: 'mobile' } });
      expect(peggy.body['smsSignInState']).toBe('notAllowedByPolicy');
      const bob = await callGraph(emulator, 'POST', phones(ids.bob), { body: { phoneNumber: '+1 2065550102', phoneType: 'mobile' } });
      expect(bob.body['smsSignInState']).toBe('ready');
    } finally {
      await emulator.close();
    }
  });
});
