import { describe, expect, it } from 'vitest';
import { AuthenticationRequiredError } from '@azure/identity';
import { MigrateError } from '../../../src/errors.js';
import { authenticationFailed, graphFailure, permissionMissing, readGraphError } from '../../../src/graph/graph-errors.js';
import { READ_METHODS, READ_POLICY } from '../../../src/graph/permissions.js';

const APP = { kind: 'application' as const, appId: 'c0ffee00-0000-4000-8000-000000000002' };

describe('Graph error bodies (concepts/errors.md)', () => {
  it('reads code, message and the request-id from innerError, else from the header', () => {
    const body = { error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist.', innerError: { date: '2026-11-28T12:00:00', 'request-id': 'rid-1', 'client-request-id': 'cid-1' } } };
    expect(readGraphError(404, {}, body)).toEqual({ status: 404, code: 'Request_ResourceNotFound', message: 'Resource does not exist.', requestId: 'rid-1' });
    expect(readGraphError(404, { 'request-id': 'rid-h' }, { error: { code: 'x', message: 'y' } }).requestId).toBe('rid-h');
  });

  it('copes with bodies that are not Graph\'s: a proxy page, nothing at all', () => {
    expect(readGraphError(502, {}, '<html>Bad gateway</html>')).toEqual({ status: 502, code: '', message: '<html>Bad gateway</html>', requestId: null });
    expect(readGraphError(503, {}, undefined)).toMatchObject({ code: '', message: 'HTTP 503' });
  });

  it('maps final answers to stable codes with their documented exit codes', () => {
    const error = (status: number, code: string) => graphFailure({ status, code, message: 'm', requestId: 'rid' }, { doing: 'reading the policy', permission: READ_POLICY, principal: APP });
    expect(error(401, 'InvalidAuthenticationToken')).toMatchObject({ code: 'GRAPH_AUTH_FAILED', exitCode: 5, graphCode: 'InvalidAuthenticationToken', requestId: 'rid' });
    expect(error(403, 'Authorization_RequestDenied')).toMatchObject({ code: 'GRAPH_PERMISSION_MISSING', exitCode: 5, requestId: 'rid' });
    expect(error(429, 'Request_ThrottledTemporarily')).toMatchObject({ code: 'GRAPH_THROTTLED_TOO_LONG', exitCode: 6 });
    expect(error(503, 'serviceNotAvailable')).toMatchObject({ code: 'GRAPH_SERVICE_ERROR', exitCode: 6 });
    expect(error(400, 'BadRequest')).toMatchObject({ code: 'GRAPH_REQUEST_FAILED', exitCode: 1 });
    expect(error(400, 'BadRequest').message).toContain('rid');
  });

  it('names every missing permission and says where to grant it', () => {
    const error = permissionMissing([READ_METHODS, READ_POLICY], APP);
    expect(error).toBeInstanceOf(MigrateError);
    expect(error.message).toContain('UserAuthenticationMethod.Read.All');
    expect(error.message).toContain('Policy.Read.All');
    expect(error.remedy).toContain('Grant admin consent');
    expect(error.remedy).toContain(APP.appId);
    expect(permissionMissing([READ_POLICY], { kind: 'delegated', appId: null }).remedy).toContain('Authentication Administrator');
  });
});

describe('sign-in failures (@azure/identity)', () => {
  const where = { mode: 'secret', tenant: 'contoso.onmicrosoft.com', authorityHost: 'https://login.microsoftonline.com' };

  it('turns known AADSTS codes into their cause and remedy, keeping the code', () => {
    const cases: [string, RegExp, RegExp][] = [
      ['AADSTS7000215: Invalid client secret provided.', /client secret is wrong/, /AZURE_CLIENT_SECRET/],
      ['AADSTS7000222: The provided client secret keys for app are expired.', /expired/, /new client secret/],
      ['AADSTS90002: Tenant \'x\' not found.', /tenant was not found/, /--tenant-id/],
    ];
    for (const [text, message, remedy] of cases) {
      const error = authenticationFailed(new AuthenticationRequiredError({ scopes: [], message: `invalid_client: Error(s): ${text} Trace ID: t` }), where);
      expect(error).toMatchObject({ code: 'GRAPH_AUTH_FAILED', exitCode: 5 });
      expect(error.message).toMatch(message);
      expect(error.remedy).toMatch(remedy);
      expect(error.graphCode).toMatch(/^AADSTS\d+$/);
    }
  });

  it('keeps the first line of an unknown failure and gives the remedy of the --auth mode', () => {
    const error = authenticationFailed(new Error('Azure CLI could not be found.\nstack…'), { ...where, mode: 'azure-cli' });
    expect(error.message).toContain('Azure CLI could not be found.');
    expect(error.message).not.toContain('stack');
    expect(error.remedy).toContain('az login');
  });
});
