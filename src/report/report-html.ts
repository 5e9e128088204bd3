/**
 * report.html: one self-contained file — the run's summary (who must act: an admin, the user), a
 * chart of statuses, the issues grouped by code with cause and remedy (the anchors every code in
 * the page links to), and a searchable, sortable user table with each user's before → after and
 * writes in plain words. No network: CSS and script are inline and allowed by hash alone
 * (Content-Security-Policy `default-src 'none'`), the users are embedded as JSON. A rollback's
 * page speaks of undo steps; validate's lists the users the exports say something about.
 *
 * The summary, chart and issue groups are rendered here, so they read without the script; the
 * user table is rendered by the script (browser/report-page.ts, embedded as html-script.ts) a page
 * at a time from the embedded array, laid out as html-entry.ts says.
 */
import { createHash } from 'node:crypto';
import { FINDINGS } from '../findings.js';
import { OPERATION_KINDS, OPERATION_STATUSES, PLAN_STATUSES } from '../plan/operations.js';
import { CHANGED_BITS, htmlEntryOf, USER_ENTRY, type HtmlReportMeta } from './html-entry.js';
import { REPORT_SCRIPT } from './html-script.js';
import { REPORT_STYLE } from './html-style.js';
import { ISSUE_CATALOGUE, ISSUE_CODES, WHO_MUST_ACT, WHO_MUST_ACT_WORDS, type ReportIssueCode } from './issue-catalogue.js';
import { DEFAULT_METHOD_WORDS, OPERATION_STATUS_WORDS, OPERATION_WORDS, PHONE_TYPE_WORDS, UNDO_STATUS_WORDS } from './plain-words.js';
import type { ReportApp, ReportRun, ReportSummary } from './report-summary.js';
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
  migrated: '#1a7f37', planned: '#0969da', ready: '#0969da', restored: '#1a7f37', unchanged: '#818b98', partial: '#bf8700', kept: '#bf8700',
  conflict: '#d1631f', skipped: '#afb8c1', unmatched: '#8250df', rejected: '#a40e26', failed: '#cf222e', pending: '#6e7781',
};

/** What each status means, as the chart's tooltips say it. */
const STATUS_WORDS: Readonly<Record<ReportStatus, string>> = {
  migrated: 'every write done',
  planned: 'writes to send',
  ready: 'the exports give methods to migrate',
  restored: 'every undo step done',
  unchanged: 'Entra already holds everything',
  partial: 'some writes failed',
  kept: 'a change of the migration was left in place (reason given)',
  conflict: 'Entra holds a different value, kept',
  skipped: 'not migrated (disabled)',
  unmatched: 'no Entra user found',
  rejected: 'the export row cannot be used',
  failed: 'Graph refused a write, or the user could not be read',
  pending: 'undo steps not sent yet',
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
    displayName: value(user.displayName),
    upn: value(user.upn),
    entraUserId: value(user.entraUserId),
    status: REPORT_STATUSES.indexOf(user.status),
    statusIsFinal: user.statusSource === 'plan' ? 0 : 1,
    planStatus: user.planStatus === null ? -1 : PLAN_STATUSES.indexOf(user.planStatus),
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
  const json = JSON.stringify(value);
  // Most entries hold no `<`: the test spares a copy of each (a million users, a million copies).
  return json.includes('<') ? json.replaceAll('<', '\\u003c') : json;
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
  readonly run: ReportRun;
  readonly summary: ReportSummary;
  /** The apps the run's requests went out as; listed under the run line. */
  readonly apps: readonly ReportApp[];
  readonly afterBasis: AfterBasis;
  readonly unmask: boolean;
  readonly generatedAt: Date;
  /** The journal the report was read from; null for validate, which reads the exports alone. */
  readonly journalPath: string | null;
}

/** How the after column is titled, by what "after" means. */
const AFTER_TITLES: Readonly<Record<AfterBasis, string>> = { planned: 'After (planned)', applied: 'After', exports: 'Exports ask for' };

/**
 * The page around the users array: `head` comes before the array's JSON, `tail` after it. The
 * array itself is streamed between them (`[` entries joined by `,` `]`).
 */
