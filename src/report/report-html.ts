/**
 * report.html (DESIGN §8): one self-contained file — the run's summary, a chart of statuses, the
 * issues grouped by code with cause and remedy, and a searchable, sortable user table with each
 * user's before → after. No network: CSS and script are inline and allowed by hash alone
 * (Content-Security-Policy `default-src 'none'`), the users are embedded as JSON.
 *
 * The summary, chart and issue groups are rendered here, so they read without the script; the
 * user table is rendered by the script (browser/report-page.ts, embedded as html-script.ts) a page
 * at a time from the embedded array, laid out as html-entry.ts says.
 */
import { createHash } from 'node:crypto';
import { FINDINGS } from '../findings.js';
import type { RunRecord } from '../run-records.js';
import { OPERATION_KINDS, OPERATION_STATUSES, PLAN_STATUSES } from '../plan/operations.js';
import { CHANGED_BITS, htmlEntryOf, USER_ENTRY, type HtmlReportMeta } from './html-entry.js';
import { REPORT_SCRIPT } from './html-script.js';
import { REPORT_STYLE } from './html-style.js';
import { ACTION_NEEDED, ISSUE_CATALOGUE, ISSUE_CODES, type ReportIssueCode } from './issue-catalogue.js';
import type { ReportSummary } from './report-summary.js';
import { REPORT_STATUSES, type ChangedMethod, type ReportDevices, type ReportStatus, type ReportUser } from './report-user.js';
import type { AfterBasis } from './user-changes.js';

const DEVICE_OUTCOMES: readonly (keyof ReportDevices)[] = ['kept', 'reregistrationRequired', 'dropped', 'notChecked'];
/** Every method the report compares has its bit: a method added to ChangedMethod does not compile until it has one. */
const CHANGED: Readonly<Record<ChangedMethod, number>> = CHANGED_BITS;
const DEVICE_OUTCOME_WORDS: Readonly<Record<keyof ReportDevices, string>> = {
  kept: 'kept (already registered in Entra)',
  reregistrationRequired: 'must be registered again',
  dropped: 'dropped (over the device limit)',
  notChecked: 'not compared with Entra',
};

/** Colours of the chart, the same as the badges of the stylesheet. */
const STATUS_COLOURS: Readonly<Record<ReportStatus, string>> = {
  migrated: '#1a7f37', planned: '#0969da', unchanged: '#818b98', partial: '#bf8700', conflict: '#d1631f',
  skipped: '#afb8c1', unmatched: '#8250df', rejected: '#a40e26', failed: '#cf222e',
};

/** One user in the embedded array: the tuple of html-entry.ts (USER_ENTRY says where each field sits). */
export function htmlUserEntry(user: ReportUser): string {
  const value = (text: string | null): string => text ?? '';
  const devices: [string, number][] = [];
  DEVICE_OUTCOMES.forEach((outcome, index) => {
    for (const name of user.devices[outcome]) devices.push([name, index]);
  });
  const { mobile, alternateMobile, office } = user.phones;
  return scriptSafeJson(htmlEntryOf({
    line: user.line,
    username: user.username,
    upn: value(user.upn),
    entraUserId: value(user.entraUserId),
    status: REPORT_STATUSES.indexOf(user.status),
    statusIsFinal: user.statusSource === 'final' ? 1 : 0,
    planStatus: PLAN_STATUSES.indexOf(user.planStatus),
    phones: [value(mobile.before), value(mobile.after), value(alternateMobile.before), value(alternateMobile.after), value(office.before), value(office.after)],
    preferredMethod: [value(user.preferredMethod.before), value(user.preferredMethod.after)],
    devices,
    hardwareTokens: user.hardwareTokens.map((token) => [token.serialNumber, value(token.before), value(token.after)] as const),
    issues: user.issues.map((issue) => [ISSUE_CODES.indexOf(issue.code), issue.message] as const),
    operations: user.operations.map((operation) => [
      OPERATION_KINDS.indexOf(operation.kind), operation.target, OPERATION_STATUSES.indexOf(operation.status), value(operation.phoneNumber),
      value(operation.requestId), value(operation.graphCode), value(operation.errorMessage),
    ] as const),
    changed: user.changed.reduce((bits, method) => bits | CHANGED[method], 0),
  }));
}

