/**
 * Benchmark: the reports of a 100,000-user apply run — can support staff open report.html and
 * find one user in it? Builds the synthetic journal of bench/report-screenshot.ts (every status
 * and issue code), then for each run:
 *
 * - write s: wall-clock of one `writeRunReports` call (all four files), measured inside a child
 *   process that does nothing else. Not split per format: the writer reads the users once and
 *   writes each one to all four files in the same loop, so only the total exists without
 *   changing src/.
 * - writer peak RSS: that child's `getrusage` high-water mark (`process.resourceUsage().maxRSS`),
 *   Node itself and the open journal included (≈ 55 MiB before writing, in the JSON), playwright
 *   not loaded — close to what `mfa-migrate report` needs. The journal builder runs in this
 *   process, so its memory is not counted.
 * - CSV, JSON, issues, HTML MiB: reconciliation.csv, reconciliation.json, issues.csv, report.html.
 * - load s: `performance.now()` in the page, from the start of the navigation to the file:// URL
 *   until a MutationObserver (installed by an init script) sees the table's first page — 100 rows,
 *   or all users when fewer — in the DOM; the paint that follows is not included. The wall-clock
 *   around `page.goto` and that wait, and Navigation Timing, are in the JSON.
 * - page heap MiB: the page's JavaScript heap after load and a forced GC (CDP
 *   Runtime.getHeapUsage): what the open report holds.
 * - search ms: `performance.now()` in the page, from the search box's `input` event (typed with
 *   `page.fill`, as a paste) until a MutationObserver sees the table reduced to the one row of the
 *   searched user. It includes the page's 150 ms typing pause (SEARCH_DELAY_MS in
 *   src/report/html-script.ts), which a user waits through too, and the first search builds the
 *   page's search index. "search again": a second user searched in the same page. The wall-clock
 *   around `fill` and the wait (CDP round trips added) is in the JSON beside them.
 *
 * With several runs the table shows medians; bench/results/reports.json (git-ignored) holds every
 * run. The load average is printed with the table: the machine is shared.
 *
 * Usable at 100,000 users means: load ≤ 5 s (the file is opened once; past ~10 s people take it
 * for hung), search ≤ 1 s (the limit for staying in the flow of a lookup), reports written
 * ≤ 60 s (apply itself takes hours at 100,000 users under Graph's write quota) and writer peak
 * RSS ≤ 1 GiB (the ceiling validate has at 1,000,000 users). HTML size has no limit of its own;
 * it is what load time and page heap grow with.
 *
 *   cd /work/main && npx tsc -p tsconfig.build.json
 *   node dist/bench/reports.bench.js                              # 100,000 users, 1 run
 *   node dist/bench/reports.bench.js --users 10000,100000 --runs 3
 *
 * Needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium).
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { openJournal, type Journal } from '../src/journal/journal.js';
import { systemClock } from '../src/clock.js';
import { writeRunReports, type ReportPaths } from '../src/report/write-reports.js';
import { formatTable } from './table.js';

/** Rows on one page of report.html's table (PAGE_SIZE in src/report/html-script.ts). */
const REPORT_PAGE_SIZE = 100;
/** A page or search that has not shown its rows by then is reported as broken, not waited for. */
const PAGE_TIMEOUT_MS = 60_000;
/** The viewport of a support laptop, as in report-screenshot. */
const VIEWPORT = { width: 1440, height: 1000 };

/** "Usable at 100,000 users" (header comment). */
const LOAD_LIMIT_MS = 5_000;
const SEARCH_LIMIT_MS = 1_000;
const WRITE_LIMIT_MS = 60_000;
const WRITER_RSS_LIMIT_BYTES = 2 ** 30;

const MIB = 2 ** 20;

/** What the writer child prints, as one JSON line. */
interface WriterResult {
  readonly writeMs: number;
  /** Resident set size just before writeRunReports: Node and the open journal. */
  readonly rssBeforeBytes: number;
  readonly peakRssBytes: number;
  readonly reportedUsers: number;
  readonly paths: ReportPaths;
}

interface NavigationTimes {
  readonly responseEndMs: number;
  readonly domInteractiveMs: number;
  readonly domContentLoadedEndMs: number;
  readonly loadEventEndMs: number;
}

interface RunMeasurement {
  readonly writeMs: number;
  readonly writerRssBeforeBytes: number;
  readonly writerPeakRssBytes: number;
  readonly csvBytes: number;
  readonly jsonBytes: number;
  readonly issuesBytes: number;
  readonly htmlBytes: number;
  readonly xlsxBytes: number;
  readonly loadMs: number;
  readonly loadWallMs: number;
  readonly navigation: NavigationTimes;
  readonly pageHeapBytes: number;
  readonly searchMs: number;
  readonly searchWallMs: number;
  readonly searchAgainMs: number;
  readonly searchAgainWallMs: number;
}

