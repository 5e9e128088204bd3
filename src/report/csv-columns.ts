/**
 * The columns of reconciliation.csv (one row per user) and issues.csv (one row per user × issue
 * needing action). The header names are part of the public surface, pinned by the report tests:
 * the same names as the fields of reconciliation.json, flattened (`mobileBefore` is
 * `phones.mobile.before`).
 *
 * Empty cell: no value (no number, not matched, no plan status in validate's report). `changed`
 * names what differs between before and after, compared before masking (two masked numbers can
 * look alike). Several values in one cell are joined with LIST_SEPARATOR. `status` is the final
 * status when `statusSource` is `final`, the plan's when `plan`, the exports' when `exports`
 * (validate), the rollback's own when `undo`. The `…After` columns are planned writes when
 * `afterBasis` is `planned` (a plan run) and what the exports ask for when it is `exports`.
 * `adminMustAct` / `userMustAct`: the user has an issue an admin / the user must act on;
 * issues.csv's `whoMustAct` says which, row by row.
 */
import { LIST_SEPARATOR } from './csv-cells.js';
import { ISSUE_CATALOGUE } from './issue-catalogue.js';
import type { ReportIssue, ReportUser } from './report-user.js';
import type { HardwareTokenChange } from './user-changes.js';

interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
}

const text = (value: string | number | null): string => (value === null ? '' : String(value));
const list = (values: readonly string[]): string => values.join(LIST_SEPARATOR);

/** `TOTP0001: assigned → activated`; `none` where the user did not hold the token. */
export function hardwareTokenCell(token: HardwareTokenChange): string {
  return `${token.serialNumber}: ${token.before ?? 'none'} → ${token.after ?? 'none'}`;
}

export const RECONCILIATION_COLUMNS: readonly Column<ReportUser>[] = [
  { header: 'line', value: (user) => text(user.line) },
  { header: 'username', value: (user) => user.username },
  { header: 'displayName', value: (user) => text(user.displayName) },
  { header: 'upn', value: (user) => text(user.upn) },
  { header: 'entraUserId', value: (user) => text(user.entraUserId) },
  { header: 'matchedBy', value: (user) => text(user.matchedBy) },
  { header: 'status', value: (user) => user.status },
  { header: 'statusSource', value: (user) => user.statusSource },
  { header: 'planStatus', value: (user) => text(user.planStatus) },
  { header: 'afterBasis', value: (user) => user.afterBasis },
  { header: 'mobileBefore', value: (user) => text(user.phones.mobile.before) },
  { header: 'mobileAfter', value: (user) => text(user.phones.mobile.after) },
  { header: 'alternateMobileBefore', value: (user) => text(user.phones.alternateMobile.before) },
  { header: 'alternateMobileAfter', value: (user) => text(user.phones.alternateMobile.after) },
  { header: 'officeBefore', value: (user) => text(user.phones.office.before) },
  { header: 'officeAfter', value: (user) => text(user.phones.office.after) },
  { header: 'preferredMethodBefore', value: (user) => text(user.preferredMethod.before) },
  { header: 'preferredMethodAfter', value: (user) => text(user.preferredMethod.after) },
  { header: 'changed', value: (user) => list(user.changed) },
  { header: 'devicesKept', value: (user) => list(user.devices.kept) },
  { header: 'devicesReregistrationRequired', value: (user) => list(user.devices.reregistrationRequired) },
  { header: 'devicesDropped', value: (user) => list(user.devices.dropped) },
  { header: 'devicesNotChecked', value: (user) => list(user.devices.notChecked) },
  { header: 'hardwareTokens', value: (user) => list(user.hardwareTokens.map(hardwareTokenCell)) },
  { header: 'issueCodes', value: (user) => list([...new Set(user.issues.map((issue) => issue.code))]) },
  { header: 'adminMustAct', value: (user) => (user.adminMustAct ? 'yes' : 'no') },
  { header: 'userMustAct', value: (user) => (user.userMustAct ? 'yes' : 'no') },
  { header: 'failedRequestIds', value: (user) => list(user.failedRequestIds) },
];

export interface IssueRow {
  readonly user: ReportUser;
  readonly issue: ReportIssue;
}

export const ISSUE_COLUMNS: readonly Column<IssueRow>[] = [
  { header: 'line', value: ({ user }) => text(user.line) },
  { header: 'username', value: ({ user }) => user.username },
  { header: 'displayName', value: ({ user }) => text(user.displayName) },
  { header: 'upn', value: ({ user }) => text(user.upn) },
  { header: 'entraUserId', value: ({ user }) => text(user.entraUserId) },
  { header: 'status', value: ({ user }) => user.status },
  { header: 'whoMustAct', value: ({ issue }) => text(issue.whoMustAct) },
  { header: 'code', value: ({ issue }) => issue.code },
  { header: 'severity', value: ({ issue }) => issue.severity },
  { header: 'source', value: ({ issue }) => issue.source },
  { header: 'file', value: ({ issue }) => text(issue.file) },
  { header: 'fileLine', value: ({ issue }) => text(issue.line) },
  { header: 'message', value: ({ issue }) => issue.message },
  { header: 'graphCode', value: ({ issue }) => text(issue.graphCode) },
  { header: 'requestId', value: ({ issue }) => text(issue.requestId) },
  { header: 'remedy', value: ({ issue }) => ISSUE_CATALOGUE[issue.code].remedy },
];

export function headerOf<Row>(columns: readonly Column<Row>[]): string[] {
  return columns.map((column) => column.header);
}

export function valuesOf<Row>(columns: readonly Column<Row>[], row: Row): string[] {
  return columns.map((column) => column.value(row));
}
