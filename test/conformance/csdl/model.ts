/**
 * Microsoft Graph's schema for one API version, read from Microsoft's CSDL
 * (microsoftgraph/msgraph-metadata, copied in fixtures/graph-metadata/): structured types with
 * their properties and navigation properties, enums, bound and unbound operations, the entity
 * container, and the capability restrictions (Insertable, Updatable, Deletable, Readable,
 * Countable) the files annotate. Names are fully qualified (`microsoft.graph.user`); aliases
 * (`graph.`, `self.`) are resolved while reading.
 *
 * v1.0 is one complete file. beta is the US-national-cloud CSDL with the global excerpt laid over
 * it (hardware OATH and the authentication types); Microsoft's global type listing
 * (beta-*-types.json) tells a name missing from both (absent in Graph) from one that is only
 * missing from the national cloud (present in Graph, but its type is not known here).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readXml, type XmlElement } from './xml-elements.js';

export type ApiVersion = 'v1.0' | 'beta';

export interface TypeRef {
  readonly collection: boolean;
  /** Qualified: `Edm.String`, `microsoft.graph.user`. */
  readonly name: string;
}

export interface PropertyDefinition {
  readonly name: string;
  readonly type: TypeRef;
  /** False when the CSDL says `Nullable="false"`. */
  readonly nullable: boolean;
}

export interface NavigationDefinition {
  readonly name: string;
  readonly type: TypeRef;
  readonly containsTarget: boolean;
}

export interface StructuredType {
  readonly kind: 'entity' | 'complex';
  readonly name: string;
  readonly baseType: string | null;
  readonly abstract: boolean;
  readonly openType: boolean;
  readonly properties: ReadonlyMap<string, PropertyDefinition>;
  readonly navigation: ReadonlyMap<string, NavigationDefinition>;
}

export interface EnumDefinition {
  readonly name: string;
  readonly members: ReadonlySet<string>;
  readonly isFlags: boolean;
}

export interface OperationDefinition {
  readonly kind: 'action' | 'function';
  readonly name: string;
  /** The binding parameter's type; null for an unbound operation. */
  readonly binding: TypeRef | null;
  /** Parameters after the binding one. */
  readonly parameters: readonly PropertyDefinition[];
  readonly returnType: TypeRef | null;
}

export interface ContainerChild {
  readonly kind: 'entitySet' | 'singleton';
  readonly name: string;
  readonly type: string;
  /** The capability target of the set: `microsoft.graph.GraphService/users`. */
  readonly target: string;
}

export interface Restrictions {
  readonly insertable?: boolean;
  readonly updatable?: boolean;
  readonly deletable?: boolean;
  readonly readable?: boolean;
  readonly countable?: boolean;
}

/** What Microsoft's global beta type listing holds for a type: direct property names only, no types. */
export interface GlobalTypeNames {
  readonly properties: ReadonlySet<string>;
  readonly navigation: ReadonlySet<string>;
}

export interface GlobalBetaTypes {
  readonly structured: ReadonlyMap<string, GlobalTypeNames>;
  /** Enum member names. */
  readonly enums: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface GraphModel {
  readonly version: ApiVersion;
  readonly types: ReadonlyMap<string, StructuredType>;
  readonly enums: ReadonlyMap<string, EnumDefinition>;
  /** By unqualified name; several overloads differ by binding type. */
  readonly operations: ReadonlyMap<string, readonly OperationDefinition[]>;
  readonly container: ReadonlyMap<string, ContainerChild>;
  readonly restrictions: ReadonlyMap<string, Restrictions>;
  /** beta only: Microsoft's list of every global beta type by qualified name. */
  readonly globalTypes: GlobalBetaTypes | null;
}

interface SchemaScope {
  readonly namespace: string;
  readonly alias: string | null;
}

const CAPABILITIES: Readonly<Record<string, { readonly term: string; readonly property: string; readonly key: keyof Restrictions }>> = {
  insert: { term: 'Org.OData.Capabilities.V1.InsertRestrictions', property: 'Insertable', key: 'insertable' },
  update: { term: 'Org.OData.Capabilities.V1.UpdateRestrictions', property: 'Updatable', key: 'updatable' },
  delete: { term: 'Org.OData.Capabilities.V1.DeleteRestrictions', property: 'Deletable', key: 'deletable' },
  read: { term: 'Org.OData.Capabilities.V1.ReadRestrictions', property: 'Readable', key: 'readable' },
  count: { term: 'Org.OData.Capabilities.V1.CountRestrictions', property: 'Countable', key: 'countable' },
};

class ModelBuilder {
  readonly types = new Map<string, StructuredType>();
  readonly enums = new Map<string, EnumDefinition>();
  readonly operations = new Map<string, OperationDefinition[]>();
  readonly container = new Map<string, ContainerChild>();
  readonly restrictions = new Map<string, Restrictions>();
  /** Every alias seen, for references from one schema into another. */
  readonly #aliases = new Map<string, string>();