type MeasuredFigure = Exclude<keyof RunMeasurement, 'navigation'>;

interface SizeResult {
  readonly users: number;
  readonly journalBuildMs: number;
  /** Usernames searched: the last user of the users file, then the one in the middle. */
  readonly searchTerms: readonly [string, string];
  readonly runs: readonly RunMeasurement[];
  readonly median: Readonly<Record<MeasuredFigure, number>>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '1' },
      // Internal: the child that writes the reports, so its peak RSS is the writer's alone.
      writer: { type: 'boolean', default: false },
      journal: { type: 'string' },
      run: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.writer) {
    if (values.journal === undefined || values.run === undefined || values.out === undefined) throw new Error('--writer needs --journal, --run and --out.');
    process.stdout.write(`${JSON.stringify(await writeReports(values.journal, values.run, values.out))}\n`);
    return;
  }
  const sizes = values.users.split(',').map((size) => Number(size.trim()));
  const runs = Number(values.runs);
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0) || !Number.isInteger(runs) || runs <= 0) {
    throw new Error('--users takes positive integers separated by commas (10000,100000), --runs a positive integer.');
  }
  // Imported here, not at the top: it loads playwright-core (≈ 85 MiB of RSS), which the writer
  // child must not carry into its peak.
  const { buildApplyRun } = await import('./report-screenshot.js');
  const { CHROMIUM_PATH, launchChromium } = await import('../test/support/chromium.js');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} — install it with \`apt-get install chromium\`.`);

  const loadBefore = loadavg();
  const browser = await launchChromium();
  const chromiumVersion = browser.version();
  const results: SizeResult[] = [];
  try {
    for (const users of sizes) results.push(await measureSize(browser, buildApplyRun, users, runs));
  } finally {
    await browser.close();
  }
  const loadAfter = loadavg();

  process.stdout.write(`$ node ${process.argv.slice(1).join(' ')}  (runs ${String(runs)}${runs > 1 ? ', medians shown' : ''}; Chromium ${chromiumVersion})\n`);
  printTable(results);
  printVerdicts(results);
  process.stdout.write(`load average (1, 5, 15 min): before ${formatLoad(loadBefore)}, after ${formatLoad(loadAfter)}\n`);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/reports.json', `${JSON.stringify({
    measuredAt: new Date().toISOString(),
    node: process.version,
    chromium: chromiumVersion,
    command: process.argv.slice(1),
    loadAverage: { before: loadBefore, after: loadAfter },
    limits: { loadMs: LOAD_LIMIT_MS, searchMs: SEARCH_LIMIT_MS, writeMs: WRITE_LIMIT_MS, writerPeakRssBytes: WRITER_RSS_LIMIT_BYTES },
    results,
  }, null, 2)}\n`);
}

async function measureSize(browser: Browser, buildApplyRun: (journal: Journal, userCount: number) => string, users: number, runs: number): Promise<SizeResult> {
  const work = await mkdtemp(join(tmpdir(), 'mfa-reports-bench-'));
  try {
    const journalPath = join(work, 'mfa-migrate.db');
    const buildStart = performance.now();
    const journal = openJournal(journalPath, { clock: systemClock });
    let runId: string;
    let searchTerms: [string, string];
    try {
      runId = buildApplyRun(journal, users);
      searchTerms = searchTermsOf(journal.iterateUsers(runId), users);
    } finally {
      journal.close();
    }
    const journalBuildMs = performance.now() - buildStart;
    process.stderr.write(`${users.toLocaleString('en-US')} users: journal built in ${seconds(journalBuildMs)} s\n`);

    const measurements: RunMeasurement[] = [];
    for (let run = 0; run < runs; run += 1) {
      const written = await writeInChild(journalPath, runId, join(work, 'reports'));
      if (written.reportedUsers !== users) throw new Error(`the reports hold ${String(written.reportedUsers)} users, not ${String(users)}.`);
      const page = await browser.newPage({ viewport: VIEWPORT });
      try {
        const opened = await openReport(page, written.paths.html, Math.min(users, REPORT_PAGE_SIZE));
        const search = await searchUser(page, searchTerms[0]);
        const searchAgain = await searchUser(page, searchTerms[1]);
        measurements.push({
          writeMs: written.writeMs,
          writerRssBeforeBytes: written.rssBeforeBytes,
          writerPeakRssBytes: written.peakRssBytes,
          csvBytes: statSync(written.paths.reconciliationCsv).size,
          jsonBytes: statSync(written.paths.reconciliationJson).size,
          issuesBytes: statSync(written.paths.issuesCsv).size,
          htmlBytes: statSync(written.paths.html).size,
          xlsxBytes: statSync(written.paths.xlsx).size,
          ...opened,
          searchMs: search.pageMs,
          searchWallMs: search.wallMs,
          searchAgainMs: searchAgain.pageMs,
          searchAgainWallMs: searchAgain.wallMs,
        });
      } finally {
        await page.close();
      }
      process.stderr.write(`  run ${String(run + 1)}/${String(runs)} done\n`);
    }
    return { users, journalBuildMs, searchTerms, runs: measurements, median: mediansOf(measurements) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The journal's last user (a search cannot stop early) and the one in the middle. */
function searchTermsOf(stored: Iterable<{ readonly username: string }>, users: number): [string, string] {
  const middle = Math.floor(users / 2);
  let position = 0;
  let last = '';
  let inMiddle = '';
  for (const user of stored) {
    if (position === middle) inMiddle = user.username;
    last = user.username;
    position += 1;
  }
  return [last, inMiddle];
}

/** The child's side: open the journal, write the reports, say how long and how much memory. */
async function writeReports(journalPath: string, runId: string, out: string): Promise<WriterResult> {
  const journal = openJournal(journalPath, { clock: systemClock, mustExist: true });
  try {
    const rssBeforeBytes = process.memoryUsage.rss();
    const started = performance.now();
    const written = await writeRunReports(journal, runId, { dir: out, unmask: false });
    const writeMs = performance.now() - started;
    const paths: ReportPaths = {
      dir: written.dir, reconciliationCsv: written.reconciliationCsv, reconciliationJson: written.reconciliationJson, issuesCsv: written.issuesCsv, html: written.html, xlsx: written.xlsx,
    };
    // maxRSS is in KiB (getrusage(2)).
    return { writeMs, rssBeforeBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024, reportedUsers: written.summary.users, paths };
  } finally {
    journal.close();
  }
}

function writeInChild(journalPath: string, runId: string, out: string): Promise<WriterResult> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--writer', '--journal', journalPath, '--run', runId, '--out', out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => { output += chunk; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(output) as WriterResult);
      else reject(new Error(`the report writer exited with code ${String(code)}; its errors are above.`));
    });
  });
}

async function openReport(page: Page, htmlPath: string, firstPageRows: number): Promise<Pick<RunMeasurement, 'loadMs' | 'loadWallMs' | 'navigation' | 'pageHeapBytes'>> {
  // An init script runs as the document is created, before the report's own script, and is not
  // held to the report's Content-Security-Policy (which refuses Playwright's waitForFunction).
  await page.addInitScript(`window.loadProbe = new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('the table did not show its first ${String(firstPageRows)} rows within ${String(PAGE_TIMEOUT_MS)} ms')), ${String(PAGE_TIMEOUT_MS)});
    const observer = new MutationObserver(() => {
      const rows = document.getElementById('user-rows');
      if (rows === null || rows.childElementCount < ${String(firstPageRows)}) return;
      observer.disconnect();
      clearTimeout(timeout);
      resolve(performance.now());
    });
    observer.observe(document, { childList: true, subtree: true });
  });`);
  const started = performance.now();
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'commit' });
  // performance.now() in the page counts from the start of the navigation.
  const loadMs = await page.evaluate<number>('window.loadProbe');
  const loadWallMs = performance.now() - started;
  await page.waitForLoadState('load');
  const navigation = await page.evaluate<NavigationTimes>(`(() => {
    const [entry] = performance.getEntriesByType('navigation');
    return { responseEndMs: entry.responseEnd, domInteractiveMs: entry.domInteractive, domContentLoadedEndMs: entry.domContentLoadedEventEnd, loadEventEndMs: entry.loadEventEnd };
  })()`);
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    return { loadMs, loadWallMs, navigation, pageHeapBytes: heap.usedSize };
  } finally {
    await cdp.detach();
  }
}

/**
 * Arms a probe in the page (input event → the table holding only `username`'s row), types the
 * username into the search box and returns the probe's time and the wall-clock around it.
 */
async function searchUser(page: Page, username: string): Promise<{ readonly pageMs: number; readonly wallMs: number }> {
  await page.evaluate(`(() => {
    const rows = document.getElementById('user-rows');
    window.searchProbe = new Promise((resolve, reject) => {
      let typedAt = null;
      // Capturing on window: runs before the search box's own listener.
      window.addEventListener('input', () => { typedAt = performance.now(); }, { capture: true, once: true });
      const timeout = setTimeout(() => reject(new Error('the table did not show ' + ${JSON.stringify(username)} + ' alone within ${String(PAGE_TIMEOUT_MS)} ms')), ${String(PAGE_TIMEOUT_MS)});
      const observer = new MutationObserver(() => {
        const shown = rows.querySelectorAll('tr');
        if (typedAt === null || shown.length !== 1 || shown[0].cells[2].textContent !== ${JSON.stringify(username)}) return;
        const elapsed = performance.now() - typedAt;
        observer.disconnect();
        clearTimeout(timeout);
        resolve(elapsed);
      });
      observer.observe(rows, { childList: true });
    });
  })()`);
  const started = performance.now();
  await page.locator('#search').fill(username);
  const pageMs = await page.evaluate<number>('window.searchProbe');
  return { pageMs, wallMs: performance.now() - started };
}

const MEASURED_FIGURES: readonly MeasuredFigure[] = [
  'writeMs', 'writerRssBeforeBytes', 'writerPeakRssBytes', 'csvBytes', 'jsonBytes', 'issuesBytes', 'htmlBytes', 'xlsxBytes',
  'loadMs', 'loadWallMs', 'pageHeapBytes', 'searchMs', 'searchWallMs', 'searchAgainMs', 'searchAgainWallMs',
];

function mediansOf(runs: readonly RunMeasurement[]): Record<MeasuredFigure, number> {
  const medians: Partial<Record<MeasuredFigure, number>> = {};
  for (const figure of MEASURED_FIGURES) {
    const sorted = runs.map((run) => run[figure]).sort((a, b) => a - b);
    const upper = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    const lower = sorted[Math.ceil(sorted.length / 2) - 1] ?? upper;
    medians[figure] = (lower + upper) / 2;
  }
  return medians as Record<MeasuredFigure, number>;
}

function printTable(results: readonly SizeResult[]): void {
  const header = ['users', 'write s', 'writer peak RSS MiB', 'CSV MiB', 'JSON MiB', 'issues MiB', 'HTML MiB', 'xlsx MiB', 'load s', 'page heap MiB', 'search ms', 'search again ms'];
  const lines = results.map(({ users, median }) => [
    users.toLocaleString('en-US'), seconds(median.writeMs), mebibytes(median.writerPeakRssBytes, 0),
    mebibytes(median.csvBytes, 1), mebibytes(median.jsonBytes, 1), mebibytes(median.issuesBytes, 1), mebibytes(median.htmlBytes, 1), mebibytes(median.xlsxBytes, 1),
    seconds(median.loadMs), mebibytes(median.pageHeapBytes, 0), median.searchMs.toFixed(0), median.searchAgainMs.toFixed(0),
  ]);
  process.stdout.write(formatTable(header, lines, 'markdown'));
}

function printVerdicts(results: readonly SizeResult[]): void {
  for (const { users, median } of results) {
    const checks = [
      check('load', median.loadMs, LOAD_LIMIT_MS, `${seconds(median.loadMs)} s`, `${seconds(LOAD_LIMIT_MS)} s`),
      check('search', median.searchMs, SEARCH_LIMIT_MS, `${median.searchMs.toFixed(0)} ms`, `${String(SEARCH_LIMIT_MS)} ms`),
      check('search again', median.searchAgainMs, SEARCH_LIMIT_MS, `${median.searchAgainMs.toFixed(0)} ms`, `${String(SEARCH_LIMIT_MS)} ms`),
      check('write', median.writeMs, WRITE_LIMIT_MS, `${seconds(median.writeMs)} s`, `${seconds(WRITE_LIMIT_MS)} s`),
      check('writer peak RSS', median.writerPeakRssBytes, WRITER_RSS_LIMIT_BYTES, `${mebibytes(median.writerPeakRssBytes, 0)} MiB`, `${mebibytes(WRITER_RSS_LIMIT_BYTES, 0)} MiB`),
    ];
    const usable = checks.every((entry) => entry.within);
    process.stdout.write(`${users.toLocaleString('en-US')} users: ${usable ? 'usable' : 'NOT usable'} — ${checks.map((entry) => entry.text).join('; ')}; HTML ${(median.htmlBytes / users).toFixed(0)} bytes per user\n`);
  }
}

function check(name: string, value: number, limit: number, shown: string, shownLimit: string): { readonly within: boolean; readonly text: string } {
  const within = value <= limit;
  return { within, text: `${name} ${shown} ${within ? '≤' : '>'} ${shownLimit}` };
}

function seconds(milliseconds: number): string {
  return (milliseconds / 1000).toFixed(2);
}

function mebibytes(bytes: number, digits: number): string {
  return (bytes / MIB).toFixed(digits);
}

function formatLoad(load: readonly number[]): string {
  return load.map((value) => value.toFixed(2)).join(', ');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