export function htmlPage(facts: HtmlPageFacts): { readonly head: string; readonly tail: string } {
  const { run, summary } = facts;
  const undo = run.command === 'rollback';
  const statusWords = undo ? UNDO_STATUS_WORDS : OPERATION_STATUS_WORDS;
  const meta: HtmlReportMeta = {
    statuses: REPORT_STATUSES,
    planStatuses: PLAN_STATUSES,
    kinds: OPERATION_KINDS,
    kindWords: OPERATION_KINDS.map((kind) => OPERATION_WORDS[kind]),
    operationStatuses: OPERATION_STATUSES,
    operationStatusWords: OPERATION_STATUSES.map((status) => statusWords[status]),
    targetWords: { ...PHONE_TYPE_WORDS, ...DEFAULT_METHOD_WORDS },
    deviceOutcomes: DEVICE_OUTCOMES.map((outcome) => DEVICE_OUTCOME_WORDS[outcome]),
    codes: ISSUE_CODES.map((code) => ({ code, severity: ISSUE_CATALOGUE[code].severity, cause: ISSUE_CATALOGUE[code].cause, remedy: ISSUE_CATALOGUE[code].remedy, whoMustAct: WHO_MUST_ACT[code] })),
    afterBasis: facts.afterBasis,
    command: run.command,
    entry: USER_ENTRY,
    changed: CHANGED_BITS,
  };
  const title = `mfa-migrate ${run.command} ${run.id}`;
  const heading = undo ? `Rollback report — rollback run <code>${escapeHtml(run.id)}</code>` : `Reconciliation report — ${escapeHtml(run.command)} run <code>${escapeHtml(run.id)}</code>`;
  const actors = ([['admin', summary.usersAdminMustAct], ['user', summary.usersUserMustAct]] as const)
    .map(([who, n]) => `<option value="${who}">${WHO_MUST_ACT_WORDS[who]} (${count(n)})</option>`).join('');
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} — ${undo ? 'rollback' : 'reconciliation'} report</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>${heading}</h1>
<p class="sub">${escapeHtml(runLine(facts))}</p>${appsLine(facts.apps)}
${banners(facts)}
</header>
<main>
<section id="summary">
<h2>Summary</h2>
${cards(summary, undo)}
</section>
<div class="overview">
<section id="chart">
<h2>Users by status</h2>
${statusChart(summary)}
<p class="sub">Dashed badges in the table: no final status yet, the status is the plan's.</p>
</section>
<section id="operations">
<h2>${undo ? 'Undo steps' : 'Writes'}</h2>
${operationsTable(summary, facts.afterBasis, undo)}
</section>
</div>
${syncSection(summary)}<section id="issues">
<h2>Issues by code</h2>
<p class="sub">Each code's cause and what to do, as docs/troubleshooting.md gives them; every code in the user table links here.</p>
${issuesTable(summary)}
</section>
<section id="users">
<h2>Users</h2>
<div class="controls">
<label>Search <input id="search" type="search" placeholder="name, username, UPN or Entra object id" autocomplete="off" spellcheck="false"></label>
<label>Status <select id="status-filter"><option value="">all</option>${REPORT_STATUSES.map((status, index) => (summary.byStatus[status] === 0 ? '' : `<option value="${index}">${status} (${count(summary.byStatus[status])})</option>`)).join('')}</select></label>
<label>Issue <select id="code-filter"><option value="">any</option>${ISSUE_CODES.map((code, index) => {
    const users = summary.usersByIssue[code];
    return users === undefined ? '' : `<option value="${index}">${code} (${count(users)})</option>`;
  }).join('')}</select></label>
<label>Who must act <select id="action-filter"><option value="">anyone or no one</option>${actors}</select></label>
</div>
<p id="count" aria-live="polite"></p>
<p class="sub">Click a user to see their before → after.</p>
<div class="users-layout" id="users-layout">
<div>
<div class="table-wrap">
<table id="user-table">
<thead><tr>${[['line', 'Line'], ['name', 'Name'], ['username', 'Username'], ['upn', 'UPN'], ['status', 'Status'], ['mobile', facts.afterBasis === 'applied' ? 'Mobile' : `Mobile (${AFTER_TITLES[facts.afterBasis].toLowerCase()})`], ['preferred', 'Default sign-in method'], ['issues', 'Issues']]
    .map(([key = '', label = '']) => `<th data-sort="${key}" aria-sort="none"><button type="button">${label}</button></th>`).join('')}</tr></thead>
<tbody id="user-rows"></tbody>
</table>
</div>
<noscript><p>The user table needs JavaScript. The same facts are in reconciliation.xlsx, reconciliation.csv and reconciliation.json beside this file.</p></noscript>
<div class="pager"><button type="button" id="first">« First</button><button type="button" id="previous">‹ Previous</button><span id="page"></span><button type="button" id="next">Next ›</button><button type="button" id="last">Last »</button></div>
</div>
<aside id="detail" aria-live="polite" hidden></aside>
</div>
</section>
</main>
<footer>${footer(facts)}</footer>
<script type="application/json" id="report-meta">${scriptSafeJson(meta)}</script>
<script type="application/json" id="report-users">`;
  const tail = `</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
  return { head, tail };
}

