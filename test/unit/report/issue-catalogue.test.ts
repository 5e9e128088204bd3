import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ACTION_NEEDED, ISSUE_CATALOGUE, OPERATION_ISSUES } from '../../../src/report/issue-catalogue.js';

describe('which issues need action (issues.csv)', () => {
  it('every error does, no notice does', () => {
    for (const [code, entry] of Object.entries(ISSUE_CATALOGUE)) {
      if (entry.severity === 'error') expect(ACTION_NEEDED[code as keyof typeof ACTION_NEEDED], code).toBe(true);
      if (entry.severity === 'notice') expect(ACTION_NEEDED[code as keyof typeof ACTION_NEEDED], code).toBe(false);
    }
  });

  it('a warning whose remedy is "None needed" does not', () => {
    for (const [code, entry] of Object.entries(ISSUE_CATALOGUE)) {
      if (entry.remedy.startsWith('None needed')) expect(ACTION_NEEDED[code as keyof typeof ACTION_NEEDED], code).toBe(false);
    }
  });
});

describe('docs/troubleshooting.md', () => {
  it('has the report\'s write codes with the catalogue severity, cause and remedy', async () => {
    const doc = await readFile('docs/troubleshooting.md', 'utf8');
    for (const [code, entry] of Object.entries(OPERATION_ISSUES)) {
      expect(doc, code).toContain(`| \`${code}\` | ${entry.severity} | ${entry.cause} | ${entry.remedy} |`);
    }
  });
});
