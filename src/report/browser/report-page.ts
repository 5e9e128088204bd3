/**
 * The script of report.html, type-checked against the DOM library (this folder's tsconfig.json)
 * and embedded in the page as `src/report/html-script.ts`, which `npm run generate` writes from
 * this file (a test fails when it is stale); the page allows it by the hash of that exact text.
 *
 * It must stay usable at 100,000 users: the users are one embedded JSON array of tuples (layout in
 * ../html-entry.ts, whose positions arrive in the page's metadata), filtered and sorted as an
 * index array, and only the rows of the page shown (PAGE_SIZE) and the one user clicked ever
 * become DOM. Every value from the journal is set with textContent, never parsed as HTML.
 */
import type { HtmlReportMeta, HtmlUserEntry } from '../html-entry.js';

/** Rows per page: a page is rebuilt in well under a frame. */
const PAGE_SIZE = 100;
/** Typing pauses this long before the array is filtered again. */
const SEARCH_DELAY_MS = 150;

type SortKey = 'line' | 'name' | 'username' | 'upn' | 'status' | 'mobile' | 'preferred' | 'issues';

function isSortKey(value: string | undefined): value is SortKey {
  return value === 'line' || value === 'name' || value === 'username' || value === 'upn' || value === 'status' || value === 'mobile' || value === 'preferred' || value === 'issues';
}

/**
 * Letters that Unicode does not decompose into a base letter and a mark, as people type them
 * without the keyboard for them: "lukasz" finds "Łukasz", "oyvind" finds "Øyvind".
 */
const LETTERS_WITHOUT_DECOMPOSITION: Readonly<Record<string, string>> = {
  ł: 'l', đ: 'd', ð: 'd', ø: 'o', ħ: 'h', ı: 'i', ŀ: 'l', ŧ: 't', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th',
};

/** Text as search compares it: lower case, accents and marks removed, the letters above spelled out. */
function fold(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/[łđðøħıŀŧßæœþ]/gu, (letter) => LETTERS_WITHOUT_DECOMPOSITION[letter] ?? letter);
}

/** An element the page must have, of the type the script needs. */
function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`report.html has no ${type.name} #${id}`);
  return found;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string | null, text?: string | number | null): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== undefined && className !== null && className !== '') node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function orDash(value: string | number): string | number {
  return value === '' ? '—' : value;
}