function footer(facts: HtmlPageFacts): string {
  if (facts.journalPath === null) {
    return `Written by mfa-migrate validate from the exports alone at ${facts.generatedAt.toISOString()}; neither Graph nor a journal was read. Beside this file: reconciliation.xlsx (the issues, for Excel) and issues.csv (for scripts); \`validate --json\` gives every user.`;
  }
  const files = 'Beside this file: reconciliation.xlsx (for Excel), reconciliation.csv and issues.csv (for scripts), reconciliation.json.';
  const unmask = facts.unmask ? ' --unmask' : '';
  return `Written by mfa-migrate from the journal ${escapeHtml(facts.journalPath)} at ${facts.generatedAt.toISOString()}; Graph was not asked. ${files} Regenerate with <code>mfa-migrate report --run ${escapeHtml(facts.run.id)}${unmask}</code>.`;
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
    run.parentRunId === null ? null : `${run.command === 'rollback' ? 'undoes run' : 'from run'} ${run.parentRunId}`,
  ];
  return parts.filter((part) => part !== null).join(' · ');
}

/** Which app registrations sent the run's requests (audit): one line, empty when none is known. */
function appsLine(apps: readonly ReportApp[]): string {
  if (apps.length === 0) return '';
  const label = apps.length === 1 ? 'App' : `App pool (${String(apps.length)} apps)`;
  const list = apps.map((app) => `${app.name === null ? '' : `${app.name} `}${app.clientId}: ${count(app.operations)} operation${app.operations === 1 ? '' : 's'}`).join(' · ');
  return `\n<p class="sub">${escapeHtml(`${label}: ${list}`)}</p>`;
}

function banners(facts: HtmlPageFacts): string {
  const out: string[] = [];
  if (facts.afterBasis === 'planned') {
    out.push('<p class="banner">This is a plan (dry run): nothing was written to Entra. "After" shows what <code>apply</code> would write.</p>');
  }
  if (facts.afterBasis === 'exports') {
    const unlisted = facts.summary.users - facts.summary.listed;
    out.push(`<p class="banner">This is <code>validate</code>: the exports read offline. Entra was not read and nothing was written; "Exports ask for" shows what the exports give each user. The table lists the ${count(facts.summary.listed)} users the exports say something about${unlisted === 0 ? '' : `; the other ${count(unlisted)} have no finding and are counted in the summary only`}. <code>mfa-migrate plan</code> compares every user with Entra.</p>`);
  }
  if (facts.run.command === 'rollback') {
    out.push(`<p class="banner">This rollback undoes apply run <code>${escapeHtml(facts.run.parentRunId ?? '')}</code>. It lists only the users that run wrote to, each undo step and what became of it: undone, kept (with the reason) or failed. "Before" is what Entra held when the rollback read the user, "after" what it holds after the undo. The findings about the exports are in the apply run's report.</p>`);
  }
  if (facts.run.status !== 'finished') {
    out.push(`<p class="banner warn">The run is ${escapeHtml(facts.run.status)}: this report shows it as far as the journal recorded it.</p>`);
  }
  out.push(facts.unmask
    ? '<p class="banner warn">Phone numbers are shown in full (<code>--unmask</code>): handle this file as confidential.</p>'
    : '<p class="banner">Phone numbers are masked (country code and last four digits). <code>mfa-migrate report --unmask</code> writes a copy with them in full, in a folder of its own.</p>');
  return out.join('\n');
}

