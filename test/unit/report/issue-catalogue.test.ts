import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ISSUE_CATALOGUE, OPERATION_ISSUES, UNDO_ISSUES, WHO_MUST_ACT, type ReportIssueCode } from '../../../src/report/issue-catalogue.js';

const entries = Object.entries(ISSUE_CATALOGUE) as [ReportIssueCode, (typeof ISSUE_CATALOGUE)[ReportIssueCode]][];

describe('who must act on each issue (issues.csv, the tiles and filters of report.html)', () => {
  it('someone must act on every error, no one on a notice', () => {
    for (const [code, entry] of entries) {
      if (entry.severity === 'error') expect(WHO_MUST_ACT[code], code).not.toBeNull();
      if (entry.severity === 'notice') expect(WHO_MUST_ACT[code], code).toBeNull();
    }
  });

  it('no one must act on a warning whose remedy is "None needed"', () => {
    for (const [code, entry] of entries) {
      if (entry.remedy.startsWith('None needed')) expect(WHO_MUST_ACT[code], code).toBeNull();
    }
  });

  it('the user must act exactly where the remedy is theirs alone: register Authenticator or a method again', () => {
    const users = entries.filter(([code]) => WHO_MUST_ACT[code] === 'user').map(([code]) => code);
    expect(users.sort()).toEqual(['DEVICE_LIMIT', 'DEVICE_REREGISTRATION_REQUIRED', 'NOTHING_TO_MIGRATE']);
    for (const code of users) expect(ISSUE_CATALOGUE[code].remedy, code).toMatch(/re-registered|registers the app again|register a method/);
  });
});

describe('docs/troubleshooting.md', () => {
  it('has the report\'s write and undo codes with the catalogue severity, cause and remedy', async () => {
    const doc = await readFile('docs/troubleshooting.md', 'utf8');
    for (const [code, entry] of Object.entries({ ...OPERATION_ISSUES, ...UNDO_ISSUES })) {
      expect(doc, code).toContain(`| \`${code}\` | ${entry.severity} | ${entry.cause} | ${entry.remedy} |`);
    }
  });
});
