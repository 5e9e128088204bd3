/**
 * Every run converges, on any tenant: a model-based test over generated tenants and exports
 * (test/support/model-tenant.ts). Each case runs the whole life of a migration against the
 * in-process emulator (test/support/migration-life.ts), sometimes under transient faults, and
 * checks:
 * - plan sends no write;
 * - apply ends with no failed or skipped operation, loses no phone of the export (each is in
 *   Entra, or a conflict was kept, or Graph's alternateMobile rule is named), and touches no user
 *   outside the run;
 * - a second apply plans nothing and sends no write;
 * - verify finds nothing missing or drifted for `migrated` users;
 * - rollback --execute leaves every user as before the run except what Graph cannot undo, each
 *   listed as kept with its reason;
 * - no phone is created twice.
 * `npm test` runs MODEL_RUNS cases; `npm run test:soak` runs SOAK_MODEL_RUNS. A failing case is
 * shrunk by fast-check and printed with its seed; each defect found this way has a named
 * regression in migration-model-regressions.test.ts.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { exercised, runModelCase, tally } from '../support/migration-life.js';
import { runSyncSequence, syncSequenceCase, syncTally } from '../support/sync-life.js';
import { modelCase } from '../support/model-tenant.js';
import { soak } from './run-budget.js';

/** Cases in `npm test` (MODEL_RUNS overrides), and under `npm run test:soak`. */
const MODEL_RUNS = Number(process.env['MODEL_RUNS'] ?? 200);
const SOAK_MODEL_RUNS = 5_000;
/** Staged migrations (2–4 steps each) in `npm test` (SYNC_MODEL_RUNS overrides), and under `npm run test:soak`. */
const SYNC_MODEL_RUNS = Number(process.env['SYNC_MODEL_RUNS'] ?? 40);
const SOAK_SYNC_MODEL_RUNS = 1_000;

describe('a migration on generated tenants', () => {
  it(
    'converges: plan writes nothing, apply fails nothing and loses no phone, a second apply writes nothing, verify agrees, rollback restores',
    async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(modelCase, async (model) => {
          await runModelCase(model);
        }),
        { numRuns: soak ? SOAK_MODEL_RUNS : MODEL_RUNS, endOnFailure: false },
      );
      console.log(
        `migration model: ${String(tally.cases)} cases (${String(tally.users)} users, ${String(tally.writes)} writes, ${String(tally.conflicts)} conflicts, ${String(tally.kept)} undo steps kept) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...[...exercised].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `\n  ${String(value).padStart(6)}  ${key}`),
      );
    },
    // A case takes 0.1–0.3 s here; 2 s each leaves room for a busy machine and shrinking.
    (soak ? SOAK_MODEL_RUNS : MODEL_RUNS) * 2_000 + 60_000,
  );
});

describe('a staged migration on generated tenants', () => {
  it(
    'converges under export changes and syncs: nothing refused, nobody absent touched, an idle sync writes (and, with nothing unfinished, sends) nothing, and the tenant ends as one full apply of the last export makes it',
    async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(syncSequenceCase, async (sequence) => {
          await runSyncSequence(sequence);
        }),
        { numRuns: soak ? SOAK_SYNC_MODEL_RUNS : SYNC_MODEL_RUNS, endOnFailure: false },
      );
      console.log(
        `staged migration model: ${String(syncTally.sequences)} sequences, ${String(syncTally.steps)} steps (${String(syncTally.syncs)} syncs, ${String(syncTally.applies)} applies), ${String(syncTally.changes)} export changes, ${String(syncTally.userWrites)} writes; `
          + `${String(syncTally.numbersCompared)} numbers and ${String(syncTally.defaultsCompared)} defaults compared with one full apply, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
    // A sequence takes about a second here (up to four steps, an idle sync after each, one reference apply).
    (soak ? SOAK_SYNC_MODEL_RUNS : SYNC_MODEL_RUNS) * 5_000 + 60_000,
  );
});
