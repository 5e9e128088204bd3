/**
 * The folders of src/ are the pipeline, and its layers run one way: a lower layer never imports a
 * higher one. This test scans every import of src/ (static, re-exports and dynamic) and fails on
 * any edge the table below does not allow — in particular graph/, journal/ and report/ importing
 * migrate/, and plan/ importing journal/.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `shared`: the top-level modules every layer may use (errors, findings, log, clock, run records…). */
type Layer = 'shared' | 'json-schema' | 'source' | 'mapping' | 'plan' | 'graph' | 'journal' | 'report' | 'migrate' | 'emulator' | 'cli';

/** What each layer may import besides itself. `types` edges must be `import type`. */
const ALLOWED: Readonly<Record<Layer, { readonly code: readonly Layer[]; readonly types?: readonly Layer[] }>> = {
  // The run records describe plan's and mapping's data; they may name those types, nothing more.
  shared: { code: [], types: ['mapping', 'plan'] },
  // JSON Schemas described in TypeScript and the ajv validator: a tool of the layers that write or check documents.
  'json-schema': { code: ['shared'] },
  source: { code: ['shared'] },
  mapping: { code: ['shared', 'source'] },
  plan: { code: ['shared', 'mapping'] },
  graph: { code: ['shared', 'mapping', 'plan'] },
  journal: { code: ['shared', 'source', 'mapping', 'plan'] },
  report: { code: ['shared', 'mapping', 'plan', 'journal'] },
  migrate: { code: ['shared', 'source', 'mapping', 'plan', 'graph', 'journal', 'report', 'emulator'] },
  // The emulator shares no code with graph/ (it must not agree with our client by construction).
  emulator: { code: ['shared', 'json-schema', 'source', 'mapping'] },
  cli: { code: ['shared', 'json-schema', 'source', 'mapping', 'plan', 'graph', 'journal', 'report', 'migrate', 'emulator'] },
};

const SRC = resolve('src');

function layerOf(file: string): Layer {
  const path = relative(SRC, file);
  if (!path.includes(sep)) return 'shared';
  const folder = path.split(sep)[0] ?? '';
  if (!(folder in ALLOWED)) throw new Error(`${path}: src/${folder}/ is not a layer of the table; add it`);
  return folder as Layer;
}

interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

/** Relative imports of one file: `import … from`, `export … from`, `import '…'` and `import('…')`. */
function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const statement = /(?:^|\n)\s*(import|export)(\s+type)?\b[^'";]*?(?:from\s+)?'(\.[^']+)'/g;
  for (const match of text.matchAll(statement)) {
    const specifier = match[3];
    if (specifier !== undefined) edges.push({ from: file, to: resolve(dirname(file), specifier), typeOnly: match[2] !== undefined });
  }
  for (const match of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
    const specifier = match[1];
    if (specifier !== undefined) edges.push({ from: file, to: resolve(dirname(file), specifier), typeOnly: false });
  }
  return edges;
}

async function sourceEdges(): Promise<ImportEdge[]> {
  const entries = await readdir(SRC, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name));
  const edges: ImportEdge[] = [];
  for (const file of files) edges.push(...importsOf(file, await readFile(file, 'utf8')));
  return edges;
}

/** Every edge the table forbids, as `src/a/x.ts → src/b/y.js`. */
function forbiddenEdges(edges: readonly ImportEdge[]): string[] {
  const forbidden: string[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === to) continue;
    const allowed = ALLOWED[from];
    const ok = allowed.code.includes(to) || (edge.typeOnly && (allowed.types ?? []).includes(to));
    if (!ok) forbidden.push(`${relative('.', edge.from)} → ${relative('.', edge.to)}`);
  }
  return forbidden;
}

describe('layers of src/', () => {
  it('no import runs against the pipeline (lower layers never import higher ones)', async () => {
    const edges = await sourceEdges();
    expect(edges.length).toBeGreaterThan(300);
    expect(forbiddenEdges(edges)).toEqual([]);
  });

  it('catches the edges it exists for: graph/journal/report importing migrate, plan importing journal', () => {
    const at = (path: string): string => join(SRC, path);
    const edges: ImportEdge[] = [
      { from: at('graph/gateway.ts'), to: at('migrate/deps.js'), typeOnly: true },
      { from: at('journal/journal.ts'), to: at('migrate/deps.js'), typeOnly: true },
      { from: at('report/write-reports.ts'), to: at('migrate/deps.js'), typeOnly: false },
      { from: at('plan/final-status.ts'), to: at('journal/journal.js'), typeOnly: true },
      { from: at('run-records.ts'), to: at('plan/operations.js'), typeOnly: false },
      { from: at('migrate/apply.ts'), to: at('graph/gateway.js'), typeOnly: false },
    ];
    expect(forbiddenEdges(edges)).toEqual([
      'src/graph/gateway.ts → src/migrate/deps.js',
      'src/journal/journal.ts → src/migrate/deps.js',
      'src/report/write-reports.ts → src/migrate/deps.js',
      'src/plan/final-status.ts → src/journal/journal.js',
      'src/run-records.ts → src/plan/operations.js',
    ]);
  });
});
