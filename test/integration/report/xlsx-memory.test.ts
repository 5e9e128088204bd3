/**
 * reconciliation.xlsx stays flat in memory however many rows it holds: exceljs's streaming writer
 * has no back-pressure of its own, and without the wait in src/report/xlsx-report.ts the XML of
 * a sheet piled up in buffers (74 MB at 100,000 rows, 250 MB at 350,000; dead buffers wait for a collection, so the limit leaves room for that). The wait reads exceljs's
 * and archiver's internals: an upgrade that moves them fails here.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrivateFile } from '../../../src/report/private-file.js';
import type { ReportRun, ReportSummary } from '../../../src/report/report-summary.js';
import { SummaryCounter } from '../../../src/report/report-summary.js';
import type { ReportUser } from '../../../src/report/report-user.js';
import { XlsxReport } from '../../../src/report/xlsx-report.js';
import { tempDir } from '../../support/temp-dir.js';
import { unzipText } from '../../support/xlsx.js';

const ROWS = 200_000;
/** Buffers the writer may add at any moment: the zip's 1 MiB backlog, exceljs's and fs's chunks, with room. */
const MAX_BUFFERS_BYTES = 96 * 2 ** 20;

const temp = tempDir();
afterAll(() => { temp.remove(); });

function aUserWithAnIssue(line: number): ReportUser {
  return {
    line, username: `user${String(line)}@contoso.com`, displayName: 'Łukasz Hill', upn: `user${String(line)}@contoso.com`, entraUserId: null, matchedBy: null,
    status: 'ready', statusSource: 'exports', planStatus: null, finalStatus: null, afterBasis: 'exports',
    phones: { mobile: { before: null, after: '+44 ••••••0123' }, alternateMobile: { before: null, after: null }, office: { before: null, after: null } },
    preferredMethod: { before: null, after: 'voiceMobile' }, changed: ['mobile', 'preferredMethod'],
    devices: { kept: [], reregistrationRequired: [], dropped: [], notChecked: [] }, hardwareTokens: [], operations: [],
    issues: [{
      code: 'PHONE_REGION_OPT_IN', severity: 'warning', source: 'finding', file: 'users.csv', line,
      message: `users.csv line ${String(line)}: phone "+44 •••• ••0123" (mobile +44 ••••••0123) is in calling code +44 (United Kingdom), which Entra calls and texts only after the tenant opts in.`,
      requestId: null, graphCode: null, whoMustAct: 'admin', actionNeeded: true,
    }],
    failedRequestIds: [], adminMustAct: true, userMustAct: false, actionNeeded: true,
  };
}

describe('reconciliation.xlsx', () => {
  it(`holds no more than ${String(MAX_BUFFERS_BYTES / 2 ** 20)} MiB more of buffers while writing ${ROWS.toLocaleString('en-US')} rows`, async () => {
    const path = join(temp.dir, 'issues.xlsx');
    const file = await PrivateFile.create(path);
    const workbook = new XlsxReport(file, { kind: 'issues' });
    const counter = new SummaryCounter();
    const before = process.memoryUsage().arrayBuffers;
    let most = 0;
    for (let line = 2; line < ROWS + 2; line += 1) {
      const user = aUserWithAnIssue(line);
      counter.add(user);
      const pending = workbook.add(user);
      if (pending !== undefined) await pending;
      if (line % 5_000 === 0) most = Math.max(most, process.memoryUsage().arrayBuffers - before);
    }
    const run: ReportRun = { id: '20261206-120000-abcd', command: 'validate', status: 'finished', parentRunId: null, startedAt: new Date(0), finishedAt: new Date(0), tenantId: null, graphUrl: null, options: {}, inputs: [], summary: null };
    const summary: ReportSummary = counter.summary(run);
    await workbook.finish(run, summary, { generatedAt: new Date(0), unmask: false });
    await file.commit();
    expect(most).toBeLessThan(MAX_BUFFERS_BYTES);
    // Counted in the XML: exceljs's own reader takes minutes over 100,000 rows.
    const sheet = (await unzipText(path)).get('xl/worksheets/sheet1.xml') ?? '';
    expect(sheet.match(/<row /g)).toHaveLength(ROWS + 1);
  }, 120_000);
});
