/** What `report` (and the commands that write reports when they finish) print about the reports. */
import type { WrittenReports } from '../../report/write-reports.js';
import type { ReportDocument } from './json-documents.js';

/** `report --json` (schemas/report.schema.json): where the files are, and the counts that say whether anyone must act. */
export function reportJson(reports: WrittenReports, unmask: boolean): ReportDocument {
  return {
    runId: reports.runId,
    phoneNumbers: unmask ? 'unmasked' : 'masked',
    reports: {
      dir: reports.dir,
      html: reports.html,
      xlsx: reports.xlsx,
      reconciliationCsv: reports.reconciliationCsv,
      reconciliationJson: reports.reconciliationJson,
      issuesCsv: reports.issuesCsv,
    },
    users: reports.summary.users,
    usersNeedingAction: reports.summary.usersNeedingAction,
    usersAdminMustAct: reports.summary.usersAdminMustAct,
    usersUserMustAct: reports.summary.usersUserMustAct,
    issueRows: reports.summary.issueRows,
  };
}

/** The human summary on stderr; stdout gets the path of report.html alone, so `open "$(mfa-migrate report)"` works. */
export function reportText(reports: WrittenReports, unmask: boolean): string {
  const { summary } = reports;
  const n = (value: number): string => value.toLocaleString('en-US');
  const masking = unmask
    ? 'phone numbers in full (--unmask), in a folder of their own: handle these files as confidential'
    : 'phone numbers masked (--unmask writes a copy with them in full, in a folder of its own)';
  return [
    `Reports of run ${reports.runId} in ${reports.dir}: ${n(summary.users)} users; an admin must act on ${n(summary.usersAdminMustAct)}, the user on ${n(summary.usersUserMustAct)} (${n(summary.issueRows)} rows in issues.csv); ${masking}.`,
    `Open ${reports.xlsx} in Excel, or ${reports.html} in a browser.`,
    '',
  ].join('\n');
}
