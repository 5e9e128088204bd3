/**
 * The stylesheet of report.html, inlined (the file must open with no network:
 * docs/design.md "HTML report"). The page allows exactly this text by its hash
 * (Content-Security-Policy), so it contains no `style=` attribute anywhere; widths and colours of
 * the chart are SVG attributes.
 */
export const REPORT_STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --accent: #0969da;
  --migrated: #1a7f37; --planned: #0969da; --unchanged: #818b98; --partial: #bf8700; --conflict: #d1631f;
  --skipped: #afb8c1; --unmatched: #8250df; --rejected: #a40e26; --failed: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.sub { color: var(--muted); margin: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
main { padding: 12px 24px 32px; }
section { margin: 0 0 22px; }
.banner { border: 1px solid var(--line); border-left: 4px solid var(--accent); background: var(--panel); padding: 8px 12px; margin: 10px 0 0; }
.banner.warn { border-left-color: var(--partial); }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; background: #fff; }
.card .n { font-size: 22px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
.overview { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 24px; align-items: start; }
@media (max-width: 900px) { .overview { grid-template-columns: 1fr; } }
svg.chart text { font-size: 12px; fill: var(--ink); }
svg.chart .bar { cursor: pointer; }
svg.chart .bar:hover rect.fill { opacity: 0.8; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; }
.issues td.text { max-width: 420px; }
.sev { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 11.5px; border: 1px solid var(--line); }
.sev.error { color: #fff; background: var(--failed); border-color: var(--failed); }
.sev.warning { background: #fff8c5; border-color: #d4a72c; }
.sev.notice { background: var(--panel); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; white-space: nowrap; }
.badge.from-plan { opacity: 0.85; outline: 1px dashed rgba(0,0,0,0.35); outline-offset: 1px; }
.s-migrated { background: var(--migrated); } .s-planned { background: var(--planned); } .s-unchanged { background: var(--unchanged); }
.s-partial { background: var(--partial); } .s-conflict { background: var(--conflict); } .s-skipped { background: var(--skipped); color: var(--ink); }
.s-unmatched { background: var(--unmatched); } .s-rejected { background: var(--rejected); } .s-failed { background: var(--failed); }
.s-ready { background: var(--planned); } .s-restored { background: var(--migrated); } .s-kept { background: var(--partial); } .s-pending { background: var(--unchanged); }
button { font: inherit; cursor: pointer; border: 1px solid var(--line); background: #fff; border-radius: 5px; padding: 2px 10px; }
button:disabled { cursor: default; opacity: 0.45; }
button.link { border: 0; background: none; color: var(--accent); padding: 0; }
th button { border: 0; background: none; padding: 0; font-weight: 600; }
th[aria-sort="ascending"] button::after { content: " ▲"; font-size: 10px; }
th[aria-sort="descending"] button::after { content: " ▼"; font-size: 10px; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 8px; }
.controls input[type="search"] { width: 320px; padding: 4px 8px; font: inherit; border: 1px solid var(--line); border-radius: 5px; }
.controls select { font: inherit; padding: 3px 6px; }
.users-layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; align-items: start; }
.users-layout.with-detail { grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); }
@media (max-width: 1100px) { .users-layout.with-detail { grid-template-columns: 1fr; } }
.table-wrap { overflow-x: auto; }
#user-table td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 260px; }
#user-table tbody tr { cursor: pointer; }
.with-detail #user-table td { max-width: 180px; }
#user-table tbody tr:hover { background: #f3f6fa; }
#user-table tbody tr.selected { background: #ddf4ff; }
#user-table tbody tr:focus { outline: 2px solid var(--accent); outline-offset: -2px; }
.pager { display: flex; gap: 8px; align-items: center; margin-top: 8px; }
#count { color: var(--muted); margin: 0 0 2px; }
#users .sub { margin: 0 0 6px; }
aside#detail { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; background: #fff; position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow: auto; }
aside#detail h2 { overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table.changes td.arrow { color: var(--muted); width: 1.5em; text-align: center; }
table.changes tr.changed td.after { font-weight: 600; color: var(--migrated); }
table.writes tr.has-answer td { border-bottom: 0; }
table.writes tr.answer td { border-top: 0; color: var(--muted); font-size: 11.5px; overflow-wrap: anywhere; padding-top: 0; }
table.writes td.op-failed { color: var(--failed); font-weight: 600; }
table.writes td.op-done { color: var(--migrated); }
.empty { color: var(--muted); }
code.api { color: var(--muted); font-size: 11.5px; }
a.code { color: inherit; text-decoration: underline dotted; }
.issues tr:target td { background: #fff8c5; }
ul.plain { margin: 0; padding-left: 18px; }
ul.plain.changed li { font-weight: 600; color: var(--migrated); }
.issue { border-top: 1px solid var(--line); padding: 6px 0; }
.issue .remedy { color: var(--muted); margin-top: 2px; }
.action { color: var(--failed); font-weight: 600; font-size: 12px; }
footer { color: var(--muted); padding: 0 24px 24px; font-size: 12px; }
`;
