/**
 * report.html in a real browser (headless Chromium through playwright-core): search a user, read
 * their status, click them, read their before → after; page through a run of more than one page;
 * and check that a username holding markup stays text and that the page asks the network for
 * nothing. Skipped, saying how to install it, where Chromium is missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../support/chromium.js';
import { openJournal } from '../../src/journal/journal.js';
import { writeRunReports } from '../../src/report/write-reports.js';
import { manualClock } from '../support/clock.js';
import { aPlanRun, aUserRecord } from '../support/journal-builders.js';
import { tempDir } from '../support/temp-dir.js';
import { buildReportJournal, ENTRA_DISPLAY_NAME, EXPORT_DISPLAY_NAME, SCRIPT_USERNAME, type ReportJournal } from '../integration/report/report-journal.js';

const chromiumMissing = !existsSync(CHROMIUM_PATH);
if (chromiumMissing) {
  process.stderr.write(`test/browser: skipped, no Chromium at ${CHROMIUM_PATH} — install it with \`apt-get install chromium\`.\n`);
}

/** Users in the paging run: more than two pages of 100. */
const PAGING_USERS = 250;

let temp: ReturnType<typeof tempDir>;
let fixture: ReportJournal;
let browser: Browser;
let reportUrl: string;
let pagingUrl: string;
let rollbackUrl: string;

beforeAll(async () => {
  if (chromiumMissing) return;
  temp = tempDir();
  fixture = buildReportJournal(temp.dir);
  reportUrl = pathToFileURL((await writeRunReports(fixture.journal, fixture.applyRunId, { dir: join(temp.dir, 'reports'), unmask: false })).html).href;
  rollbackUrl = pathToFileURL((await writeRunReports(fixture.journal, fixture.rollbackRunId, { dir: join(temp.dir, 'reports'), unmask: false })).html).href;
  const paging = openJournal(join(temp.dir, 'paging.db'), { clock: manualClock() });
  try {
    const run = paging.createRun(aPlanRun());
    paging.recordUsers(run.id, Array.from({ length: PAGING_USERS }, (_, index) => aUserRecord(index + 2)));
    pagingUrl = pathToFileURL((await writeRunReports(paging, run.id, { dir: join(temp.dir, 'reports'), unmask: false })).html).href;
  } finally {
    paging.close();
  }
  browser = await launchChromium();
});
afterAll(async () => {
  if (chromiumMissing) return;
  await browser.close();
  fixture.journal.close();
  temp.remove();
});

interface OpenedPage {
  readonly page: Page;
  /** Every URL the page asked for besides itself. */
  readonly requests: string[];
  /** Every alert, confirm or prompt the page opened. */
  readonly dialogs: string[];
  readonly errors: string[];
}

async function open(url: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => { if (request.url() !== url) requests.push(request.url()); });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => { errors.push(error.message); });
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(url);
  await page.locator('#user-rows tr').first().waitFor();
  return { page, requests, dialogs, errors };
}

