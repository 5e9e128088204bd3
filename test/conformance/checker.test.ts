/**
 * The conformance checker against planted defects: each wrong request or answer must be found, and
 * the same exchange done right must pass — so a green full run means something.
 */
import { describe, expect, it } from 'vitest';
import { checkExchange, type RecordedExchange } from './check-exchange.js';

const ROOT = 'https://graph.microsoft.com';
const USER = 'a1b2c3d4-0000-4000-8000-000000000001';
const MOBILE = '3179e48a-750b-4051-897c-87b9720928f7';

function exchange(method: string, path: string, answer: { status: number; body?: unknown }, request: { body?: unknown; headers?: Record<string, string> } = {}): RecordedExchange {
  return { method, url: `${ROOT}${path}`, requestHeaders: request.headers ?? {}, requestBody: request.body, status: answer.status, responseBody: answer.body, inBatch: false };
}

function findings(recorded: RecordedExchange): string[] {
  return checkExchange(recorded).divergences.map((divergence) => `[${divergence.side} ${divergence.rule}] ${divergence.message}`);
}

const phone = { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: MOBILE, phoneNumber: '+1 4255550100', phoneType: 'mobile', smsSignInState: 'ready' };

describe('the conformance checker', () => {
  it('passes exchanges Graph documents', () => {
    const good: RecordedExchange[] = [
      exchange('POST', `/v1.0/users/${USER}/authentication/phoneMethods`, { status: 201, body: phone }, { body: { phoneNumber: '+1 4255550100', phoneType: 'mobile' } }),
      exchange('GET', `/v1.0/users/${USER}/authentication/methods`, { status: 200, body: { '@odata.context': 'x', value: [phone] } }),
      exchange('PATCH', `/beta/users/${USER}/authentication/signInPreferences`, { status: 204 }, { body: { userPreferredMethodForSecondaryAuthentication: 'sms' } }),
      exchange('POST', `/beta/users/${USER}/authentication/hardwareOathMethods/m1/activate`, { status: 204 }, { body: { verificationCode: '123456' } }),
      exchange('GET', '/v1.0/users/$count', { status: 200, body: '42' }, { headers: { consistencylevel: 'eventual' } }),
      exchange('GET', "/beta/users?$filter=onPremisesSamAccountName eq 'carol'&$select=id,userPrincipalName&$top=2&$count=true", { status: 200, body: { value: [{ id: USER, userPrincipalName: 'carol@contoso.com' }] } }, { headers: { consistencylevel: 'eventual' } }),
      exchange('GET', `/beta/users/${USER}/authentication/hardwareOathMethods`, { status: 200, body: { value: [{ '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: 'm1', device: { id: 'd1', serialNumber: 'S1', manufacturer: 'C', model: 'M', timeIntervalInSeconds: 30, status: 'activated' } }] } }),
      exchange('DELETE', `/beta/users/${USER}/authentication/hardwareOathMethods/m1`, { status: 204 }),
      exchange('GET', `/v1.0/users/nobody@contoso.com`, { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'no', innerError: { date: '2026-12-06T10:00:00' } } } }),
    ];
    expect(good.map((recorded) => findings(recorded))).toEqual(good.map(() => []));
  });

  it('finds an unknown property in a request body', () => {
    expect(findings(exchange('POST', `/v1.0/users/${USER}/authentication/phoneMethods`, { status: 201, body: phone }, { body: { phoneNumber: '+1 4255550100', phoneKind: 'mobile' } })))
      .toEqual(["[request body] body.phoneKind: microsoft.graph.phoneAuthenticationMethod has no property 'phoneKind' in Graph v1.0"]);
  });

  it('finds an enum member the type does not have, and a value of the wrong JSON type', () => {
    expect(findings(exchange('POST', `/v1.0/users/${USER}/authentication/phoneMethods`, { status: 201, body: phone }, { body: { phoneNumber: 14255550100, phoneType: 'pager' } }))).toEqual([
      '[request body] body.phoneNumber: number 14255550100 is not an Edm.String',
      "[request body] body.phoneType: 'pager' is not a member of microsoft.graph.authenticationPhoneType in Graph v1.0 (members: mobile, alternateMobile, office, unknownFutureValue)",
    ]);
  });

  it('finds a navigation property inline in an answer without $expand', () => {
    const method = { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: 'm1', device: { id: 'd1', serialNumber: 'S1', manufacturer: 'C', model: 'M', timeIntervalInSeconds: 30 } };
    expect(findings(exchange('GET', `/beta/users/${USER}/authentication/methods`, { status: 200, body: { value: [method] } }))).toEqual([
      '[response body] body.value[0].device: the navigation property device of microsoft.graph.hardwareOathAuthenticationMethod is inline, but the request did not $expand it and no reference page documents it inline',
    ]);
  });

  it('finds a type of another API version: hardware OATH configuration in v1.0', () => {
    const policy = {
      id: 'authenticationMethodsPolicy',
      authenticationMethodConfigurations: [{ '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethodConfiguration', id: 'HardwareOath', state: 'disabled' }],
    };
    expect(findings(exchange('GET', '/v1.0/policies/authenticationMethodsPolicy', { status: 200, body: policy }))).toEqual([
      '[response body] body.authenticationMethodConfigurations[0].@odata.type: the type microsoft.graph.hardwareOathAuthenticationMethodConfiguration is not defined in Graph v1.0',
    ]);
    expect(findings(exchange('GET', '/beta/policies/authenticationMethodsPolicy', { status: 200, body: policy }))).toEqual([]);
  });

  it('finds a property that exists in v1.0 but not in beta', () => {
    const pass = { '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'p1', lifetimeInMinutes: 60, isUsable: true };
    expect(findings(exchange('GET', `/v1.0/users/${USER}/authentication/methods`, { status: 200, body: { value: [pass] } }))).toEqual([]);
    expect(findings(exchange('GET', `/beta/users/${USER}/authentication/methods`, { status: 200, body: { value: [pass] } }))).toEqual([
      "[response body] body.value[0].isUsable: microsoft.graph.temporaryAccessPassAuthenticationMethod has no property 'isUsable' in Graph beta",
    ]);
  });

  it('finds paths Graph does not have', () => {
    expect(findings(exchange('GET', `/v1.0/users/${USER}/authentication/hardwareOathMethods`, { status: 200, body: { value: [] } }))).toEqual([
      "[request path] microsoft.graph.authentication has no navigation property, property or bound operation 'hardwareOathMethods' in Graph v1.0",
    ]);
    expect(findings(exchange('GET', `/beta/users/${USER}/authentication/phoneMethod`, { status: 200, body: { value: [] } }))).toEqual([
      "[request path] microsoft.graph.authentication has no navigation property, property or bound operation 'phoneMethod' in Graph beta",
    ]);
    expect(findings(exchange('GET', '/v1.0/tenants', { status: 200, body: { value: [] } }))).toEqual(["[request path] 'tenants' is neither an entity set nor a singleton of Graph v1.0"]);
    expect(findings(exchange('POST', `/beta/users/${USER}/authentication/phoneMethods/${MOBILE}/activate`, { status: 204 }, { body: { verificationCode: '1' } }))).toEqual([
      "[request path] microsoft.graph.phoneAuthenticationMethod has no navigation property, property or bound operation 'activate' in Graph beta",
    ]);
  });

  it('resolves casts and $count on navigation, and refuses a cast to a type that does not derive', () => {
    const group = 'd1e2f3a4-0000-4000-8000-000000000001';
    expect(findings(exchange('GET', `/v1.0/groups/${group}/transitiveMembers/microsoft.graph.user?$count=true&$select=id`, { status: 200, body: { value: [{ id: USER }] } }, { headers: { consistencylevel: 'eventual' } }))).toEqual([]);
    expect(findings(exchange('GET', `/v1.0/groups/${group}/transitiveMembers/$count`, { status: 200, body: '3' }, { headers: { consistencylevel: 'eventual' } }))).toEqual([]);
    expect(findings(exchange('GET', `/v1.0/groups/${group}/transitiveMembers/microsoft.graph.phoneAuthenticationMethod`, { status: 200, body: { value: [] } }))).toEqual([
      '[request path] the cast microsoft.graph.phoneAuthenticationMethod does not derive from microsoft.graph.directoryObject',
    ]);
    expect(findings(exchange('GET', `/v1.0/groups/${group}/transitiveMembers/$count/x`, { status: 200, body: '3' }))).toEqual(['[request path] nothing may follow $count']);
  });

  it('finds methods that do not fit the resource, including the CSDL capability restrictions', () => {
    expect(findings(exchange('PATCH', `/v1.0/users/${USER}/authentication/phoneMethods`, { status: 204 }, { body: {} }))).toEqual([
      '[request method] PATCH does not fit users/{key}/authentication/phoneMethods (collection); the CSDL allows GET, POST',
    ]);
    expect(findings(exchange('POST', `/v1.0/users/${USER}/authentication/softwareOathMethods`, { status: 201 }, { body: {} }))).toEqual([
      '[request method] POST does not fit users/{key}/authentication/softwareOathMethods (collection); the CSDL allows GET',
    ]);
    expect(findings(exchange('DELETE', `/v1.0/users/${USER}/authentication/methods/x`, { status: 204 }))).toEqual([
      '[request method] DELETE does not fit users/{key}/authentication/methods/{key} (entity); the CSDL allows GET, PATCH',
    ]);
    expect(findings(exchange('GET', `/beta/users/${USER}/authentication/hardwareOathMethods/m1/activate`, { status: 204 }))).toEqual([
      '[request method] GET does not fit users/{key}/authentication/hardwareOathMethods/{key}/activate (operation); the CSDL allows POST',
    ]);
  });

  it('finds an unknown action parameter and a status that does not fit', () => {
    expect(findings(exchange('POST', `/beta/users/${USER}/authentication/hardwareOathMethods/m1/activate`, { status: 200, body: {} }, { body: { code: '123456' } }))).toEqual([
      "[request body] body.code: the action activate has no parameter 'code' (parameters: verificationCode, displayName)",
      '[response status] 200 answers a POST here; Graph answers 204',
    ]);
  });

  it('finds query options on properties the type lacks, and $select not honoured', () => {
    expect(findings(exchange('GET', '/v1.0/users?$select=id,upn&$top=1', { status: 200, body: { value: [{ id: USER, displayName: 'Alice' }] } }))).toEqual([
      "[request query] $select names 'upn', which microsoft.graph.user does not have in Graph v1.0",
      "[response body] body.value[0].displayName: 'displayName' was not in $select (id,upn)",
    ]);
    expect(findings(exchange('GET', '/v1.0/users?select=id', { status: 200, body: { value: [] } }))).toEqual([
      "[request query] 'select' is not an OData system query option Graph supports ($select, $filter, $expand, $top, $skip, $count, $orderby, $search, $skiptoken, $format)",
    ]);
  });

  it('finds a missing ConsistencyLevel header where Graph needs the advanced query parameters', () => {
    expect(findings(exchange('GET', '/v1.0/users/$count', { status: 200, body: '42' }))).toEqual([
      '[request header] the $count segment needs the header ConsistencyLevel: eventual (concepts/aad-advanced-queries.md)',
    ]);
    expect(findings(exchange('GET', "/beta/users?$filter=onPremisesSamAccountName eq 'carol'", { status: 200, body: { value: [] } }))).toEqual([
      '[request header] $filter on onPremisesSamAccountName (includes/filter-directory-objects.md) needs the header ConsistencyLevel: eventual (concepts/aad-advanced-queries.md)',
      '[request query] $filter on onPremisesSamAccountName (includes/filter-directory-objects.md) needs $count=true besides ConsistencyLevel: eventual (concepts/aad-advanced-queries.md)',
    ]);
    expect(findings(exchange('GET', "/beta/users?$filter=mail eq 'carol@contoso.com'", { status: 200, body: { value: [] } }))).toEqual([]);
  });

  it('finds error answers not in Graph\'s shape', () => {
    expect(findings(exchange('GET', `/v1.0/users/${USER}`, { status: 404, body: { code: 'itemNotFound', message: 'no' } }))).toEqual([
      '[response body] body: an error answer is {"error": {"code": string, "message": string, …}}',
    ]);
  });

  it('finds an abstract type answered without @odata.type', () => {
    expect(findings(exchange('GET', `/v1.0/users/${USER}/authentication/methods`, { status: 200, body: { value: [{ id: 'x' }] } }))).toEqual([
      '[response body] body.value[0]: an instance of the abstract type microsoft.graph.authenticationMethod without @odata.type: a client cannot tell which type it is',
    ]);
  });
});