  /** Adds a document; a type it defines replaces one of the same name already read (the overlay). */
  add(root: XmlElement): void {
    const schemas = root.children.flatMap((child) => (child.name === 'DataServices' ? child.children : [])).filter((child) => child.name === 'Schema');
    for (const schema of schemas) {
      const alias = schema.attributes['Alias'];
      const namespace = schema.attributes['Namespace'] ?? '';
      if (alias !== undefined && alias !== 'self') this.#aliases.set(alias, namespace);
    }
    for (const schema of schemas) {
      const scope: SchemaScope = { namespace: schema.attributes['Namespace'] ?? '', alias: schema.attributes['Alias'] ?? null };
      const overridden = new Set<string>();
      for (const element of schema.children) this.#addElement(element, scope, overridden);
    }
  }

  #qualify(name: string, scope: SchemaScope): string {
    if (name.startsWith('Edm.')) return name;
    if (scope.alias !== null && name.startsWith(`${scope.alias}.`)) return `${scope.namespace}.${name.slice(scope.alias.length + 1)}`;
    const dot = name.indexOf('.');
    const aliased = dot < 0 ? undefined : this.#aliases.get(name.slice(0, dot));
    if (aliased !== undefined) return `${aliased}.${name.slice(dot + 1)}`;
    return name.includes('.') ? name : `${scope.namespace}.${name}`;
  }

  #typeRef(text: string, scope: SchemaScope): TypeRef {
    const collection = /^Collection\((.*)\)$/.exec(text);
    return { collection: collection !== null, name: this.#qualify(collection?.[1] ?? text, scope) };
  }

