/**
 * Contract tests from Microsoft's own examples: each response example of the reference pages of the
 * endpoints the product calls (fixtures/graph-examples/, each naming its page, commit and API
 * version) goes through the product's readers, then through the gateway itself over a transport
 * that answers only with those examples. Whatever real Graph documents must parse to the right
 * values — the emulator is not in the loop, so its answers cannot make these pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBatchAnswers } from '../../src/graph/batch-body.js';
import { resolveGraphConfig } from '../../src/graph/config.js';
import {
  readCollection,
  readCount,
  readCreatedId,
  readEntraUser,
  readEntraUserId,
  readGroup,
  readHardwareOathMethods,
  readHardwareToken,
  readMemberUserId,
  readMethods,
  readSignInPreferences,
  readTemporaryAccessPass,
  readTenantPolicy,
} from '../../src/graph/entra-json.js';
import { createGraphGateway } from '../../src/graph/gateway.js';
import { readGraphError } from '../../src/graph/graph-errors.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../src/graph/http-client.js';
import { memoryLog } from '../../src/log.js';
import { systemClock } from '../../src/clock.js';
import { lookup } from '../integration/graph/gateway-fixture.js';

interface GraphExample {
  readonly source: string;
  readonly commit: string;
  readonly version: 'v1.0' | 'beta';
  readonly example: string;
  readonly request: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
}

const directory = fileURLToPath(new URL('../../fixtures/graph-examples/', import.meta.url));
const examples = new Map(
  readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(`${directory}${name}`, 'utf8')) as GraphExample]),
);

function example(name: string): GraphExample {
  const found = examples.get(name);
  if (found === undefined) throw new Error(`fixtures/graph-examples/${name}.json is missing`);
  return found;
}

const body = (name: string): unknown => example(name).body;

describe('the reference examples kept as fixtures', () => {
  it('each names its page, commit and version and holds an answer', () => {
    expect(examples.size).toBeGreaterThanOrEqual(20);
    for (const [name, kept] of examples) {
      expect(kept.source, name).toMatch(/^microsoftgraph\/microsoft-graph-docs-contrib\/(api-reference\/(v1\.0|beta)\/api|concepts)\/[\w.-]+\.md$/);
      expect(kept.commit, name).toMatch(/^[0-9a-f]{40}$/);
      expect(name.startsWith(`${kept.version}-`) || name.startsWith('concepts-'), name).toBe(true);
      expect(kept.status, name).toBeGreaterThanOrEqual(200);
    }
  });
});

describe('the product\'s readers on Microsoft\'s examples', () => {
  it('user-list.md: users, a filtered page with @odata.count, and the plain-text $count', () => {
    const users = readCollection(body('v1.0-user-list-example-1')).items.map((item) => readEntraUser(item, 'userPrincipalName'));
    expect(users).toEqual([
      { id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0', userPrincipalName: 'Adams@contoso.com', displayName: 'Conf Room Adams', accountEnabled: null, matchedBy: 'userPrincipalName' },
      { id: '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e', userPrincipalName: 'admin@contoso.com', displayName: 'MOD Administrator', accountEnabled: null, matchedBy: 'userPrincipalName' },
    ]);
    expect(readEntraUserId(readCollection(body('v1.0-user-list-example-1')).items[0])).toBe('6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0');
    expect(readCollection(body('v1.0-user-list-example-5')).items.map((item) => readEntraUser(item, 'mail')?.userPrincipalName)).toEqual(['GradyA@contoso.com']);
    expect(example('v1.0-user-list-example-3').contentType).toBe('text/plain');
    expect(readCount(body('v1.0-user-list-example-3'))).toBe(893);
  });

  it('beta user-get.md: the user', () => {
    expect(readEntraUser(body('beta-user-get-example-2'), 'userPrincipalName')).toMatchObject({ id: 'id-value', userPrincipalName: 'userPrincipalName-value', displayName: 'displayName-value' });
  });

  it('authentication-list-methods.md: v1.0 lists only methods the product does not migrate; beta\'s older spellings (odata.type, authenticationPhoneType) still read', () => {
    expect(readMethods(body('v1.0-authentication-list-methods'))).toEqual({ phones: [], authenticators: [], softwareOath: [], hardwareOath: [] });
    expect(readMethods(body('beta-authentication-list-methods')).phones).toEqual([
      { id: '3179e48a-750b-4051-897c-87b9720928f7', phoneType: 'mobile', phoneNumber: '+1 2065555555', smsSignInState: 'ready' },
      { id: 'b6332ec1-7057-4abe-9331-3d72feddfe41', phoneType: 'alternateMobile', phoneNumber: '+1 2065555556', smsSignInState: 'notSupported' },
    ]);
  });

  it('beta authentication-get.md: the sign-in preferences', () => {
    expect(readSignInPreferences(body('beta-authentication-get-example-1'))).toEqual({ isSystemPreferredAuthenticationMethodEnabled: false, userPreferredMethodForSecondaryAuthentication: 'push' });
  });

  it('authenticationmethodspolicy-get.md (v1.0 and beta): method states, targets and the Temporary Access Pass rules', () => {
    for (const name of ['v1.0-authenticationmethodspolicy-get', 'beta-authenticationmethodspolicy-get']) {
      const policy = readTenantPolicy(body(name));
      expect(policy.methods, name).toEqual([
        { id: 'MicrosoftAuthenticator', state: 'disabled', includeGroupIds: ['all_users'], excludeGroupIds: [] },
        { id: 'Sms', state: 'enabled', includeGroupIds: ['all_users'], excludeGroupIds: [] },
      ]);
      expect(policy.temporaryAccessPass, name).toEqual({ state: 'disabled', minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480, defaultLifetimeInMinutes: 60, isUsableOnce: false });
    }
  });

  it('beta authentication-list-hardwareoathmethods.md: each method with its device\'s serial and status', () => {
    expect(readHardwareOathMethods(body('beta-authentication-list-hardwareoathmethods'))).toEqual([
      { id: 'aad49556-####-####-####-############', serialNumber: 'TOTP123456', status: 'activated' },
      { id: '3dee0e53-####-####-####-############', serialNumber: 'TOTP654321', status: 'activated' },
    ]);
  });

  it('beta authenticationmethoddevice-list-hardwareoathdevices.md: the inventory, as the page shows it (each token inside a method\'s device)', () => {
    expect(readCollection(body('beta-authenticationmethoddevice-list-hardwareoathdevices-example-1')).items.map((item) => readHardwareToken(item))).toEqual([
      { id: 'aad49556-####-####-####-############', serialNumber: 'TOTP123456', status: 'activated', assignedToUserId: '0cadbf92-####-####-####-############' },
      { id: '3dee0e53-####-####-####-############', serialNumber: 'TOTP654321', status: 'assigned', assignedToUserId: '0cadbf92-####-####-####-############' },
    ]);
    expect(readCollection(body('beta-authenticationmethoddevice-list-hardwareoathdevices-example-3')).items.map((item) => readHardwareToken(item)?.serialNumber)).toEqual(['TOTP123456']);
  });

  it('beta authenticationmethoddevice-post-hardwareoathdevices.md: the created token and its id', () => {
    const created = body('beta-authenticationmethoddevice-post-hardwareoathdevices-example-1');
    expect(readCreatedId(created)).toBe('9b037532-f999-1ed9-13fd-849ffb995e11');
    expect(readHardwareToken(created)).toEqual({ id: '9b037532-f999-1ed9-13fd-849ffb995e11', serialNumber: 'TOTP123456', status: 'available', assignedToUserId: null });
    expect(readHardwareToken(body('beta-authenticationmethoddevice-post-hardwareoathdevices-example-2'))).toMatchObject({ status: 'assigned', assignedToUserId: '0cadbf92-####-####-####-############' });
  });

  it('beta authentication-post-hardwareoathmethods.md: the assign answers a method id that is not the device\'s — the id activate and unassign address', () => {
    const assigned = example('beta-authentication-post-hardwareoathmethods');
    expect(assigned.example).toContain('aad49556-####-####-####-############');
    expect(readCreatedId(assigned.body)).toBe('658d0bfe-3cb9-d4d3-5296-147bc3b1f130');
    expect(readCreatedId(body('beta-hardwareoathauthenticationmethod-activate'))).toBeNull();
  });

  it('authentication-post-phonemethods.md and authentication-post-temporaryaccesspassmethods.md: created ids, and the pass kept secret', () => {
    expect(readCreatedId(body('v1.0-authentication-post-phonemethods'))).toBe('3179e48a-750b-4051-897c-87b9720928f7');
    const pass = readTemporaryAccessPass(body('v1.0-authentication-post-temporaryaccesspassmethods'));
    expect(pass?.pass.reveal()).toBe('+drkzqAD');
    expect(String(pass?.pass)).toBe('[REDACTED]');
    expect(pass).toMatchObject({ startDateTime: '2022-06-05T00:00:00Z', lifetimeInMinutes: 60, isUsableOnce: false });
  });

  it('group-get.md, group-list.md, group-list-transitivemembers.md: groups and the member users', () => {
    expect(readGroup(body('v1.0-group-get-example-1'))).toEqual({ id: '02bd9fd6-8f93-4758-87c3-1fb73740a315', displayName: 'HR Taskforce' });
    expect(readCollection(body('v1.0-group-list-example-2')).items.map((item) => readGroup(item)?.displayName)).toEqual(['Contoso Group 1', 'Contoso Group 2']);
    expect(readCollection(body('v1.0-group-list-transitivemembers-example-1')).items.map((item) => readMemberUserId(item))).toEqual(['11111111-2222-3333-4444-555555555555']);
    expect(readMemberUserId({ '@odata.type': '#microsoft.graph.group', id: 'g' })).toBeNull();
  });

  it('json-batching.md: every answer of the batch by id, with its status and Graph\'s error (an empty code included)', () => {
    const answers = readBatchAnswers(body('concepts-json-batching'));
    expect([...(answers?.values() ?? [])].map((answer) => [answer.id, answer.status])).toEqual([['1', 200], ['2', 403], ['3', 403], ['4', 405], ['5', 200]]);
    const denied = answers?.get('3');
    expect(readGraphError(denied?.status ?? 0, denied?.headers ?? {}, denied?.body)).toEqual({
      status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.', requestId: '93b6f17e-c05d-4f45-ad2a-6665c708d8a0',
    });
    const noCode = answers?.get('2');
    expect(readGraphError(noCode?.status ?? 0, noCode?.headers ?? {}, noCode?.body)).toMatchObject({ code: '', message: 'You do not have the required permissions to access this item.' });
    expect(answers?.get('1')?.headers['content-type']).toContain('application/json');
    expect(readCollection(answers?.get('5')?.body).items.map((item) => readEntraUser(item, 'userPrincipalName')?.userPrincipalName)).toEqual(['LynneR@contoso.com']);
  });
});

/** Which example answers which request: method, version and the path below it (query left out). */
const ROUTES: readonly (readonly [string, 'v1.0' | 'beta' | '*', RegExp, string])[] = [
  ['GET', 'v1.0', /^\/users\/\$count$/, 'v1.0-user-list-example-3'],
  ['GET', '*', /^\/users$/, 'v1.0-user-list-example-1'],
  ['GET', 'v1.0', /^\/users\/[^/]+\/authentication\/methods$/, 'v1.0-authentication-list-methods'],
  ['GET', 'beta', /^\/users\/[^/]+\/authentication\/methods$/, 'beta-authentication-list-methods'],
  ['GET', 'beta', /^\/users\/[^/]+\/authentication\/signInPreferences$/, 'beta-authentication-get-example-1'],
  ['GET', 'beta', /^\/users\/[^/]+\/authentication\/hardwareOathMethods$/, 'beta-authentication-list-hardwareoathmethods'],
  ['GET', 'beta', /^\/users\/[^/]+$/, 'beta-user-get-example-2'],
  ['GET', 'v1.0', /^\/policies\/authenticationMethodsPolicy$/, 'v1.0-authenticationmethodspolicy-get'],
  ['GET', 'beta', /^\/policies\/authenticationMethodsPolicy$/, 'beta-authenticationmethodspolicy-get'],
  ['GET', 'v1.0', /^\/groups$/, 'v1.0-group-list-example-2'],
  ['GET', 'v1.0', /^\/groups\/[^/]+\/transitiveMembers$/, 'v1.0-group-list-transitivemembers-example-1'],
  ['GET', 'v1.0', /^\/groups\/[^/]+$/, 'v1.0-group-get-example-1'],
  ['GET', 'beta', /^\/directory\/authenticationMethodDevices\/hardwareOathDevices$/, 'beta-authenticationmethoddevice-list-hardwareoathdevices-example-1'],
  ['POST', 'beta', /^\/directory\/authenticationMethodDevices\/hardwareOathDevices$/, 'beta-authenticationmethoddevice-post-hardwareoathdevices-example-1'],
  ['POST', 'beta', /^\/users\/[^/]+\/authentication\/hardwareOathMethods$/, 'beta-authentication-post-hardwareoathmethods'],
  ['POST', 'beta', /^\/users\/[^/]+\/authentication\/hardwareOathMethods\/[^/]+\/activate$/, 'beta-hardwareoathauthenticationmethod-activate'],
  ['POST', '*', /^\/users\/[^/]+\/authentication\/phoneMethods$/, 'v1.0-authentication-post-phonemethods'],
  ['POST', 'v1.0', /^\/users\/[^/]+\/authentication\/temporaryAccessPassMethods$/, 'v1.0-authentication-post-temporaryaccesspassmethods'],
];

