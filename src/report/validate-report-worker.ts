/**
 * The worker thread that writes validate's reports (see validate-reports.ts): opens the files,
 * adds each batch of users it is sent and acknowledges it, then finishes or discards them and
 * ends. Any failure is sent back whole — a MigrateError keeps its code, exit code and remedy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MigrateError } from '../errors.js';
import type { UserStatus } from '../mapping/desired-state.js';
import { ValidateReportWriter, type FromWriter, type ToWriter, type ValidateReportSetup } from './validate-reports.js';

const port = parentPort;
if (port === null) throw new Error('validate-report-worker runs as a worker thread only');

function send(message: FromWriter): void {
  port?.postMessage(message);
}

function failed(error: unknown): FromWriter {
  if (error instanceof MigrateError) {
    return { type: 'failed', error: { code: error.code, message: error.message, remedy: error.remedy, ...(error.file === undefined ? {} : { file: error.file }) }, text: error.message };
  }
  return { type: 'failed', error: null, text: error instanceof Error ? error.stack ?? error.message : String(error) };
}

async function run(): Promise<void> {
  const writer = await ValidateReportWriter.open(workerData as ValidateReportSetup);
  send({ type: 'ready' });
  // Messages are handled one at a time, in order: a batch is added whole before the next is read.
  let queue = Promise.resolve();
  port?.on('message', (message: ToWriter) => {
    queue = queue.then(async () => {
      switch (message.type) {
        case 'users':
          for (const user of message.users) {
            const pending = writer.add(user);
            if (pending !== undefined) await pending;
          }
          send({ type: 'ack' });
          return;
        case 'finish':
          for (const [status, users] of Object.entries(message.unlisted) as [UserStatus, number][]) writer.count(status, users);
          send({ type: 'written', written: await writer.finish(message.fileIssues, message.finishedAt) });
          port.close();
          return;
        case 'discard':
          await writer.discard();
          send({ type: 'discarded' });
          port.close();
          return;
      }
    }).catch(async (error: unknown) => {
      send(failed(error));
      await writer.discard().catch(() => undefined);
      port.close();
    });
  });
}

run().catch((error: unknown) => {
  send(failed(error));
  port.close();
});
