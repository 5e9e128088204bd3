/**
 * The default (preferred) MFA method a user ends up with (R8, and R9's policy part): the
 * requested method when Entra can use it, else the most secure one that is available.
 * Graph: signInPreferences.userPreferredMethodForSecondaryAuthentication
 * (https://learn.microsoft.com/graph/api/resources/signinpreferences).
 */
import { DEFAULT_METHOD_STRENGTH } from './desired-state.js';
import type { DefaultMethod } from './desired-state.js';

export interface DefaultMethodChoice {
  /** null when no method is available at all. */
  readonly method: DefaultMethod | null;
  /** true when a requested method could not be used (R8 DEFAULT_METHOD_FALLBACK). */
  readonly fellBack: boolean;
  /** Methods the user requested or would have, which the tenant policy disables (R9), most secure first. */
  readonly disabled: DefaultMethod[];
}

/**
 * Chooses the default method. `requested` null (absent or unreadable in the export) takes the
 * most secure available method without counting as a fallback. Methods in `disabledByPolicy` are
 * never chosen.
 */
export function chooseDefaultMethod(
  requested: DefaultMethod | null,
  available: ReadonlySet<DefaultMethod>,
  disabledByPolicy: ReadonlySet<DefaultMethod>,
): DefaultMethodChoice {
  const disabled = DEFAULT_METHOD_STRENGTH.filter((method) => disabledByPolicy.has(method) && (available.has(method) || method === requested));
  const usable = (method: DefaultMethod): boolean => available.has(method) && !disabledByPolicy.has(method);
  if (requested !== null && usable(requested)) return { method: requested, fellBack: false, disabled };
  const mostSecure = DEFAULT_METHOD_STRENGTH.find(usable) ?? null;
  return { method: mostSecure, fellBack: requested !== null, disabled };
}