function main(): void {
  const meta = JSON.parse(byId('report-meta', HTMLScriptElement).textContent) as HtmlReportMeta;
  const users = JSON.parse(byId('report-users', HTMLScriptElement).textContent) as readonly HtmlUserEntry[];
  const { codes, entry: E, changed: CHANGED } = meta;
  const numberFormat = new Intl.NumberFormat('en-US');
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  const mustAct = (user: HtmlUserEntry, who: string): boolean => user[E.issues].some(([code]) => codes[code]?.whoMustAct === who);
  const targetWords = (target: string): string => meta.targetWords[target] ?? target;
  /** "text message (sms)": a default method in words beside Graph's name. */
  const methodInWords = (method: string): string => (method === '' ? '' : meta.targetWords[method] === undefined ? method : `${targetWords(method)} (${method})`);
  const codeLink = (codeIndex: number): HTMLElement => {
    const code = codes[codeIndex]?.code ?? '';
    const link = element('a', 'code');
    link.href = `#code-${code}`;
    link.title = codes[codeIndex]?.cause ?? '';
    link.append(element('code', null, code));
    return link;
  };

  const state = { query: '', status: -1, code: -1, actor: '', sortKey: 'line' as SortKey, sortDirection: 1, page: 0, selected: -1 };
  let view: number[] = [];
  let haystack: string[] | null = null;

  const sortKeys: Readonly<Record<SortKey, (user: HtmlUserEntry) => string | number>> = {
    line: (user) => user[E.line],
    name: (user) => user[E.displayName],
    username: (user) => user[E.username],
    upn: (user) => user[E.upn],
    status: (user) => user[E.status],
    mobile: (user) => user[E.phones][1],
    preferred: (user) => user[E.preferredMethod][1],
    issues: (user) => user[E.issues].length,
  };

  function filter(): void {
    // Every word typed must be found: "lukasz hill" finds "Łukasz Hill" and lukasz.hill1@contoso.com.
    const terms = fold(state.query).split(/\s+/u).filter((term) => term !== '');
    if (terms.length > 0 && haystack === null) {
      haystack = users.map((user) => fold(`${user[E.displayName]}\n${user[E.username]}\n${user[E.upn]}\n${user[E.entraUserId]}`));
    }
    const shown: number[] = [];
    users.forEach((user, index) => {
      if (state.status >= 0 && user[E.status] !== state.status) return;
      if (state.code >= 0 && !user[E.issues].some(([code]) => code === state.code)) return;
      if (state.actor !== '' && !mustAct(user, state.actor)) return;
      const text = haystack?.[index] ?? '';
      if (!terms.every((term) => text.includes(term))) return;
      shown.push(index);
    });
    const key = sortKeys[state.sortKey];
    const direction = state.sortDirection;
    const at = (index: number): HtmlUserEntry => users[index] as HtmlUserEntry;
    shown.sort((a, b) => {
      const x = key(at(a));
      const y = key(at(b));
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return order * direction || at(a)[E.line] - at(b)[E.line];
    });
    view = shown;
    state.page = 0;
    render();
  }

  function statusBadge(user: HtmlUserEntry): HTMLSpanElement {
    const name = meta.statuses[user[E.status]] ?? '';
    const final = user[E.statusIsFinal] === 1;
    const badge = element('span', `badge s-${name}${final ? '' : ' from-plan'}`, name);
    badge.title = final ? 'status of this run' : 'plan status (no final status recorded)';
    return badge;
  }

  function render(): void {
    const rows = byId('user-rows', HTMLTableSectionElement);
    const pages = Math.max(1, Math.ceil(view.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE_SIZE;
    const slice = view.slice(start, start + PAGE_SIZE);
    const fragment = document.createDocumentFragment();
    for (const index of slice) {
      const user = users[index];
      if (user === undefined) continue;
      const row = element('tr');
      row.dataset['index'] = String(index);
      row.tabIndex = 0;
      if (index === state.selected) row.className = 'selected';
      row.append(element('td', 'num', user[E.line]), element('td', null, orDash(user[E.displayName])), element('td', null, user[E.username]), element('td', null, orDash(user[E.upn])));
      const status = element('td');
      status.append(statusBadge(user));
      const issueCodes = [...new Set(user[E.issues].map(([code]) => code))];
      const issues = element('td', null, issueCodes.length === 0 ? '—' : null);
      issueCodes.forEach((code, at) => {
        if (at > 0) issues.append(document.createTextNode(', '));
        issues.append(codeLink(code));
      });
      issues.title = issueCodes.map((code) => codes[code]?.code ?? '').join('\n');
      row.append(status, element('td', 'mono', orDash(user[E.phones][1])), element('td', null, orDash(methodInWords(user[E.preferredMethod][1]))), issues);
      fragment.append(row);
    }
    rows.replaceChildren(fragment);
    byId('count', HTMLParagraphElement).textContent = view.length === 0
      ? 'No user matches.'
      : `Users ${numberFormat.format(start + 1)}–${numberFormat.format(start + slice.length)} of ${numberFormat.format(view.length)}`
        + (view.length === users.length ? '' : ` (filtered from ${numberFormat.format(users.length)})`);
    byId('page', HTMLSpanElement).textContent = `Page ${numberFormat.format(state.page + 1)} of ${numberFormat.format(pages)}`;
    const atStart = state.page === 0;
    const atEnd = state.page >= pages - 1;
    byId('first', HTMLButtonElement).disabled = atStart;
    byId('previous', HTMLButtonElement).disabled = atStart;
    byId('next', HTMLButtonElement).disabled = atEnd;
    byId('last', HTMLButtonElement).disabled = atEnd;
    for (const header of document.querySelectorAll<HTMLTableCellElement>('#user-table th[data-sort]')) {
      header.setAttribute('aria-sort', header.dataset['sort'] === state.sortKey ? (state.sortDirection > 0 ? 'ascending' : 'descending') : 'none');
    }
  }

  function facts(pairs: readonly (readonly [string, string | number])[]): HTMLDListElement {
    const list = element('dl', 'facts');
    for (const [term, value] of pairs) list.append(element('dt', null, term), element('dd', null, orDash(value)));
    return list;
  }

  function select(index: number): void {
    const user = users[index];
    if (user === undefined) return;
    state.selected = index;
    for (const row of byId('user-rows', HTMLTableSectionElement).children) {
      if (row instanceof HTMLElement) row.classList.toggle('selected', Number(row.dataset['index']) === index);
    }
    const panel = byId('detail', HTMLElement);
    const close = element('button', 'link', 'Close');
    close.type = 'button';
    close.addEventListener('click', () => {
      state.selected = -1;
      panel.replaceChildren();
      panel.hidden = true;
      byId('users-layout', HTMLDivElement).classList.remove('with-detail');
      render();
    });
    const status = element('dd');
    status.append(statusBadge(user), document.createTextNode(user[E.statusIsFinal] === 1 ? '' : ' (from the plan)'));
    const identity = facts([
      ['Name', user[E.displayName]],
      ['UPN', user[E.upn]],
      ['Entra object id', user[E.entraUserId]],
      ['Users file line', user[E.line]],
      ['Plan status', meta.planStatuses[user[E.planStatus]] ?? ''],
      ['Who must act', ['admin', 'user'].filter((who) => mustAct(user, who)).map((who) => `${who} must act`).join(', ')],
    ]);
    identity.prepend(element('dt', null, 'Status'), status);

    const changes = element('table', 'changes');
    const head = element('tr');
    const afterTitle = meta.afterBasis === 'planned' ? 'After (planned)' : meta.afterBasis === 'exports' ? 'Exports ask for' : 'After';
    head.append(element('th', null, ''), element('th', null, meta.afterBasis === 'exports' ? 'Before (not read)' : 'Before'), element('th', null, ''), element('th', null, afterTitle));
    changes.append(head);
    const phones = user[E.phones];
    const preferred = user[E.preferredMethod];
    const changeRows: readonly (readonly [string, string, string, number])[] = [
      ['Mobile', phones[0], phones[1], CHANGED.mobile],
      ['Alternate mobile', phones[2], phones[3], CHANGED.alternateMobile],
      ['Office', phones[4], phones[5], CHANGED.office],
      ['Default sign-in method', methodInWords(preferred[0]), methodInWords(preferred[1]), CHANGED.preferredMethod],
    ];
    for (const [label, before, after, bit] of changeRows) {
      const row = element('tr', (user[E.changed] & bit) === 0 ? '' : 'changed');
      row.append(element('th', null, label), element('td', 'mono before', orDash(before)), element('td', 'arrow', '→'), element('td', 'mono after', orDash(after)));
      changes.append(row);
    }

    const devices = element('ul', 'plain');
    for (const [name, outcome] of user[E.devices]) devices.append(element('li', null, `${name} — ${meta.deviceOutcomes[outcome] ?? ''}`));
    // Hardware tokens changed as a whole (created, assigned or activated): the list is marked, not each line.
    const tokens = element('ul', (user[E.changed] & CHANGED.hardwareTokens) === 0 ? 'plain' : 'plain changed');
    for (const [serial, before, after] of user[E.hardwareTokens]) tokens.append(element('li', 'mono', `${serial}: ${before || 'none'} → ${after || 'none'}`));

    const operations = element('table', 'writes');
    const operationHead = element('tr');
    for (const title of [meta.command === 'rollback' ? 'Undo step' : 'Write', 'Outcome', 'Number']) operationHead.append(element('th', null, title));
    operations.append(operationHead);
    for (const [kind, target, operationStatus, phone, requestId, graphCode, error] of user[E.operations]) {
      const answer = [graphCode === '' ? '' : `Graph code ${graphCode}`, error, requestId === '' ? '' : `request-id ${requestId}`].filter((part) => part !== '').join(' · ');
      const statusName = meta.operationStatuses[operationStatus] ?? '';
      const row = element('tr', answer === '' ? '' : 'has-answer');
      // Plain words first, Graph's in brackets: "add phone mobile (createPhone mobile)".
      const write = element('td', null, `${meta.kindWords[kind] ?? ''} ${targetWords(target)} `);
      write.append(element('code', 'api', `(${meta.kinds[kind] ?? ''} ${target})`));
      const outcome = element('td', `op-${statusName}`, meta.operationStatusWords[operationStatus] ?? statusName);
      outcome.title = statusName;
      row.append(write, outcome, element('td', 'mono', orDash(phone)));
      operations.append(row);
      // Graph's answer on a line of its own: request-ids are long, and support copies them whole.
      if (answer !== '') {
        const detail = element('tr', 'answer');
        const cell = element('td', 'mono', answer);
        cell.colSpan = 3;
        detail.append(cell);
        operations.append(detail);
      }
    }

    const issues = element('div');
    for (const [codeIndex, message] of user[E.issues]) {
      const entry = codes[codeIndex];
      if (entry === undefined) continue;
      const issue = element('div', 'issue');
      const title = element('div');
      title.append(element('span', `sev ${entry.severity}`, entry.severity), document.createTextNode(' '), codeLink(codeIndex));
      if (entry.whoMustAct !== null) title.append(document.createTextNode(' '), element('span', 'action', `${entry.whoMustAct} must act`));
      issue.append(title, element('div', null, message), element('div', 'remedy', `What to do: ${entry.remedy}`));
      issues.append(issue);
    }

    const section = (title: string, content: HTMLElement, empty: boolean): HTMLElement[] => [element('h3', null, title), empty ? element('p', 'empty', 'None.') : content];
    panel.hidden = false;
    byId('users-layout', HTMLDivElement).classList.add('with-detail');
    panel.replaceChildren(
      close,
      element('h2', null, user[E.displayName] === '' ? user[E.username] : `${user[E.displayName]} — ${user[E.username]}`),
      identity,
      element('h3', null, meta.afterBasis === 'planned' ? 'Before → after (planned: nothing was written)' : meta.afterBasis === 'exports' ? 'What the exports ask for (Entra was not read)' : 'Before → after'),
      changes,
      ...section('Authenticator devices', devices, user[E.devices].length === 0),
      ...section('Hardware tokens', tokens, user[E.hardwareTokens].length === 0),
      ...section(meta.command === 'rollback' ? 'Undo steps' : 'Writes', operations, user[E.operations].length === 0),
      ...section('Issues', issues, user[E.issues].length === 0),
    );
  }

  function showPage(page: number): void {
    state.page = page;
    render();
  }

  const search = byId('search', HTMLInputElement);
  const statusFilter = byId('status-filter', HTMLSelectElement);
  const codeFilter = byId('code-filter', HTMLSelectElement);
  const actionFilter = byId('action-filter', HTMLSelectElement);
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.query = search.value;
      filter();
    }, SEARCH_DELAY_MS);
  });
  statusFilter.addEventListener('change', () => {
    state.status = statusFilter.value === '' ? -1 : Number(statusFilter.value);
    filter();
  });
  codeFilter.addEventListener('change', () => {
    state.code = codeFilter.value === '' ? -1 : Number(codeFilter.value);
    filter();
  });
  actionFilter.addEventListener('change', () => {
    state.actor = actionFilter.value;
    filter();
  });
  byId('first', HTMLButtonElement).addEventListener('click', () => { showPage(0); });
  byId('previous', HTMLButtonElement).addEventListener('click', () => { showPage(state.page - 1); });
  byId('next', HTMLButtonElement).addEventListener('click', () => { showPage(state.page + 1); });
  byId('last', HTMLButtonElement).addEventListener('click', () => { showPage(Math.ceil(view.length / PAGE_SIZE) - 1); });
  for (const header of document.querySelectorAll<HTMLTableCellElement>('#user-table th[data-sort]')) {
    header.querySelector('button')?.addEventListener('click', () => {
      const key = header.dataset['sort'];
      if (!isSortKey(key)) return;
      state.sortDirection = state.sortKey === key ? -state.sortDirection : 1;
      state.sortKey = key;
      filter();
    });
  }
  const rows = byId('user-rows', HTMLTableSectionElement);
  const rowOf = (event: Event): HTMLTableRowElement | null => (event.target instanceof Element ? event.target.closest('tr') : null);
  rows.addEventListener('click', (event) => {
    const row = rowOf(event);
    if (row !== null) select(Number(row.dataset['index']));
  });
  rows.addEventListener('keydown', (event) => {
    const row = rowOf(event);
    if (row !== null && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      select(Number(row.dataset['index']));
    }
  });
  // Chart bars and "Show users" buttons filter the table.
  const showUsers = (status: number, code: number): void => {
    statusFilter.value = status < 0 ? '' : String(status);
    codeFilter.value = code < 0 ? '' : String(code);
    state.status = status;
    state.code = code;
    filter();
    byId('users', HTMLElement).scrollIntoView();
  };
  for (const bar of document.querySelectorAll<SVGGElement>('[data-status-index]')) {
    bar.addEventListener('click', () => { showUsers(Number(bar.dataset['statusIndex']), -1); });
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-code-index]')) {
    button.addEventListener('click', () => { showUsers(-1, Number(button.dataset['codeIndex'])); });
  }
  filter();
}

main();
