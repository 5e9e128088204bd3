/**
 * report.html's script is written in TypeScript against the DOM (src/report/browser/report-page.ts,
 * type-checked by `npm run typecheck`, linted) and shipped as text in src/report/html-script.ts,
 * which this test writes: the committed file must be the compiled source, so the page never runs
 * a script other than the one that was checked. `npm run generate` rewrites it.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { USER_ENTRY } from '../../../src/report/html-entry.js';
import { projectRoot } from '../../support/run-cli.js';

const SOURCE = 'src/report/browser/report-page.ts';

/** The page's classic script: the module's code without its (type-only) module syntax, in a strict function scope. */
function compiledScript(): string {
  const output = ts.transpileModule(readFileSync(`${projectRoot}${SOURCE}`, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, removeComments: true },
    fileName: SOURCE,
  }).outputText;
  const body = output.replace(/^export \{\};\n/m, '').trimEnd();
  return `'use strict';\n(() => {\n${body}\n})();\n`;
}

function generatedModule(script: string): string {
  return [
    `// Written from ${SOURCE} by \`npm run generate\` (test/unit/contract/report-script.test.ts): edit that file, not this one.`,
    '',
    '/** The script of report.html, compiled: embedded as it is, and allowed by the hash of exactly this text. */',
    'export const REPORT_SCRIPT = [',
    ...script.split('\n').map((line) => `  ${JSON.stringify(line)},`),
    "].join('\\n');",
    '',
  ].join('\n');
}

describe("report.html's script", () => {
  it('src/report/html-script.ts is the compiled browser source, as committed', async () => {
    await expect(generatedModule(compiledScript())).toMatchFileSnapshot('../../../src/report/html-script.ts');
  });

  it('has no module syntax left (the page runs it as a classic script)', () => {
    expect(compiledScript()).not.toMatch(/^\s*(import|export)\b/m);
  });

  it('places every field of a user at its own position, 0 to 13', () => {
    expect(Object.values(USER_ENTRY).sort((a, b) => a - b)).toEqual([...Array(Object.keys(USER_ENTRY).length).keys()]);
  });
});