describe.skipIf(chromiumMissing)('report.html in Chromium', () => {
  it('search a user, read their status, click them and read their before → after', async () => {
    const { page, requests, errors } = await open(reportUrl);
    try {
      await page.locator('#search').fill('user3@');
      await expect.poll(() => page.locator('#user-rows tr').count()).toBe(1);
      const row = page.locator('#user-rows tr').first();
      expect(await row.locator('td').nth(2).textContent()).toBe('user3@contoso.com');
      expect(await row.locator('.badge').textContent()).toBe('partial');

      await row.click();
      const detail = page.locator('#detail');
      await detail.locator('table.changes').waitFor();
      expect(await detail.locator('h2').textContent()).toBe('Export Name 3 — user3@contoso.com');
      const mobile = detail.locator('table.changes tr', { hasText: 'Mobile' }).first();
      // Before and after differ in hidden digits only: the row is still marked as changed.
      expect(await mobile.locator('td.before').textContent()).toBe('+1 ••••••0103');
      expect(await mobile.locator('td.after').textContent()).toBe('+1 ••••••0103');
      expect(await mobile.getAttribute('class')).toBe('changed');
      // The office write failed: nothing after, and Graph's request-id is shown.
      const office = detail.locator('table.changes tr', { hasText: 'Office' });
      expect(await office.locator('td.after').textContent()).toBe('—');
      expect(await detail.locator('table.writes').textContent()).toContain(`request-id ${fixture.failedRequestIds[0] ?? ''}`);
      expect(await detail.textContent()).toContain('OPERATION_FAILED');
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a username holding markup is shown as text and runs nothing', async () => {
    const { page, dialogs, errors } = await open(reportUrl);
    try {
      await page.locator('#search').fill('<script>');
      await expect.poll(() => page.locator('#user-rows tr').count()).toBe(1);
      const row = page.locator('#user-rows tr').first();
      expect(await row.locator('td').nth(2).textContent()).toBe(SCRIPT_USERNAME);
      await row.click();
      expect(await page.locator('#detail h2').textContent()).toBe(`Export Name 12 — ${SCRIPT_USERNAME}`);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('marks the hardware tokens a run created, assigned or activated', async () => {
    const { page, errors } = await open(reportUrl);
    try {
      await page.locator('#search').fill('<script>');
      await expect.poll(() => page.locator('#user-rows tr').count()).toBe(1);
      await page.locator('#user-rows tr').first().click();
      const tokens = page.locator('#detail ul', { hasText: 'TOTP0012' });
      expect(await tokens.getAttribute('class')).toBe('plain changed');
      expect(await tokens.textContent()).toBe('TOTP0012: none → activated');
      expect(await page.locator('#detail table.writes').textContent()).toContain('activate hardware token TOTP0012 (activateHardwareToken TOTP0012)');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('filters by status and issue code, and sorts by a column', async () => {
    const { page } = await open(reportUrl);
    try {
      await page.locator('#status-filter').selectOption({ label: 'unmatched (2)' });
      await expect.poll(() => page.locator('#user-rows tr .badge').allTextContents()).toEqual(['unmatched', 'unmatched']);
      await page.locator('#status-filter').selectOption('');
      await page.locator('[data-code-index]', { hasText: 'Show users' }).first().click();
      expect(await page.locator('#count').textContent()).toContain('filtered from 12');
      await page.locator('#code-filter').selectOption('');
      await page.locator('th[data-sort="username"] button').click();
      const names = await page.locator('#user-rows tr td:nth-child(3)').allTextContents();
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true })));
      expect(await page.locator('th[data-sort="username"]').getAttribute('aria-sort')).toBe('ascending');
    } finally {
      await page.close();
    }
  });

  it('finds a person by name as people type it: "lukasz hill" finds Łukasz Hill, words in any order', async () => {
    const { page, errors } = await open(reportUrl);
    try {
      const names = (): Promise<string[]> => page.locator('#user-rows tr td:nth-child(2)').allTextContents();
      for (const [query, name] of [['lukasz hill', ENTRA_DISPLAY_NAME], ['zoe angstrom', EXPORT_DISPLAY_NAME], ['HILL Łukasz', ENTRA_DISPLAY_NAME]] as const) {
        await page.locator('#search').fill(query);
        await expect.poll(names, { message: query }).toEqual([name]);
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('keeps what the admin must do apart from what the user must do: tiles and a filter each', async () => {
    const { page } = await open(reportUrl);
    try {
      const tiles = await page.locator('.card .l').allTextContents();
      expect(tiles).toEqual(expect.arrayContaining(['admin must act', 'user must act']));
      expect(tiles).not.toContain('need action');
      await page.locator('#action-filter').selectOption('user');
      await expect.poll(() => page.locator('#count').textContent()).toMatch(/of \d+ \(filtered/);
      for (const row of await page.locator('#user-rows tr').all()) {
        await row.click();
        expect(await page.locator('#detail .action').allTextContents()).toContain('user must act');
      }
      await page.locator('#action-filter').selectOption('admin');
      await page.locator('#user-rows tr').first().click();
      expect(await page.locator('#detail .action').allTextContents()).toContain('admin must act');
    } finally {
      await page.close();
    }
  });

  it('links each issue code to its cause and remedy embedded in the page, and names writes in plain words', async () => {
    const { page, requests } = await open(reportUrl);
    try {
      await page.locator('#search').fill('user3@');
      await expect.poll(() => page.locator('#user-rows tr').count()).toBe(1);
      await page.locator('#user-rows tr').first().click();
      const writes = await page.locator('#detail table.writes').textContent();
      expect(writes).toContain('set default sign-in method phone call to mobile (setPreferredMethod voiceMobile)');
      expect(writes).toContain('skipped, not sent');
      const link = page.locator('#detail a.code', { hasText: 'OPERATION_FAILED' });
      expect(await link.getAttribute('href')).toBe('#code-OPERATION_FAILED');
      await link.click();
      await expect.poll(() => page.url()).toMatch(/#code-OPERATION_FAILED$/);
      const target = page.locator('#code-OPERATION_FAILED');
      expect(await target.textContent()).toContain('Look up the Graph code');
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a rollback\'s report shows its own statuses and each undo step with what became of it', async () => {
    const { page, errors } = await open(rollbackUrl);
    try {
      expect(await page.locator('#user-rows tr .badge').allTextContents()).toEqual(['kept', 'failed', 'restored']);
      await page.locator('#user-rows tr').first().click();
      const writes = page.locator('#detail table.writes');
      expect(await writes.textContent()).toContain('delete phone office phone (deletePhone office)');
      expect(await writes.locator('td.op-done').allTextContents()).toEqual(['undone', 'undone']);
      expect(await writes.locator('td.op-skipped').allTextContents()).toEqual(['kept']);
      expect(await page.locator('#detail').textContent()).toContain('Entra cannot unset one');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('draws one page of 100 rows at a time, whatever the number of users', async () => {
    const { page } = await open(pagingUrl);
    try {
      expect(await page.locator('#user-rows tr').count()).toBe(100);
      expect(await page.locator('#count').textContent()).toBe('Users 1–100 of 250');
      await page.locator('#next').click();
      expect(await page.locator('#user-rows tr td:first-child').first().textContent()).toBe('102');
      await page.locator('#last').click();
      expect(await page.locator('#user-rows tr').count()).toBe(50);
      expect(await page.locator('#next').isDisabled()).toBe(true);
    } finally {
      await page.close();
    }
  });
});

if (chromiumMissing) {
  it.skip('report.html in Chromium: no Chromium at /usr/bin/chromium — install it with `apt-get install chromium`', () => undefined);
}
