import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/server.js';
import { callGraph, ids, startTestEmulator } from '../../support/emulator.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/**
 * The client's own AuthenticationHandler removes Authorization from requests to hosts that are not
 * https Graph hosts, so over plain http the bearer is set by a middleware of our own.
 */
class DevelopmentBearer implements Middleware {
  #next: Middleware | undefined;
  async execute(context: Context): Promise<void> {
    context.options = { ...context.options, headers: { ...(context.options?.headers as Record<string, string> | undefined), Authorization: 'Bearer development-token' } };
    if (this.#next === undefined) throw new Error('DevelopmentBearer must not be the last middleware');
    await this.#next.execute(context);
  }
  setNext(next: Middleware): void {
    this.#next = next;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('users (user-get.md, user-list.md)', () => {
  it('gets a user by UPN (any case) with the default properties and Graph headers', async () => {
    const response = await callGraph(emulator, 'GET', '/v1.0/users/Alice.Anders@Contoso.com', { headers: { 'client-request-id': 'my-correlation-id' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(GUID);
    expect(response.headers.get('client-request-id')).toBe('my-correlation-id');
    expect(JSON.parse(response.headers.get('x-ms-ags-diagnostic') ?? '{}')).toHaveProperty('ServerInfo');
    // user-get.md example 1: businessPhones, displayName, givenName, jobTitle, mail, mobilePhone,
    // officeLocation, preferredLanguage, surname, userPrincipalName, id.
    const { '@odata.context': context, ...user } = response.body as Record<string, unknown>;
    expect(context).toBe(`${emulator.url}/v1.0/$metadata#users/$entity`);
    expect(Object.keys(user).sort()).toEqual(
      ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    expect(user).toMatchObject({ id: ids.alice, userPrincipalName: 'alice.anders@contoso.com', displayName: 'Alice Anders', businessPhones: [] });
  });

  it('gets a user by id with $select, and refuses a property the type does not have', async () => {
    const selected = await callGraph(emulator, 'GET', `/v1.0/users/${ids.carol}?$select=id,onPremisesSamAccountName,onPremisesSecurityIdentifier,employeeId`);
    expect(selected.status).toBe(200);
    expect(selected.body).toEqual({
      '@odata.context': `${emulator.url}/v1.0/$metadata#users(id,onPremisesSamAccountName,onPremisesSecurityIdentifier,employeeId)/$entity`,
      id: ids.carol,
      onPremisesSamAccountName: 'carol',
      onPremisesSecurityIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-1103',
      employeeId: 'E1003',
    });
    const unknown = await callGraph(emulator, 'GET', `/v1.0/users/${ids.carol}?$select=id,shoeSize`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'BadRequest', message: "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'." });
  });

  it('answers 404 Request_ResourceNotFound with innerError for a user that does not exist', async () => {
    const response = await callGraph(emulator, 'GET', '/v1.0/users/walter.white@contoso.com', { headers: { 'client-request-id': 'c-1' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body).toEqual({
      error: {
        code: 'Request_ResourceNotFound',
        message: "Resource 'walter.white@contoso.com' does not exist or one of its queried reference-property objects are not present.",
        innerError: { date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/) as unknown, 'request-id': response.headers.get('request-id'), 'client-request-id': 'c-1' },
      },
    });
  });

  it('pages the user list with @odata.nextLink until every user was returned once', async () => {
    const seen: string[] = [];
    let next: string | null = `/v1.0/users?$top=10&$select=id`;
    let pages = 0;
    while (next !== null) {
      const page = await callGraph(emulator, 'GET', next);
      expect(page.status).toBe(200);
      pages += 1;
      for (const user of page.body.value as { id: string }[]) seen.push(user.id);
      const link = page.body['@odata.nextLink'] as string | undefined;
      if (link !== undefined) expect(link).toMatch(new RegExp(`^${emulator.url}/v1\\.0/users\\?\\$top=10&\\$select=id&\\$skiptoken=`));
      next = link === undefined ? null : link.slice(emulator.url.length);
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(emulator.seed.users.length);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters with eq on the matching attributes that work by default', async () => {
    for (const filter of [
      "userPrincipalName eq 'DAVE@contoso.com'",
      "mail eq 'dave.dietrich@contoso.com'",
      "employeeId eq 'E1004'",
      "onPremisesSecurityIdentifier eq 'S-1-5-21-1004336348-1177238915-682003330-1104'",
      "userPrincipalName in ('nobody@contoso.com','dave@contoso.com')",
    ]) {
      const response = await callGraph(emulator, 'GET', `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id`);
      expect(response.status, filter).toBe(200);
      expect(response.body.value, filter).toEqual([{ id: ids.dave }]);
    }
  });

  it('needs ConsistencyLevel: eventual and $count=true for onPremisesSamAccountName (Request_UnsupportedQuery otherwise)', async () => {
    const filter = encodeURIComponent("onPremisesSamAccountName eq 'carol'");
    const plain = await callGraph(emulator, 'GET', `/v1.0/users?$filter=${filter}`);
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatchObject({
      code: 'Request_UnsupportedQuery',
      message: "Unsupported or invalid query filter clause specified for property 'onPremisesSamAccountName' of resource 'User'.",
    });
    const headerOnly = await callGraph(emulator, 'GET', `/v1.0/users?$filter=${filter}`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(headerOnly.status).toBe(400);
    const advanced = await callGraph(emulator, 'GET', `/v1.0/users?$filter=${filter}&$count=true&$select=id`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(advanced.status).toBe(200);
    expect(advanced.body['@odata.count']).toBe(1);
    expect(advanced.body.value).toEqual([{ id: ids.carol }]);
  });

  it('answers advanced-only operators with the aad-advanced-queries.md message, and ignores $count without the header', async () => {
    const endsWith = await callGraph(emulator, 'GET', `/v1.0/users?$filter=${encodeURIComponent("endsWith(mail,'@contoso.com')")}`);
    expect(endsWith.status).toBe(400);
    expect(endsWith.body.error.code).toBe('Request_UnsupportedQuery');
    expect(endsWith.body.error.message).toMatch(/^Operator 'endsWith' is not supported because the required parameters might be missing\. Try adding \$count=true query parameter and ConsistencyLevel:eventual header\./);
    const silent = await callGraph(emulator, 'GET', '/v1.0/users?$count=true&$top=1');
    expect(silent.status).toBe(200);
    expect(silent.body).not.toHaveProperty('@odata.count');
  });

  it('counts users only with ConsistencyLevel: eventual, as text/plain', async () => {
    const refused = await callGraph(emulator, 'GET', '/v1.0/users/$count');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'Request_BadRequest', message: '$count is not currently supported.' });
    const counted = await callGraph(emulator, 'GET', '/v1.0/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect(counted.status).toBe(200);
    expect(counted.headers.get('content-type')).toBe('text/plain');
    expect(counted.text).toBe(String(emulator.seed.users.length));
  });

  it('refuses a page size outside 1–999 and an unknown path segment', async () => {
    const top = await callGraph(emulator, 'GET', '/v1.0/users?$top=1000');
    expect(top.status).toBe(400);
    expect(top.body.error.code).toBe('Request_BadRequest');
    const segment = await callGraph(emulator, 'GET', '/v1.0/usres');
    expect(segment.status).toBe(400);
    expect(segment.body.error).toMatchObject({ code: 'BadRequest', message: "Resource not found for the segment 'usres'." });
    const method = await callGraph(emulator, 'PUT', `/v1.0/users/${ids.alice}`, { body: {} });
    expect(method.status).toBe(405);
  });

  it('serves @microsoft/microsoft-graph-client: get, select and filter', async () => {
    const bearer = new DevelopmentBearer();
    bearer.setNext(new HTTPMessageHandler());
    const client = Client.initWithMiddleware({ baseUrl: emulator.url, defaultVersion: 'v1.0', middleware: bearer });
    const user = (await client.api('/users/dave@contoso.com').select(['id', 'displayName']).get()) as Record<string, unknown>;
    expect(user).toMatchObject({ id: ids.dave, displayName: 'Dave Dietrich' });
    const found = (await client.api('/users').filter("employeeId eq 'E1017'").select('id').get()) as { value: { id: string }[] };
    expect(found.value).toEqual([{ id: ids.rupert }]);
    await expect(client.api('/users/walter.white@contoso.com').get()).rejects.toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });
});

describe('groups (group-list.md, group-list-transitivemembers.md)', () => {
  it('finds a group by name and lists its transitive members, nested groups resolved', async () => {
    const groups = await callGraph(emulator, 'GET', `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'MFA Server users'")}&$select=id,displayName`);
    expect(groups.status).toBe(200);
    expect(groups.body.value).toEqual([{ id: ids.mfaGroup, displayName: 'MFA Server users' }]);

    const members = await callGraph(emulator, 'GET', `/v1.0/groups/${ids.mfaGroup}/transitiveMembers?$select=id,userPrincipalName`);
    expect(members.status).toBe(200);
    expect(members.headers.get('x-ms-resource-unit')).toBe('4');
    const value = members.body.value as { '@odata.type': string; id: string }[];
    // 26 direct users, the nested Finance group, and Finance's one member not already direct.
    expect(value.filter((m) => m['@odata.type'] === '#microsoft.graph.user')).toHaveLength(27);
    expect(value.filter((m) => m['@odata.type'] === '#microsoft.graph.group').map((m) => m.id)).toEqual([ids.financeGroup]);
  });

  it('casts to users only with the advanced query parameters', async () => {
    const refused = await callGraph(emulator, 'GET', `/v1.0/groups/${ids.financeGroup}/transitiveMembers/microsoft.graph.user`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('Request_UnsupportedQuery');
    const cast = await callGraph(emulator, 'GET', `/v1.0/groups/${ids.financeGroup}/transitiveMembers/microsoft.graph.user?$count=true&$select=id`, {
      headers: { ConsistencyLevel: 'eventual' },
    });
    expect(cast.status).toBe(200);
    expect(cast.body['@odata.count']).toBe(3);
    const missing = await callGraph(emulator, 'GET', '/v1.0/groups/00000000-0000-0000-0000-000000000000/transitiveMembers');
    expect(missing.status).toBe(404);
  });
});
