/**
 * docs/troubleshooting.md is what support reads when a code appears. These tests fail when a code
 * is added to the source without a row in the document, or when a finding's catalogue text and the
 * document drift apart.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/error-catalogue.js';
import { FINDINGS } from '../../../src/findings.js';

const doc = await readFile('docs/troubleshooting.md', 'utf8');

/** Code → table row cells, for every `| \`CODE\` | … |` row of the document. */
function documentedRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const match = /^\| `([A-Z0-9_]+)` \|(.*)\|$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    rows.set(match[1], match[2].split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|')));
  }
  return rows;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name));
}

/** Codes given to the error family anywhere in src/: `inputError('X'`, `usageError('X'`, `code: 'X'`. */
async function errorCodesInSource(): Promise<Set<string>> {
  const codes = new Set<string>();
  for (const file of await sourceFiles('src')) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/(?:inputError|usageError)\(\s*'([A-Z0-9_]+)'|new MigrateError\(\{\s*code: '([A-Z0-9_]+)'/g)) {
      const code = match[1] ?? match[2];
      if (code !== undefined) codes.add(code);
    }
  }
  return codes;
}

describe('docs/troubleshooting.md', () => {
  it('has a row for every error code raised in src/', async () => {
    const codes = await errorCodesInSource();
    expect(codes.size).toBeGreaterThan(10);
    const rows = documentedRows();
    expect([...codes].filter((code) => !rows.has(code))).toEqual([]);
  });

  it('has a row for every error of the catalogue, with its exit code, cause and remedy word for word', () => {
    const rows = documentedRows();
    for (const [code, entry] of Object.entries(ERRORS)) {
      expect(rows.get(code), code).toEqual([String(entry.exitCode), entry.cause, entry.remedy]);
    }
  });

  it('documents no error the catalogue lacks, and the catalogue holds no code nothing raises', async () => {
    const errorSection = doc.slice(doc.indexOf('## Errors that stop a command'), doc.indexOf('\n## ', doc.indexOf('## Errors that stop a command') + 5));
    const documented = [...errorSection.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.filter((code) => code === undefined || !(code in ERRORS))).toEqual([]);
    const source = (await Promise.all((await sourceFiles('src')).filter((file) => !file.endsWith('error-catalogue.ts')).map((file) => readFile(file, 'utf8')))).join('\n');
    // USAGE is commander's own parse errors, mapped in the JSON error document.
    expect(Object.keys(ERRORS).filter((code) => code !== 'USAGE' && !source.includes(`'${code}'`))).toEqual([]);
  });

  it('has a row for every finding, with the catalogue severity, cause and remedy', () => {
    const rows = documentedRows();
    for (const [code, entry] of Object.entries(FINDINGS)) {
      expect(rows.get(code), code).toEqual([entry.severity, entry.cause, entry.remedy]);
    }
  });
});