  #addElement(element: XmlElement, scope: SchemaScope, overridden: Set<string>): void {
    const name = element.attributes['Name'] ?? '';
    switch (element.name) {
      case 'EntityType':
      case 'ComplexType': {
        const qualified = `${scope.namespace}.${name}`;
        const properties = new Map<string, PropertyDefinition>();
        const navigation = new Map<string, NavigationDefinition>();
        for (const child of element.children) {
          const childName = child.attributes['Name'] ?? '';
          if (child.name === 'Property') {
            properties.set(childName, { name: childName, type: this.#typeRef(child.attributes['Type'] ?? 'Edm.Untyped', scope), nullable: child.attributes['Nullable'] !== 'false' });
          } else if (child.name === 'NavigationProperty') {
            navigation.set(childName, { name: childName, type: this.#typeRef(child.attributes['Type'] ?? '', scope), containsTarget: child.attributes['ContainsTarget'] === 'true' });
          }
          if (child.name === 'Property' || child.name === 'NavigationProperty') this.#addInlineAnnotations(`${qualified}/${childName}`, child);
        }
        this.types.set(qualified, {
          kind: element.name === 'EntityType' ? 'entity' : 'complex',
          name: qualified,
          baseType: element.attributes['BaseType'] === undefined ? null : this.#qualify(element.attributes['BaseType'], scope),
          abstract: element.attributes['Abstract'] === 'true',
          openType: element.attributes['OpenType'] === 'true',
          properties,
          navigation,
        });
        this.#addInlineAnnotations(qualified, element);
        return;
      }
      case 'EnumType':
        this.enums.set(`${scope.namespace}.${name}`, {
          name: `${scope.namespace}.${name}`,
          members: new Set(element.children.filter((child) => child.name === 'Member').map((child) => child.attributes['Name'] ?? '')),
          isFlags: element.attributes['IsFlags'] === 'true',
        });
        return;
      case 'Action':
      case 'Function': {
        const parameters = element.children.filter((child) => child.name === 'Parameter');
        const bound = element.attributes['IsBound'] === 'true';
        const [binding, ...rest] = bound ? parameters : [undefined, ...parameters];
        const returns = element.children.find((child) => child.name === 'ReturnType');
        const operation: OperationDefinition = {
          kind: element.name === 'Action' ? 'action' : 'function',
          name,
          binding: binding === undefined ? null : this.#typeRef(binding.attributes['Type'] ?? '', scope),
          parameters: rest.flatMap((parameter) =>
            parameter === undefined ? [] : [{ name: parameter.attributes['Name'] ?? '', type: this.#typeRef(parameter.attributes['Type'] ?? '', scope), nullable: parameter.attributes['Nullable'] !== 'false' }],
          ),
          returnType: returns === undefined ? null : this.#typeRef(returns.attributes['Type'] ?? '', scope),
        };
        // A document laid over another replaces the overloads it defines, not those it leaves out.
        const key = `${name}\n${operation.binding === null ? '' : `${String(operation.binding.collection)}${operation.binding.name}`}`;
        const list = this.operations.get(name) ?? [];
        if (!overridden.has(key)) {
          overridden.add(key);
          const kept = list.filter((existing) => `${name}\n${existing.binding === null ? '' : `${String(existing.binding.collection)}${existing.binding.name}`}` !== key);
          this.operations.set(name, [...kept, operation]);
        } else {
          this.operations.set(name, [...list, operation]);
        }
        return;
      }
      case 'EntityContainer':
        for (const child of element.children) {
          const childName = child.attributes['Name'] ?? '';
          const target = `${scope.namespace}.${name}/${childName}`;
          if (child.name === 'EntitySet') this.container.set(childName, { kind: 'entitySet', name: childName, type: this.#qualify(child.attributes['EntityType'] ?? '', scope), target });
          else if (child.name === 'Singleton') this.container.set(childName, { kind: 'singleton', name: childName, type: this.#qualify(child.attributes['Type'] ?? '', scope), target });
          this.#addInlineAnnotations(target, child);
        }
        return;
      case 'Annotations': {
        const target = element.attributes['Target'] ?? '';
        this.#addAnnotations(this.#qualify(target, scope), element.children);
        return;
      }
      default:
        return;
    }
  }

  #addInlineAnnotations(target: string, element: XmlElement): void {
    this.#addAnnotations(target, element.children);
  }

  /** Reads the capability restrictions' top-level booleans (nested records restrict other targets and are ignored). */
  #addAnnotations(target: string, annotations: readonly XmlElement[]): void {
    for (const annotation of annotations) {
      if (annotation.name !== 'Annotation') continue;
      const capability = Object.values(CAPABILITIES).find((candidate) => candidate.term === annotation.attributes['Term']);
      if (capability === undefined) continue;
      const record = annotation.children.find((child) => child.name === 'Record');
      const value = record?.children.find((child) => child.name === 'PropertyValue' && child.attributes['Property'] === capability.property)?.attributes['Bool'];
      if (value === undefined) continue;
      this.restrictions.set(target, { ...this.restrictions.get(target), [capability.key]: value === 'true' });
    }
  }
}

function readGzip(path: string): string {
  return gunzipSync(readFileSync(path)).toString('utf8');
}

function readGlobalTypes(directory: string): GlobalBetaTypes {
  const types = new Map<string, GlobalTypeNames>();
  for (const kind of ['entity', 'complex'] as const) {
    const document = JSON.parse(readGzip(`${directory}/beta-${kind}-types.json.gz`)) as Record<string, Record<string, { properties: string[]; navigationProperties: string[] }>>;
    for (const [namespace, byName] of Object.entries(document)) {
      for (const [name, entry] of Object.entries(byName)) types.set(`${namespace}.${name}`, { properties: new Set(entry.properties), navigation: new Set(entry.navigationProperties) });
    }
  }
  const enums = new Map<string, ReadonlySet<string>>();
  const document = JSON.parse(readGzip(`${directory}/beta-enum-types.json.gz`)) as Record<string, Record<string, string[]>>;
  for (const [namespace, byName] of Object.entries(document)) {
    for (const [name, members] of Object.entries(byName)) enums.set(`${namespace}.${name}`, new Set(members));
  }
  return { structured: types, enums };
}

/** fixtures/graph-metadata (a copy of Microsoft's files kept in the repository), or GRAPH_METADATA_DIR. */
export function metadataDirectory(): string {
  return process.env['GRAPH_METADATA_DIR'] ?? fileURLToPath(new URL('../../../fixtures/graph-metadata', import.meta.url));
}

const loaded = new Map<ApiVersion, GraphModel>();

/** The model of one version; read once per process (the v1.0 file is 3.5 MB of XML). */
export function graphModel(version: ApiVersion, directory = metadataDirectory()): GraphModel {
  const cached = loaded.get(version);
  if (cached !== undefined) return cached;
  const builder = new ModelBuilder();
  if (version === 'v1.0') {
    builder.add(readXml(readGzip(`${directory}/v1.0-cleanMetadata.xml.gz`)));
  } else {
    builder.add(readXml(readGzip(`${directory}/beta-USNat.csdl.gz`)));
    builder.add(readXml(readFileSync(`${directory}/beta-global-excerpt.xml`, 'utf8')));
  }
  const model: GraphModel = {
    version,
    types: builder.types,
    enums: builder.enums,
    operations: builder.operations,
    container: builder.container,
    restrictions: builder.restrictions,
    globalTypes: version === 'beta' ? readGlobalTypes(directory) : null,
  };
  loaded.set(version, model);
  return model;
}

/** The type and its base types, most derived first. */
export function typeChain(model: GraphModel, name: string): StructuredType[] {
  const chain: StructuredType[] = [];
  for (let type = model.types.get(name); type !== undefined; type = type.baseType === null ? undefined : model.types.get(type.baseType)) {
    chain.push(type);
    if (chain.length > 32) throw new Error(`CSDL: the base types of ${name} loop`);
  }
  return chain;
}

/** Whether `derived` is `base` or derives from it. */
export function derivesFrom(model: GraphModel, derived: string, base: string): boolean {
  return typeChain(model, derived).some((type) => type.name === base);
}

export function findProperty(model: GraphModel, typeName: string, property: string): PropertyDefinition | undefined {
  for (const type of typeChain(model, typeName)) {
    const found = type.properties.get(property);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function findNavigation(model: GraphModel, typeName: string, property: string): { readonly definition: NavigationDefinition; readonly declaredOn: string } | undefined {
  for (const type of typeChain(model, typeName)) {
    const found = type.navigation.get(property);
    if (found !== undefined) return { definition: found, declaredOn: type.name };
  }
  return undefined;
}

/** Where a property name is declared on the type or a base type, for capability targets (`microsoft.graph.authentication/phoneMethods`). */
export function declaringType(model: GraphModel, typeName: string, property: string): string | null {
  for (const type of typeChain(model, typeName)) if (type.properties.has(property) || type.navigation.has(property)) return type.name;
  return null;
}

/**
 * beta: whether Microsoft's global listing names this type (and, with `property`, this property
 * on it or on one of its global base types as far as the local model knows them).
 */
export function inGlobalBeta(model: GraphModel, typeName: string, property?: string): boolean {
  const global = model.globalTypes?.structured.get(typeName);
  if (global === undefined) return model.globalTypes?.enums.has(typeName) === true && property === undefined;
  if (property === undefined) return true;
  if (global.properties.has(property) || global.navigation.has(property)) return true;
  const base = model.types.get(typeName)?.baseType ?? null;
  return base !== null && inGlobalBeta(model, base, property);
}
