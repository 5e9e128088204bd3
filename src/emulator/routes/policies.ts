/**
 * The tenant's authentication methods policy (api-reference/v1.0/api/authenticationmethodspolicy-get.md)
 * and one method's configuration (authenticationmethodconfiguration-get.md), which tell the tool
 * which methods are disabled (DESIGN R9).
 */
import { graphError, jsonResponse } from '../graph-response.js';
import { READ_METHODS_POLICY } from '../permissions.js';
import type { Route } from '../router.js';

export const policyRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'policies/authenticationMethodsPolicy',
    versions: ['v1.0', 'beta'],
    family: 'policies',
    permissions: READ_METHODS_POLICY,
    handle: (request, _params, context) =>
      jsonResponse(200, { '@odata.context': `${context.baseUrl}/${request.version}/$metadata#authenticationMethodsPolicy`, ...context.store.policy() }),
  },
  {
    method: 'GET',
    path: 'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configuration}',
    versions: ['v1.0', 'beta'],
    family: 'policies',
    permissions: READ_METHODS_POLICY,
    handle: (_request, params, context) => {
      const id = params['configuration'] ?? '';
      const configurations = context.store.policy()['authenticationMethodConfigurations'];
      const found = Array.isArray(configurations)
        ? (configurations as unknown[]).find(
            (item) => typeof item === 'object' && item !== null && String((item as Record<string, unknown>)['id']).toLowerCase() === id.toLowerCase(),
          )
        : undefined;
      return found === undefined ? graphError(404, 'itemNotFound', `Authentication method configuration '${id}' was not found.`) : jsonResponse(200, found);
    },
  },
];
