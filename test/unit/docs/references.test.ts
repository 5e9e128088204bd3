/**
 * Every reference in the code, the tests, the benchmarks and the documents points at something in
 * the repository. Sections are cited by heading — `docs/design.md "R8 Default method"`, or a
 * heading of docs/decisions.md with or without its date — and this test fails when a cited
 * heading does not exist, so a renamed section cannot leave its citations dangling. Sections of the
 * original brief (a document outside the repository) and issue numbers are refused anywhere: a
 * comment says the behaviour instead. Within docs/design.md, citations of the form decisions: "…"
 * and links to its own headings are checked the same way.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Folders scanned whole, and the documents beside them. */
const SCANNED_FOLDERS = ['src', 'test', 'bench'];
const SCANNED_EXTENSIONS = ['.ts', '.js', '.mjs', '.json', '.md'];
/** A quoted heading longer than this is not a heading but a stray quote. */
const MAX_HEADING_CHARACTERS = 200;

interface Headings {
  readonly design: ReadonlySet<string>;
  readonly decisions: ReadonlySet<string>;
}

/** The headings of a Markdown file (any level), outside code fences, whitespace collapsed. */
export function headingsOf(markdown: string): Set<string> {
  const headings = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const match = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (match?.[1] !== undefined) headings.add(collapse(match[1]));
  }
  return headings;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The file's text with line breaks and the comment markers that start the next line (`*`, `//`,
 * `#`) folded into one space, so a reference wrapped over two comment lines is still one; `lineAt`
 * gives the line of a position in that text.
 */
function unwrap(text: string): { readonly flat: string; readonly lineAt: (index: number) => number } {
  const starts: number[] = [];
  let flat = '';
  for (const line of text.split('\n')) {
    if (starts.length > 0) flat += ' ';
    starts.push(flat.length);
    flat += line.replace(/^\s*(?:\/\*\*|\*\/|\*|\/\/|#+)?\s*/, '');
  }
  const lineAt = (index: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((starts[middle] ?? 0) <= index) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
  return { flat, lineAt };
}

/** What is wrong with the references of one file, each as `file:line: …`. */
export function referenceProblems(file: string, text: string, headings: Headings): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    const at = `${file}:${String(index + 1)}`;
    const brief = /\b(?:DESIGN|STYLE) ?§\s*[\d.]*/.exec(line) ?? /(?<!RFC \d+ )§\d[\d.]*/.exec(line);
    if (brief !== null) problems.push(`${at}: "${brief[0]}" cites a section of a document outside the repository; cite a heading of docs/design.md or say the behaviour`);
    const issue = /\bissues? #?\d+/i.exec(line);
    if (issue !== null) problems.push(`${at}: "${issue[0]}" names an issue number; say the behaviour instead`);
  });

  const { flat, lineAt } = unwrap(text);
  const cited = new RegExp(`\\b(?:docs/)?(design|decisions)\\.md\`?,? "([^"]{1,${String(MAX_HEADING_CHARACTERS)}})"`, 'g');
  for (const match of flat.matchAll(cited)) {
    const [, document, heading] = match;
    if (document === undefined || heading === undefined) continue;
    const known = document === 'design' ? headings.design : headings.decisions;
    if (!known.has(collapse(heading))) problems.push(`${file}:${String(lineAt(match.index))}: docs/${document}.md has no heading "${collapse(heading)}"`);
  }
  if (file === 'docs/design.md') {
    for (const match of flat.matchAll(/\bdecisions:? "([^"]{1,200})"/g)) {
      const heading = match[1];
      if (heading !== undefined && !headings.decisions.has(collapse(heading))) problems.push(`${file}:${String(lineAt(match.index))}: docs/decisions.md has no heading "${collapse(heading)}"`);
    }
    const anchors = new Set([...headings.design].map(anchorOf));
    for (const match of flat.matchAll(/\]\(#([^)\s]+)\)/g)) {
      const anchor = match[1];
      if (anchor !== undefined && !anchors.has(anchor)) problems.push(`${file}:${String(lineAt(match.index))}: docs/design.md has no heading for the link #${anchor}`);
    }
  }
  return problems;
}

/** decisions.md headings are dated (`2026-12-06 The policy is read from beta`); cite either form. */
function withoutDates(headings: ReadonlySet<string>): Set<string> {
  const all = new Set(headings);
  for (const heading of headings) all.add(heading.replace(/^\d{4}-\d{2}-\d{2} /, ''));
  return all;
}

async function scannedFiles(): Promise<string[]> {
  const files = ['README.md'];
  for (const entry of await readdir('docs', { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.md')) files.push(join('docs', entry.name));
  }
  for (const folder of SCANNED_FOLDERS) {
    for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && SCANNED_EXTENSIONS.some((extension) => entry.name.endsWith(extension))) files.push(join(entry.parentPath, entry.name));
    }
  }
  return files;
}

const headings: Headings = {
  design: headingsOf(await readFile('docs/design.md', 'utf8')),
  decisions: withoutDates(headingsOf(await readFile('docs/decisions.md', 'utf8'))),
};

describe('references', () => {
  it('every cited heading exists, and no reference points outside the repository or at an issue', async () => {
    const problems: string[] = [];
    for (const file of await scannedFiles()) problems.push(...referenceProblems(file, await readFile(file, 'utf8'), headings));
    expect(problems).toEqual([]);
  });

  it('scans the code, the tests and the documents that cite docs/design.md', async () => {
    const files = await scannedFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/design.md', 'docs/decisions.md', join('src', 'errors.ts'), join('test', 'unit', 'docs', 'references.test.ts'), join('bench', 'validate.bench.ts')]));
  });

  // The samples are assembled at run time, so this file's own text holds none of what it refuses.
  const brief = ['DESIGN', '§'].join(' ') + '5';
  const issue = ['issue', '#12'].join(' ');
  const design = ['docs/design.md', '"Exit codes"'].join(' ');
  const missing = ['docs/design.md', '"Exit statuses"'].join(' ');

  it('names the file and line of a section of the brief and of an issue number', () => {
    const text = `/**\n * Exit codes (${brief}).\n * Added for ${issue}.\n */`;
    expect(referenceProblems('src/sample.ts', text, headings)).toEqual([
      expect.stringContaining(`src/sample.ts:2: "${brief}" cites a section of a document outside`),
      expect.stringContaining(`src/sample.ts:3: "${issue}" names an issue number`),
    ]);
  });

  it('accepts a heading that exists, even wrapped over two comment lines, and names one that does not', () => {
    const wrapped = design.replace(' "Exit ', ' "Exit\n * ');
    expect(referenceProblems('src/sample.ts', `/**\n * See ${design} and ${wrapped}.\n */`, headings)).toEqual([]);
    expect(referenceProblems('src/sample.ts', `// first\n// See ${missing}.`, headings)).toEqual([
      'src/sample.ts:2: docs/design.md has no heading "Exit statuses"',
    ]);
  });

  it('accepts a decision cited with or without its date', () => {
    const dated = ['docs/decisions.md', '"2026-12-06 The policy is read from beta"'].join(' ');
    const undated = ['decisions.md', '"The policy is read from beta"'].join(' ');
    const unknown = ['decisions.md', '"The policy is read from v1.0"'].join(' ');
    expect(referenceProblems('test/sample.ts', `// ${dated}, ${undated}\n// ${unknown}`, headings)).toEqual([
      'test/sample.ts:2: docs/decisions.md has no heading "The policy is read from v1.0"',
    ]);
  });
});