/**
 * JSON that cannot end its `<script>` element: `<` written as `\u003c`, so neither `</script>`
 * nor `<!--` can appear in the data, whatever a username holds.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** Text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Only the page's own style and script; no request of any kind can leave the page. */
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${hashSource(REPORT_STYLE)}; script-src ${hashSource(REPORT_SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;

export interface HtmlPageFacts {
  readonly run: RunRecord;
  readonly summary: ReportSummary;
  readonly afterBasis: AfterBasis;
  readonly unmask: boolean;
  readonly generatedAt: Date;
  readonly journalPath: string;
}

/**
 * The page around the users array: `head` comes before the array's JSON, `tail` after it. The
 * array itself is streamed between them (`[` entries joined by `,` `]`).
 */
export function htmlPage(facts: HtmlPageFacts): { readonly head: string; readonly tail: string } {
  const { run, summary } = facts;
  const meta: HtmlReportMeta = {
    statuses: REPORT_STATUSES,
    planStatuses: PLAN_STATUSES,
    kinds: OPERATION_KINDS,
    operationStatuses: OPERATION_STATUSES,
    deviceOutcomes: DEVICE_OUTCOMES.map((outcome) => DEVICE_OUTCOME_WORDS[outcome]),
    codes: ISSUE_CODES.map((code) => ({ code, severity: ISSUE_CATALOGUE[code].severity, cause: ISSUE_CATALOGUE[code].cause, remedy: ISSUE_CATALOGUE[code].remedy, actionNeeded: ACTION_NEEDED[code] })),
    afterBasis: facts.afterBasis,
    entry: USER_ENTRY,
    changed: CHANGED_BITS,
  };
  const title = `mfa-migrate ${run.command} ${run.id}`;
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} — reconciliation report</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>Reconciliation report — ${escapeHtml(run.command)} run <code>${escapeHtml(run.id)}</code></h1>
<p class="sub">${escapeHtml(runLine(facts))}</p>
${banners(facts)}
</header>
<main>
<section id="summary">
<h2>Summary</h2>
${cards(summary)}
</section>
<div class="overview">
<section id="chart">
<h2>Users by status</h2>
${statusChart(summary)}
<p class="sub">Dashed badges in the table: no final status yet, the status is the plan's.</p>
</section>
<section id="operations">
<h2>Writes</h2>
${operationsTable(summary, facts.afterBasis)}
</section>
</div>
${syncSection(summary)}<section id="issues">
<h2>Issues by code</h2>
${issuesTable(summary)}
</section>
<section id="users">
<h2>Users</h2>
<div class="controls">
<label>Search <input id="search" type="search" placeholder="username, UPN or Entra object id" autocomplete="off" spellcheck="false"></label>
<label>Status <select id="status-filter"><option value="">all</option>${REPORT_STATUSES.map((status, index) => (summary.byStatus[status] === 0 ? '' : `<option value="${index}">${status} (${count(summary.byStatus[status])})</option>`)).join('')}</select></label>
<label>Issue <select id="code-filter"><option value="">any</option>${ISSUE_CODES.map((code, index) => {
    const users = summary.usersByIssue[code];
    return users === undefined ? '' : `<option value="${index}">${code} (${count(users)})</option>`;
  }).join('')}</select></label>
<label><input id="action-filter" type="checkbox"> needing action only</label>
</div>
<p id="count" aria-live="polite"></p>
<p class="sub">Click a user to see their before → after.</p>
<div class="users-layout" id="users-layout">
<div>
<div class="table-wrap">
<table id="user-table">
<thead><tr>${[['line', 'Line'], ['username', 'Username'], ['upn', 'UPN'], ['status', 'Status'], ['mobile', facts.afterBasis === 'planned' ? 'Mobile (planned)' : 'Mobile'], ['preferred', 'Default method'], ['issues', 'Issues']]
    .map(([key = '', label = '']) => `<th data-sort="${key}" aria-sort="none"><button type="button">${label}</button></th>`).join('')}</tr></thead>
<tbody id="user-rows"></tbody>
</table>
</div>
<noscript><p>The user table needs JavaScript. The same facts are in reconciliation.csv and reconciliation.json beside this file.</p></noscript>
<div class="pager"><button type="button" id="first">« First</button><button type="button" id="previous">‹ Previous</button><span id="page"></span><button type="button" id="next">Next ›</button><button type="button" id="last">Last »</button></div>
</div>
<aside id="detail" aria-live="polite" hidden></aside>
</div>
</section>
</main>
<footer>Written by mfa-migrate from the journal ${escapeHtml(facts.journalPath)} at ${facts.generatedAt.toISOString()}; Graph was not asked. Regenerate with <code>mfa-migrate report --run ${escapeHtml(run.id)}</code>.</footer>
<script type="application/json" id="report-meta">${scriptSafeJson(meta)}</script>
<script type="application/json" id="report-users">`;
  const tail = `</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
  return { head, tail };
}

/** Users of the "no longer in the export" list drawn on the page; reconciliation.json holds them all. */
const LEFT_SHOWN = 1_000;

/** A sync cycle: whom it read and why, and the users no longer in the export (never touched). */
function syncSection(summary: ReportSummary): string {
  const { sync } = summary;
  if (sync === null) return '';
  const chosen = `${count(sync.inExport)} users in the export: ${count(sync.unchanged)} unchanged (not read from Graph), ${count(sync.new)} new, ${count(sync.changed)} changed, `
    + `${count(sync.retried)} retried (not final last time), ${count(sync.rechecked)} rechecked, ${count(sync.outOfScope)} out of scope. Only the users read are in the table below.`;
  const left = sync.left.length === 0
    ? '<p class="empty">Nobody left the export since the last run.</p>'
    : `<table><tr><th>username</th><th>UPN</th><th>Entra object id</th><th>last recorded by run</th></tr>${sync.left.slice(0, LEFT_SHOWN).map((user) => `<tr><td>${escapeHtml(user.username)}</td><td>${escapeHtml(user.upn ?? '')}</td><td>${escapeHtml(user.entraUserId ?? '')}</td><td><code>${escapeHtml(user.lastRunId)}</code></td></tr>`).join('')}</table>`
      + (sync.left.length > LEFT_SHOWN ? `<p class="sub">The first ${count(LEFT_SHOWN)} of ${count(sync.left.length)}; reconciliation.json lists them all.</p>` : '');
  return `<section id="sync">
<h2>Sync</h2>
<p>${escapeHtml(chosen)}</p>
<h3>No longer in the export (${count(sync.left.length)})</h3>
<p class="sub">In an earlier run's export, not in this one: their methods in Entra are left as they are.</p>
${left}
</section>
`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function runLine(facts: HtmlPageFacts): string {
  const { run } = facts;
  const parts = [
    `status ${run.status}`,
    `started ${run.startedAt.toISOString()}`,
    run.finishedAt === null ? 'not finished' : `finished ${run.finishedAt.toISOString()}`,
    run.tenantId === null ? null : `tenant ${run.tenantId}`,
    run.graphUrl === null ? null : `Graph ${run.graphUrl}`,
    run.parentRunId === null ? null : `from run ${run.parentRunId}`,
  ];
  return parts.filter((part) => part !== null).join(' · ');
}

function banners(facts: HtmlPageFacts): string {
  const out: string[] = [];
  if (facts.afterBasis === 'planned') {
    out.push('<p class="banner">This is a plan (dry run): nothing was written to Entra. "After" shows what <code>apply</code> would write.</p>');
  }
  if (facts.run.status !== 'finished') {
    out.push(`<p class="banner warn">The run is ${escapeHtml(facts.run.status)}: this report shows it as far as the journal recorded it.</p>`);
  }
  out.push(facts.unmask
    ? '<p class="banner warn">Phone numbers are shown in full (<code>--unmask</code>): handle this file as confidential.</p>'
    : '<p class="banner">Phone numbers are masked (country code and last four digits). <code>mfa-migrate report --unmask</code> shows them in full.</p>');
  return out.join('\n');
}

function cards(summary: ReportSummary): string {
  const operations = Object.values(summary.operations).reduce((sum, byStatus) => sum + Object.values(byStatus).reduce((inner, n) => inner + n, 0), 0);
  const issues = Object.values(summary.issues).reduce((sum, n) => sum + n, 0);
  const items: [string, number][] = [
    ['users', summary.users],
    ['need action', summary.usersNeedingAction],
    ['rows in issues.csv', summary.issueRows],
    ['issues', issues],
    ['writes', operations],
  ];
  if (summary.fileIssues !== null) items.push(['findings about whole files', summary.fileIssues]);
  return `<div class="cards">${items.map(([label, n]) => `<div class="card"><div class="n">${count(n)}</div><div class="l">${escapeHtml(label)}</div></div>`).join('')}</div>`;
}

/** SVG geometry of the status chart, in CSS pixels. */
const CHART = { width: 560, labelWidth: 96, countWidth: 110, barHeight: 20, gap: 6 } as const;

function statusChart(summary: ReportSummary): string {
  const shown = REPORT_STATUSES.filter((status) => summary.byStatus[status] > 0);
  if (shown.length === 0) return '<p class="empty">The run has no users.</p>';
  const most = Math.max(...shown.map((status) => summary.byStatus[status]));
  const barSpace = CHART.width - CHART.labelWidth - CHART.countWidth;
  const height = shown.length * (CHART.barHeight + CHART.gap);
  const bars = shown.map((status, row) => {
    const n = summary.byStatus[status];
    const y = row * (CHART.barHeight + CHART.gap);
    // At least one pixel, so a status with a handful of users among 100,000 is still visible.
    const width = Math.max(1, Math.round((n / most) * barSpace));
    const percent = ((n / summary.users) * 100).toFixed(n === summary.users ? 0 : 1);
    const middle = y + CHART.barHeight / 2 + 4;
    return `<g class="bar" data-status-index="${REPORT_STATUSES.indexOf(status)}" role="button" tabindex="0"><title>Show the ${status} users</title>`
      + `<text x="0" y="${middle}">${status}</text>`
      + `<rect x="${CHART.labelWidth}" y="${y}" width="${barSpace}" height="${CHART.barHeight}" fill="#f6f8fa"></rect>`
      + `<rect class="fill" x="${CHART.labelWidth}" y="${y}" width="${width}" height="${CHART.barHeight}" rx="3" fill="${STATUS_COLOURS[status]}"></rect>`
      + `<text x="${CHART.labelWidth + barSpace + 8}" y="${middle}">${count(n)} (${percent} %)</text></g>`;
  });
  return `<svg class="chart" role="img" aria-label="Users by status" width="${CHART.width}" height="${height}" viewBox="0 0 ${CHART.width} ${height}">${bars.join('')}</svg>`;
}

function operationsTable(summary: ReportSummary, basis: AfterBasis): string {
  const kinds = OPERATION_KINDS.filter((kind) => summary.operations[kind] !== undefined);
  if (kinds.length === 0) return `<p class="empty">No ${basis === 'planned' ? 'planned ' : ''}writes.</p>`;
  const statuses = OPERATION_STATUSES.filter((status) => kinds.some((kind) => (summary.operations[kind]?.[status] ?? 0) > 0));
  const header = `<tr><th>write</th>${statuses.map((status) => `<th class="num">${status}</th>`).join('')}</tr>`;
  const rows = kinds.map((kind) => `<tr><td>${kind}</td>${statuses.map((status) => `<td class="num">${count(summary.operations[kind]?.[status] ?? 0)}</td>`).join('')}</tr>`);
  return `<table>${header}${rows.join('')}</table>`;
}

function issuesTable(summary: ReportSummary): string {
  const present = ISSUE_CODES.filter((code) => summary.issues[code] !== undefined);
  if (present.length === 0) return '<p class="empty">No issues.</p>';
  // Codes that need action first, then by severity, then the most frequent.
  const rank = { error: 0, warning: 1, notice: 2 } as const;
  const ordered = [...present].sort((a, b) => Number(ACTION_NEEDED[b]) - Number(ACTION_NEEDED[a])
    || rank[ISSUE_CATALOGUE[a].severity] - rank[ISSUE_CATALOGUE[b].severity]
    || (summary.issues[b] ?? 0) - (summary.issues[a] ?? 0));
  const rows = ordered.map((code: ReportIssueCode) => {
    const entry = ISSUE_CATALOGUE[code];
    const where = code in FINDINGS ? 'finding' : 'write';
    return `<tr><td><code>${code}</code><br><span class="sev ${entry.severity}">${entry.severity}</span> <span class="sub">${where}</span></td>`
      + `<td class="num">${count(summary.issues[code] ?? 0)}</td><td class="num">${count(summary.usersByIssue[code] ?? 0)}</td>`
      + `<td>${ACTION_NEEDED[code] ? '<span class="action">yes</span>' : 'no'}</td>`
      + `<td class="text">${escapeHtml(entry.cause)}</td><td class="text">${escapeHtml(entry.remedy)}</td>`
      + `<td><button type="button" class="link" data-code-index="${ISSUE_CODES.indexOf(code)}">Show users</button></td></tr>`;
  });
  return `<table class="issues"><tr><th>code</th><th class="num">times</th><th class="num">users</th><th>action</th><th>cause</th><th>what to do</th><th></th></tr>${rows.join('')}</table>`;
}
