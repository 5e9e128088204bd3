/**
 * Runs the real journal code in a separate Node process so a test can kill it with SIGKILL at an
 * exact point. vitest transforms TypeScript only inside its own workers, so the journal and the
 * modules it imports are transpiled here (TypeScript's transpileModule: types are erased, nothing
 * is bundled) into a temporary folder that resolves packages from the project's node_modules.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Transpiles `entry` (project-relative .ts) and every module it reaches by relative import; returns the entry's file URL. */
export function transpileForChild(entry: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(projectRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const pending = [resolve(projectRoot, entry)];
  const done = new Set<string>();
  for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
    if (done.has(source)) continue;
    done.add(source);
    const text = readFileSync(source, 'utf8');
    const output = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: source,
    }).outputText;
    const target = join(outDir, relative(projectRoot, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
    for (const match of output.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      const specifier = match[1];
      if (specifier !== undefined) pending.push(resolve(dirname(source), `${specifier}.ts`));
    }
  }
  return pathToFileURL(join(outDir, entry).replace(/\.ts$/, '.js')).href;
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an ES module given as text with this Node binary. */
export async function runModule(source: string): Promise<ChildResult> {
  const child = spawn(process.execPath, ['--input-type=module', '--eval', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  return new Promise((resolveResult, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => { resolveResult({ code, signal, stdout, stderr }); });
  });
}
