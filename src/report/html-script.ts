/**
 * The script of report.html, inlined and allowed by its hash. Plain browser JavaScript, kept as text
 * here because the project compiles for Node (no DOM types); test/browser/ runs it in Chromium.
 *
 * It must stay usable at 100,000 users: the users are one embedded JSON array of compact entries
 * (layout in report-html.ts, USER_ENTRY), filtered and sorted as an index array, and only the rows
 * of the page shown (PAGE_SIZE) and the one user clicked ever become DOM. Every value from the
 * journal is set with textContent, never parsed as HTML.
 */
export const REPORT_SCRIPT = String.raw`
'use strict';
(() => {
  // Positions in a user entry (USER_ENTRY in src/report/report-html.ts).
  const LINE = 0, USERNAME = 1, UPN = 2, ENTRA_ID = 3, STATUS = 4, FROM_FINAL = 5, PLAN_STATUS = 6, PHONES = 7,
    PREFERRED = 8, DEVICES = 9, TOKENS = 10, ISSUES = 11, OPERATIONS = 12, CHANGED = 13;
  // Bits of CHANGED (CHANGED_BITS in report-html.ts): compared before masking, so two numbers that
  // differ only in hidden digits still show as a change.
  const CHANGED_MOBILE = 1, CHANGED_ALTERNATE = 2, CHANGED_OFFICE = 4, CHANGED_PREFERRED = 8;
  // Rows per page: a page is rebuilt in well under a frame.
  const PAGE_SIZE = 100;
  // Typing pauses this long before the array is filtered again.
  const SEARCH_DELAY_MS = 150;

  const meta = JSON.parse(document.getElementById('report-meta').textContent);
  const users = JSON.parse(document.getElementById('report-users').textContent);
  const codes = meta.codes;
  const byId = (id) => document.getElementById(id);
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const orDash = (value) => (value === '' || value === null || value === undefined ? '—' : value);
  const needsAction = (user) => user[ISSUES].some((issue) => codes[issue[0]].actionNeeded);
  const numberFormat = new Intl.NumberFormat('en-US');
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

  const state = { query: '', status: -1, code: -1, actionOnly: false, sortKey: 'line', sortDirection: 1, page: 0, selected: -1 };
  let view = [];
  let haystack = null;

  const sortKeys = {
    line: (user) => user[LINE],
    username: (user) => user[USERNAME],
    upn: (user) => user[UPN],
    status: (user) => user[STATUS],
    mobile: (user) => user[PHONES][1],
    preferred: (user) => user[PREFERRED][1],
    issues: (user) => user[ISSUES].length,
  };

  function filter() {
    const query = state.query.trim().toLowerCase();
    if (query !== '' && haystack === null) {
      haystack = users.map((user) => (user[USERNAME] + '\n' + user[UPN] + '\n' + user[ENTRA_ID]).toLowerCase());
    }
    const shown = [];
    for (let index = 0; index < users.length; index++) {
      const user = users[index];
      if (state.status >= 0 && user[STATUS] !== state.status) continue;
      if (state.code >= 0 && !user[ISSUES].some((issue) => issue[0] === state.code)) continue;
      if (state.actionOnly && !needsAction(user)) continue;
      if (query !== '' && !haystack[index].includes(query)) continue;
      shown.push(index);
    }
    const key = sortKeys[state.sortKey];
    const direction = state.sortDirection;
    shown.sort((a, b) => {
      const x = key(users[a]);
      const y = key(users[b]);
      const order = typeof x === 'number' ? x - y : collator.compare(x, y);
      return order * direction || users[a][LINE] - users[b][LINE];
    });
    view = shown;
    state.page = 0;
    render();
  }

  function statusBadge(user) {
    const name = meta.statuses[user[STATUS]];
    const badge = element('span', 'badge s-' + name + (user[FROM_FINAL] ? '' : ' from-plan'), name);
    badge.title = user[FROM_FINAL] ? 'final status (apply or verify)' : 'plan status (no final status recorded)';
    return badge;
  }

  function render() {
    const rows = byId('user-rows');
    const pages = Math.max(1, Math.ceil(view.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE_SIZE;
    const slice = view.slice(start, start + PAGE_SIZE);
    const fragment = document.createDocumentFragment();
    for (const index of slice) {
      const user = users[index];
      const row = element('tr');
      row.dataset.index = String(index);
      row.tabIndex = 0;
      if (index === state.selected) row.className = 'selected';
      row.append(element('td', 'num', user[LINE]), element('td', null, user[USERNAME]), element('td', null, orDash(user[UPN])));
      const status = element('td');
      status.append(statusBadge(user));
      const issueCodes = [...new Set(user[ISSUES].map((issue) => codes[issue[0]].code))];
      const issues = element('td', null, issueCodes.length === 0 ? '—' : issueCodes.join(', '));
      issues.title = issueCodes.join('\n');
      row.append(status, element('td', 'mono', orDash(user[PHONES][1])), element('td', null, orDash(user[PREFERRED][1])), issues);
      fragment.append(row);
    }
    rows.replaceChildren(fragment);
    byId('count').textContent = view.length === 0
      ? 'No user matches.'
      : 'Users ' + numberFormat.format(start + 1) + '–' + numberFormat.format(start + slice.length) + ' of ' + numberFormat.format(view.length)
        + (view.length === users.length ? '' : ' (filtered from ' + numberFormat.format(users.length) + ')');
    byId('page').textContent = 'Page ' + numberFormat.format(state.page + 1) + ' of ' + numberFormat.format(pages);
    byId('first').disabled = byId('previous').disabled = state.page === 0;
    byId('next').disabled = byId('last').disabled = state.page >= pages - 1;
    for (const header of document.querySelectorAll('#user-table th[data-sort]')) {
      header.setAttribute('aria-sort', header.dataset.sort === state.sortKey ? (state.sortDirection > 0 ? 'ascending' : 'descending') : 'none');
    }
  }

  function facts(pairs) {
    const list = element('dl', 'facts');
    for (const [term, value] of pairs) list.append(element('dt', null, term), element('dd', null, orDash(value)));
    return list;
  }

  function select(index) {
    state.selected = index;
    for (const row of byId('user-rows').children) row.classList.toggle('selected', Number(row.dataset.index) === index);
    const user = users[index];
    const panel = byId('detail');
    const close = element('button', 'link', 'Close');
    close.type = 'button';
    close.addEventListener('click', () => {
      state.selected = -1;
      panel.replaceChildren();
      panel.hidden = true;
      byId('users-layout').classList.remove('with-detail');
      render();
    });
    const status = element('dd');
    status.append(statusBadge(user), document.createTextNode(user[FROM_FINAL] ? '' : ' (from the plan)'));
    const identity = facts([
      ['UPN', user[UPN]],
      ['Entra object id', user[ENTRA_ID]],
      ['Users file line', user[LINE]],
      ['Plan status', meta.planStatuses[user[PLAN_STATUS]]],
    ]);
    identity.prepend(element('dt', null, 'Status'), status);

    const changes = element('table', 'changes');
    const head = element('tr');
    head.append(element('th', null, ''), element('th', null, 'Before'), element('th', null, ''), element('th', null, meta.afterBasis === 'planned' ? 'After (planned)' : 'After'));
    changes.append(head);
    const phones = user[PHONES];
    const changeRows = [
      ['Mobile', phones[0], phones[1], CHANGED_MOBILE],
      ['Alternate mobile', phones[2], phones[3], CHANGED_ALTERNATE],
      ['Office', phones[4], phones[5], CHANGED_OFFICE],
      ['Default sign-in method', user[PREFERRED][0], user[PREFERRED][1], CHANGED_PREFERRED],
    ];
    for (const [label, before, after, bit] of changeRows) {
      const row = element('tr', user[CHANGED] & bit ? 'changed' : '');
      row.append(element('th', null, label), element('td', 'mono before', orDash(before)), element('td', 'arrow', '→'), element('td', 'mono after', orDash(after)));
      changes.append(row);
    }

    const devices = element('ul', 'plain');
    for (const [name, outcome] of user[DEVICES]) devices.append(element('li', null, name + ' — ' + meta.deviceOutcomes[outcome]));
    const tokens = element('ul', 'plain');
    for (const [serial, before, after] of user[TOKENS]) tokens.append(element('li', 'mono', serial + ': ' + (before || 'none') + ' → ' + (after || 'none')));

    const operations = element('table', 'writes');
    const operationHead = element('tr');
    for (const title of ['Write', 'Status', 'Number']) operationHead.append(element('th', null, title));
    operations.append(operationHead);
    for (const [kind, target, status, phone, requestId, graphCode, error] of user[OPERATIONS]) {
      const answer = [graphCode && 'Graph code ' + graphCode, error, requestId && 'request-id ' + requestId].filter(Boolean).join(' · ');
      const row = element('tr', answer ? 'has-answer' : '');
      row.append(element('td', null, meta.kinds[kind] + ' ' + target), element('td', 'op-' + meta.operationStatuses[status], meta.operationStatuses[status]), element('td', 'mono', orDash(phone)));
      operations.append(row);
      // Graph's answer on a line of its own: request-ids are long, and support copies them whole.
      if (answer) {
        const detail = element('tr', 'answer');
        const cell = element('td', 'mono', answer);
        cell.colSpan = 3;
        detail.append(cell);
        operations.append(detail);
      }
    }

    const issues = element('div');
    for (const [codeIndex, message] of user[ISSUES]) {
      const entry = codes[codeIndex];
      const issue = element('div', 'issue');
      const title = element('div');
      title.append(element('span', 'sev ' + entry.severity, entry.severity), document.createTextNode(' '), element('code', null, entry.code));
      if (entry.actionNeeded) title.append(document.createTextNode(' '), element('span', 'action', 'action needed'));
      issue.append(title, element('div', null, message), element('div', 'remedy', 'What to do: ' + entry.remedy));
      issues.append(issue);
    }

    const section = (title, content, empty) => [element('h3', null, title), empty ? element('p', 'empty', 'None.') : content];
    panel.hidden = false;
    byId('users-layout').classList.add('with-detail');
    panel.replaceChildren(
      close,
      element('h2', null, user[USERNAME]),
      identity,
      element('h3', null, meta.afterBasis === 'planned' ? 'Before → after (planned: nothing was written)' : 'Before → after'),
      changes,
      ...section('Authenticator devices', devices, user[DEVICES].length === 0),
      ...section('Hardware tokens', tokens, user[TOKENS].length === 0),
      ...section('Writes', operations, user[OPERATIONS].length === 0),
      ...section('Issues', issues, user[ISSUES].length === 0),
    );
  }

  function showPage(page) {
    state.page = page;
    render();
  }

  let searchTimer = 0;
  byId('search').addEventListener('input', (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.query = event.target.value; filter(); }, SEARCH_DELAY_MS);
  });
  byId('status-filter').addEventListener('change', (event) => { state.status = event.target.value === '' ? -1 : Number(event.target.value); filter(); });
  byId('code-filter').addEventListener('change', (event) => { state.code = event.target.value === '' ? -1 : Number(event.target.value); filter(); });
  byId('action-filter').addEventListener('change', (event) => { state.actionOnly = event.target.checked; filter(); });
  byId('first').addEventListener('click', () => showPage(0));
  byId('previous').addEventListener('click', () => showPage(state.page - 1));
  byId('next').addEventListener('click', () => showPage(state.page + 1));
  byId('last').addEventListener('click', () => showPage(Math.ceil(view.length / PAGE_SIZE) - 1));
  for (const header of document.querySelectorAll('#user-table th[data-sort]')) {
    header.querySelector('button').addEventListener('click', () => {
      const key = header.dataset.sort;
      state.sortDirection = state.sortKey === key ? -state.sortDirection : 1;
      state.sortKey = key;
      filter();
    });
  }
  const rows = byId('user-rows');
  rows.addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row) select(Number(row.dataset.index));
  });
  rows.addEventListener('keydown', (event) => {
    const row = event.target.closest('tr');
    if (row && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      select(Number(row.dataset.index));
    }
  });
  // Chart bars and "Show users" buttons filter the table.
  const showUsers = (status, code) => {
    byId('status-filter').value = status < 0 ? '' : String(status);
    byId('code-filter').value = code < 0 ? '' : String(code);
    state.status = status;
    state.code = code;
    filter();
    byId('users').scrollIntoView();
  };
  for (const bar of document.querySelectorAll('[data-status-index]')) {
    bar.addEventListener('click', () => showUsers(Number(bar.dataset.statusIndex), -1));
  }
  for (const button of document.querySelectorAll('[data-code-index]')) {
    button.addEventListener('click', () => showUsers(-1, Number(button.dataset.codeIndex)));
  }
  filter();
})();
`;
