/**
 * The tenant's authentication methods policy (api-reference/v1.0/api/authenticationmethodspolicy-get.md)
 * and one method's configuration (authenticationmethodconfiguration-get.md), which tell the tool
 * which methods are disabled (mapping rule R9).
 */
import { graphError, jsonResponse } from '../graph-response.js';
import { READ_METHODS_POLICY } from '../permissions.js';
import type { GraphVersion, Route } from '../router.js';

/**
 * Configuration types beta defines and v1.0 does not (Microsoft's v1.0 CSDL has no
 * hardwareOathAuthenticationMethodConfiguration): a v1.0 answer leaves them out, as Graph's must,
 * so a client that looks for hardware OATH's state in v1.0 finds nothing there.
 */
const BETA_ONLY_CONFIGURATION_TYPES: ReadonlySet<string> = new Set(['#microsoft.graph.hardwareOathAuthenticationMethodConfiguration']);

function inVersion(configuration: unknown, version: GraphVersion): boolean {
  if (version === 'beta' || typeof configuration !== 'object' || configuration === null) return true;
  const type = (configuration as Record<string, unknown>)['@odata.type'];
  return typeof type !== 'string' || !BETA_ONLY_CONFIGURATION_TYPES.has(type);
}

function configurationsOf(policy: Readonly<Record<string, unknown>>, version: GraphVersion): unknown[] {
  const configurations = policy['authenticationMethodConfigurations'];
  return Array.isArray(configurations) ? (configurations as unknown[]).filter((configuration) => inVersion(configuration, version)) : [];
}

export const policyRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'policies/authenticationMethodsPolicy',
    versions: ['v1.0', 'beta'],
    family: 'policies',
    permissions: READ_METHODS_POLICY,
    handle: (request, _params, context) => {
      const policy = context.store.policy();
      return jsonResponse(200, {
        '@odata.context': `${context.baseUrl}/${request.version}/$metadata#authenticationMethodsPolicy`,
        ...policy,
        authenticationMethodConfigurations: configurationsOf(policy, request.version),
      });
    },
  },
  {
    method: 'GET',
    path: 'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configuration}',
    versions: ['v1.0', 'beta'],
    family: 'policies',
    permissions: READ_METHODS_POLICY,
    handle: (request, params, context) => {
      const id = params['configuration'] ?? '';
      const found = configurationsOf(context.store.policy(), request.version).find(
        (item) => typeof item === 'object' && item !== null && String((item as Record<string, unknown>)['id']).toLowerCase() === id.toLowerCase(),
      );
      return found === undefined ? graphError(404, 'itemNotFound', `Authentication method configuration '${id}' was not found.`) : jsonResponse(200, found);
    },
  },
];