/** A Graph that answers with the reference examples only; `$batch` items each get theirs. */
class DocumentedGraph implements HttpTransport {
  readonly unanswered: string[] = [];

  #answer(method: string, version: 'v1.0' | 'beta', path: string): { status: number; contentType: string; body: unknown } {
    const route = ROUTES.find(([routeMethod, routeVersion, pattern]) => routeMethod === method && (routeVersion === '*' || routeVersion === version) && pattern.test(path.split('?')[0] ?? path));
    if (route === undefined) {
      this.unanswered.push(`${method} /${version}${path}`);
      return { status: 404, contentType: 'application/json', body: { error: { code: 'itemNotFound', message: 'no reference example answers this request' } } };
    }
    const kept = example(route[3]);
    return { status: kept.status, contentType: kept.contentType, body: kept.body };
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    if (request.path === '/$batch') {
      const requests = (request.body as { requests: { id: string; method: string; url: string }[] }).requests;
      const responses = requests.map((item) => {
        const answer = this.#answer(item.method, request.version, item.url);
        return { id: item.id, status: answer.status, headers: { 'Content-Type': answer.contentType }, ...(answer.body === null ? {} : { body: answer.body }) };
      });
      return Promise.resolve({ status: 200, headers: { 'content-type': 'application/json' }, bodyText: JSON.stringify({ responses }) });
    }
    const answer = this.#answer(request.method, request.version, request.path);
    const bodyText = answer.body === null ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return Promise.resolve({ status: answer.status, headers: { 'content-type': answer.contentType }, bodyText });
  }

  close(): void {
    // Nothing is held open.
  }
}

