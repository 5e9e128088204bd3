/** What `demo --json` prints (schemas/demo.schema.json): the runs it made and where their reports are. */
import type { DemoResult } from '../../migrate/demo.js';
import type { DemoDocument } from './json-documents.js';

export function demoJson(result: DemoResult, journal: string): DemoDocument {
  return {
    applyRunId: result.apply.run.id,
    verifyRunId: result.verify.run.id,
    usersByFinalStatus: result.apply.usersByFinalStatus,
    drifted: result.verify.drifted,
    journal,
    report: result.applyReports.html,
    verifyReport: result.verifyReports.html,
  };
}
