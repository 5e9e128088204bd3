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
      reconciliationCsv: reports.reconciliationCsv,
      reconciliationJson: reports.reconciliationJson,
      issuesCsv: reports.issuesCsv,
    },
    users: reports.summary.users,
    usersNeedingAction: reports.summary.usersNeedingAction,
    issueRows: reports.summary.issueRows,
  };
}

/** The human summary on stderr; stdout gets the path of report.html alone, so `open "$(mfa-migrate report)"` works. */
export function reportText(reports: WrittenReports, unmask: boolean): string {
  const { summary } = reports;
  const masking = unmask ? 'phone numbers in full (--unmask): handle these files as confidential' : 'phone numbers masked (--unmask shows them)';
  return [
    `Reports of run ${reports.runId} in ${reports.dir}: ${summary.users.toLocaleString('en-US')} users, ${summary.usersNeedingAction.toLocaleString('en-US')} needing action (${summary.issueRows.toLocaleString('en-US')} rows in issues.csv); ${masking}.`,
    '',
  ].join('\n');
}