function documentedGateway(transport: DocumentedGraph): ReturnType<typeof createGraphGateway> {
  const config = resolveGraphConfig({ graphUrl: 'http://127.0.0.1:9', auth: { mode: 'emulator' }, ca: null, matchAttribute: null });
  return createGraphGateway(config, { clock: systemClock, log: memoryLog(), transport: () => transport });
}

describe('the gateway against a Graph that answers only with the reference examples', () => {
  it('preflight counts the tenant\'s users and probes each permission', async () => {
    const transport = new DocumentedGraph();
    const graph = documentedGateway(transport);
    try {
      const result = await graph.preflight({ writes: false, group: true, hardwareTokenWrites: false });
      expect(result.tenantUserCount).toBe(893);
      expect(transport.unanswered).toEqual([]);
    } finally {
      graph.close();
    }
  });

  it('reads a user\'s state, the policy, a group\'s members and the token inventory', async () => {
    const transport = new DocumentedGraph();
    const graph = documentedGateway(transport);
    try {
      const results = [await graph.readUser(lookup('amy@contoso.com'))];
      expect(results).toHaveLength(1);
      expect(results[0]?.error).toBeNull();
      expect(results[0]?.user).toMatchObject({ id: 'id-value', userPrincipalName: 'userPrincipalName-value' });
      expect(results[0]?.state).toMatchObject({
        phones: [{ phoneType: 'mobile', phoneNumber: '+1 2065555555' }, { phoneType: 'alternateMobile', phoneNumber: '+1 2065555556' }],
        signInPreferences: { userPreferredMethodForSecondaryAuthentication: 'push' },
      });
      expect((await graph.readTenantPolicy()).temporaryAccessPass).toMatchObject({ minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 });
      expect([...(await graph.readGroupMemberIds('02bd9fd6-8f93-4758-87c3-1fb73740a315'))]).toEqual(['11111111-2222-3333-4444-555555555555']);
      const inventory = await graph.readHardwareTokenInventory();
      expect([...inventory.values()].map((token) => [token.serialNumber, token.status])).toEqual([['TOTP123456', 'activated'], ['TOTP654321', 'assigned']]);
      expect(transport.unanswered).toEqual([]);
    } finally {
      graph.close();
    }
  });

  it('takes the ids the documented create answers give: a phone, the user\'s hardware OATH method, a pass', async () => {
    const transport = new DocumentedGraph();
    const graph = documentedGateway(transport);
    try {
      // Three users, one write each: the gateway sends them as one $batch and gives back the id each answer carries.
      const results = await graph.write([
        { userId: 'u1', writes: [{ tag: 'phone', operation: { kind: 'addPhone', phoneType: 'mobile', phoneNumber: '+1 2065555555' } }] },
        { userId: 'u2', writes: [{ tag: 'assign', operation: { kind: 'assignHardwareToken', serialNumber: 'TOTP123456', device: { id: 'aad49556-####-####-####-############' } } }] },
        { userId: 'u3', writes: [{ tag: 'pass', operation: { kind: 'createTemporaryAccessPass', lifetimeInMinutes: 60 } }] },
      ]);
      expect(results.map((result) => [result.tag, result.outcome.status === 'done' ? result.outcome.resourceId : result.outcome.status])).toEqual([
        ['phone', '3179e48a-750b-4051-897c-87b9720928f7'],
        ['assign', '658d0bfe-3cb9-d4d3-5296-147bc3b1f130'],
        ['pass', '6f1967b7-15e8-4935-ac26-d50770ed07a7'],
      ]);
      expect(transport.unanswered).toEqual([]);
    } finally {
      graph.close();
    }
  });
});
