/**
 * Resolves a Graph URL path against the CSDL the way OData URL conventions (part 2, "Resource
 * path") and Graph's key-as-segment convention do: an entity set or singleton, then keys,
 * navigation properties, structural properties, type casts, bound actions and functions, and
 * `$count`. What it resolves to decides which HTTP methods fit and which type the bodies are.
 */
import { declaringType, derivesFrom, findNavigation, findProperty, inGlobalBeta, type GraphModel, type OperationDefinition, type PropertyDefinition, type TypeRef } from './model.js';

export type Resource =
  | { readonly kind: 'batch' }
  | { readonly kind: 'collection'; readonly type: string; readonly targets: readonly string[] }
  | { readonly kind: 'entity'; readonly type: string; readonly targets: readonly string[]; readonly keyed: boolean }
  | { readonly kind: 'value'; readonly type: TypeRef; readonly targets: readonly string[] }
  | { readonly kind: 'count'; readonly of: string; readonly targets: readonly string[] }
  | { readonly kind: 'operation'; readonly operation: OperationDefinition; readonly bindingType: string };

export type Resolution =
  | { readonly ok: true; readonly resource: Resource; readonly template: string }
  /** Global beta names the segment but the national-cloud CSDL does not describe it: nothing more can be checked. */
  | { readonly ok: 'unchecked'; readonly template: string; readonly reason: string }
  | { readonly ok: false; readonly template: string; readonly reason: string };

const KEY = '{key}';

function boundOperation(model: GraphModel, segment: string, type: string, collection: boolean): OperationDefinition | undefined {
  const name = segment.startsWith('microsoft.graph.') ? segment.slice('microsoft.graph.'.length) : segment;
  return model.operations.get(name)?.find((operation) => operation.binding !== null && operation.binding.collection === collection && derivesFrom(model, type, operation.binding.name));
}

function isCast(model: GraphModel, segment: string): boolean {
  return segment.includes('.') && model.types.has(segment);
}

/** @param segments decoded path segments below the version (`users`, `a@b.com`, `authentication`, …) */
export function resolvePath(model: GraphModel, segments: readonly string[]): Resolution {
  const template: string[] = [];
  const fail = (reason: string): Resolution => ({ ok: false, template: [...template, ...segments.slice(template.length)].join('/'), reason });
  const [first, ...rest] = segments;
  if (first === undefined) return fail('the path is empty');
  if (first === '$batch') return rest.length === 0 ? { ok: true, resource: { kind: 'batch' }, template: '$batch' } : fail('nothing may follow $batch');
  const child = model.container.get(first);
  if (child === undefined) return fail(`'${first}' is neither an entity set nor a singleton of Graph ${model.version}`);
  template.push(first);
  let current: Resource = child.kind === 'entitySet'
    ? { kind: 'collection', type: child.type, targets: [child.target] }
    : { kind: 'entity', type: child.type, targets: [child.target], keyed: false };

  for (const segment of rest) {
    switch (current.kind) {
      case 'collection': {
        if (segment === '$count') {
          current = { kind: 'count', of: current.type, targets: current.targets };
          template.push(segment);
          break;
        }
        if (isCast(model, segment)) {
          if (!derivesFrom(model, segment, current.type)) return fail(`the cast ${segment} does not derive from ${current.type}`);
          current = { kind: 'collection', type: segment, targets: current.targets };
          template.push(segment);
          break;
        }
        const operation = boundOperation(model, segment, current.type, true);
        if (operation !== undefined) {
          current = { kind: 'operation', operation, bindingType: current.type };
          template.push(segment);
          break;
        }
        // Graph addresses members by key as a path segment: /users/{id | userPrincipalName}.
        current = { kind: 'entity', type: current.type, targets: current.targets, keyed: true };
        template.push(KEY);
        break;
      }
      case 'entity': {
        const type: string = current.type;
        const navigation = findNavigation(model, type, segment);
        if (navigation !== undefined) {
          const target = `${navigation.declaredOn}/${segment}`;
          current = navigation.definition.type.collection
            ? { kind: 'collection', type: navigation.definition.type.name, targets: [target] }
            : { kind: 'entity', type: navigation.definition.type.name, targets: [target], keyed: false };
          template.push(segment);
          break;
        }
        const property = findProperty(model, type, segment);
        if (property !== undefined) {
          current = { kind: 'value', type: property.type, targets: [`${declaringType(model, type, segment) ?? type}/${segment}`] };
          template.push(segment);
          break;
        }
        if (isCast(model, segment)) {
          if (!derivesFrom(model, segment, type)) return fail(`the cast ${segment} does not derive from ${type}`);
          current = { kind: 'entity', type: segment, targets: current.targets, keyed: current.keyed };
          template.push(segment);
          break;
        }
        const operation = boundOperation(model, segment, type, false);
        if (operation !== undefined) {
          current = { kind: 'operation', operation, bindingType: type };
          template.push(segment);
          break;
        }
        if (model.globalTypes !== null && inGlobalBeta(model, type, segment)) {
          return { ok: 'unchecked', template: [...template, segment].join('/'), reason: `${type}/${segment} is in global beta but not in the national-cloud CSDL` };
        }
        return fail(`${type} has no navigation property, property or bound operation '${segment}' in Graph ${model.version}`);
      }
      case 'value': {
        const type: TypeRef = current.type;
        const property: PropertyDefinition | undefined = type.collection ? undefined : findProperty(model, type.name, segment);
        if (property === undefined) return fail(`${type.name} has no property '${segment}' in Graph ${model.version}`);
        current = { kind: 'value', type: property.type, targets: [`${declaringType(model, type.name, segment) ?? type.name}/${segment}`] };
        template.push(segment);
        break;
      }
      default:
        return fail(`nothing may follow ${template[template.length - 1] ?? ''}`);
    }
  }
  return { ok: true, resource: current, template: template.join('/') };
}