function cards(summary: ReportSummary, undo: boolean): string {
  const operations = Object.values(summary.operations).reduce((sum, byStatus) => sum + Object.values(byStatus).reduce((inner, n) => inner + n, 0), 0);
  const issues = Object.values(summary.issues).reduce((sum, n) => sum + n, 0);
  const items: [label: string, n: number, title: string][] = [
    ['users', summary.users, ''],
    ['admin must act', summary.usersAdminMustAct, 'Users with an issue an admin must fix: an export, a tenant setting, a failed write.'],
    ['user must act', summary.usersUserMustAct, 'Users who must act themselves at https://aka.ms/mysecurityinfo, such as register Microsoft Authenticator again.'],
    ['rows in issues.csv', summary.issueRows, ''],
    ['issues', issues, ''],
    [undo ? 'undo steps' : 'writes', operations, ''],
  ];
  if (summary.fileIssues !== null) items.push(['findings about whole files', summary.fileIssues, '']);
  return `<div class="cards">${items.map(([label, n, title]) => `<div class="card"${title === '' ? '' : ` title="${escapeHtml(title)}"`}><div class="n">${count(n)}</div><div class="l">${escapeHtml(label)}</div></div>`).join('')}</div>`;
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
    return `<g class="bar" data-status-index="${REPORT_STATUSES.indexOf(status)}" role="button" tabindex="0"><title>Show the ${status} users: ${STATUS_WORDS[status]}</title>`
      + `<text x="0" y="${middle}">${status}</text>`
      + `<rect x="${CHART.labelWidth}" y="${y}" width="${barSpace}" height="${CHART.barHeight}" fill="#f6f8fa"></rect>`
      + `<rect class="fill" x="${CHART.labelWidth}" y="${y}" width="${width}" height="${CHART.barHeight}" rx="3" fill="${STATUS_COLOURS[status]}"></rect>`
      + `<text x="${CHART.labelWidth + barSpace + 8}" y="${middle}">${count(n)} (${percent} %)</text></g>`;
  });
  return `<svg class="chart" role="img" aria-label="Users by status" width="${CHART.width}" height="${height}" viewBox="0 0 ${CHART.width} ${height}">${bars.join('')}</svg>`;
}

function operationsTable(summary: ReportSummary, basis: AfterBasis, undo: boolean): string {
  const kinds = OPERATION_KINDS.filter((kind) => summary.operations[kind] !== undefined);
  if (kinds.length === 0) {
    if (basis === 'exports') return '<p class="empty">None: validate reads the exports only. <code>mfa-migrate plan</code> shows the writes.</p>';
    return `<p class="empty">No ${basis === 'planned' ? 'planned ' : ''}${undo ? 'undo steps' : 'writes'}.</p>`;
  }
  const words = undo ? UNDO_STATUS_WORDS : OPERATION_STATUS_WORDS;
  const statuses = OPERATION_STATUSES.filter((status) => kinds.some((kind) => (summary.operations[kind]?.[status] ?? 0) > 0));
  // Two statuses can share words (planned and skipped are both "not sent"): the status stays in the title.
  const header = `<tr><th>${undo ? 'undo step' : 'write'}</th>${statuses.map((status) => `<th class="num" title="${status}">${escapeHtml(words[status])}</th>`).join('')}</tr>`;
  const rows = kinds.map((kind) => `<tr><td>${escapeHtml(OPERATION_WORDS[kind])} <code class="api">${kind}</code></td>${statuses.map((status) => `<td class="num">${count(summary.operations[kind]?.[status] ?? 0)}</td>`).join('')}</tr>`);
  return `<table>${header}${rows.join('')}</table>`;
}

function issuesTable(summary: ReportSummary): string {
  const present = ISSUE_CODES.filter((code) => summary.issues[code] !== undefined);
  if (present.length === 0) return '<p class="empty">No issues.</p>';
  // Codes an admin must act on first, then the user's, then by severity, then the most frequent.
  const actorRank = (code: ReportIssueCode): number => (WHO_MUST_ACT[code] === 'admin' ? 0 : WHO_MUST_ACT[code] === 'user' ? 1 : 2);
  const rank = { error: 0, warning: 1, notice: 2 } as const;
  const ordered = [...present].sort((a, b) => actorRank(a) - actorRank(b)
    || rank[ISSUE_CATALOGUE[a].severity] - rank[ISSUE_CATALOGUE[b].severity]
    || (summary.issues[b] ?? 0) - (summary.issues[a] ?? 0));
  const rows = ordered.map((code: ReportIssueCode) => {
    const entry = ISSUE_CATALOGUE[code];
    const where = code in FINDINGS ? 'finding' : 'write';
    const who = WHO_MUST_ACT[code];
    return `<tr id="code-${code}"><td><a class="code" href="#code-${code}"><code>${code}</code></a><br><span class="sev ${entry.severity}">${entry.severity}</span> <span class="sub">${where}</span></td>`
      + `<td class="num">${count(summary.issues[code] ?? 0)}</td><td class="num">${count(summary.usersByIssue[code] ?? 0)}</td>`
      + `<td>${who === null ? 'no one' : `<span class="action">${WHO_MUST_ACT_WORDS[who]}</span>`}</td>`
      + `<td class="text">${escapeHtml(entry.cause)}</td><td class="text">${escapeHtml(entry.remedy)}</td>`
      + `<td><button type="button" class="link" data-code-index="${ISSUE_CODES.indexOf(code)}">Show users</button></td></tr>`;
  });
  return `<table class="issues"><tr><th>code</th><th class="num">times</th><th class="num">users</th><th>who must act</th><th>cause</th><th>what to do</th><th></th></tr>${rows.join('')}</table>`;
}
