/**
 * Looks at report.html the way support staff will: builds a journal of a 10,000-user apply run
 * (every status, failed writes with request-ids, conflicts, issues), writes its reports, opens
 * report.html in headless Chromium and saves screenshots of the overview and of one user's
 * before → after under reports/ (git-ignored). Also prints how long each step took and how big
 * the files are, the numbers to watch at 100,000 users.
 *
 *   npm run report:screenshot
 *   node dist/bench/report-screenshot.js --users 100000 --out reports
 *
 * Needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium); playwright-core drives it
 * without downloading a browser.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { finding, type Finding } from '../src/findings.js';
import { openJournal, type Journal } from '../src/journal/journal.js';
import type { UserRecord } from '../src/run-records.js';
import type { FinalUserStatus } from '../src/user-status.js';
import type { EntraState } from '../src/plan/entra-state.js';
import type { Operation, PlanStatus } from '../src/plan/operations.js';
import { writeRunReports } from '../src/report/write-reports.js';
import { CHROMIUM_PATH, launchChromium } from '../test/support/chromium.js';

/** What each user of the synthetic run ends as, by share of users (sums to 100). */
const MIX: readonly { readonly share: number; readonly plan: PlanStatus; readonly final: FinalUserStatus | null }[] = [
  { share: 66, plan: 'planned', final: 'migrated' },
  { share: 9, plan: 'unchanged', final: 'unchanged' },
  { share: 5, plan: 'conflict', final: 'conflict' },
  { share: 4, plan: 'planned', final: 'partial' },
  { share: 3, plan: 'planned', final: 'failed' },
  { share: 3, plan: 'skipped', final: 'skipped' },
  { share: 4, plan: 'unmatched', final: 'unmatched' },
  { share: 2, plan: 'rejected', final: 'rejected' },
  { share: 2, plan: 'failed', final: 'failed' },
  { share: 2, plan: 'planned', final: null },
];

const FIRST_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy'];

/** "Alice Hill 12": what Entra and the export call the person. */
function displayNameOf(index: number): string {
  const first = FIRST_NAMES[index % FIRST_NAMES.length] ?? 'user';
  return `${first.charAt(0).toUpperCase()}${first.slice(1)} Hill ${String(index)}`;
}

function outcomeOf(index: number): (typeof MIX)[number] {
  let slot = (index * 37) % 100;
  for (const entry of MIX) {
    if (slot < entry.share) return entry;
    slot -= entry.share;
  }
  return MIX[0] ?? { share: 100, plan: 'planned', final: 'migrated' };
}

interface SyntheticUser {
  readonly record: UserRecord;
  readonly final: FinalUserStatus | null;
}

function syntheticUser(index: number): SyntheticUser {
  const line = index + 2;
  const outcome = outcomeOf(index);
  const username = `${FIRST_NAMES[index % FIRST_NAMES.length] ?? 'user'}.${String(index).padStart(5, '0')}@contoso.com`;
  const national = String(4_255_500_000 + index);
  const mobile = `+1 ${national}`;
  const held = `+1 ${String(2_065_500_000 + index)}`;
  const office = index % 3 === 0 ? `+1 ${String(4_255_510_000 + index)}x${String(100 + (index % 900))}` : null;
  const issues: Finding[] = [];
  const at = `users.csv line ${line}`;
  if (index % 4 === 0) issues.push(finding('PIN_MODE_NOT_MIGRATED', 'users.csv', line, `${at}: phone call PIN mode is not migrated — require number matching in the Authenticator policy instead.`));
  const devices = index % 5 === 0
    ? [{ name: 'iPhone 15', status: 'kept' as const, registration: index % 10 === 0 ? 'reregistrationRequired' as const : 'present' as const, lastUsedAt: null, line }]
    : [];
  if (devices[0]?.registration === 'reregistrationRequired') {
    issues.push(finding('DEVICE_REREGISTRATION_REQUIRED', 'devices.csv', line, `devices.csv line ${line}: ${username} must register Microsoft Authenticator on "iPhone 15" again at https://aka.ms/mysecurityinfo.`));
  }
  const operations: Operation[] = [];
  let before: EntraState | null = null;
  switch (outcome.plan) {
    case 'planned':
      operations.push({ kind: 'updatePhone', target: 'mobile', status: 'planned', phoneNumber: mobile, previousPhoneNumber: held });
      if (office !== null) operations.push({ kind: 'createPhone', target: 'office', status: 'planned', phoneNumber: office, previousPhoneNumber: null });
      operations.push({ kind: 'setPreferredMethod', target: 'voiceMobile', status: 'planned', previous: null });
      issues.push(finding('PHONE_REPLACED', 'users.csv', line, `${at}: the mobile phone of ${username} in Entra, ${held}, is replaced by ${mobile} from MFA Server (--phone-conflict overwrite).`));
      break;
    case 'conflict':
      operations.push({ kind: 'phoneConflict', target: 'mobile', status: 'conflict', phoneNumber: mobile, previousPhoneNumber: held });
      issues.push(finding('PHONE_CONFLICT', 'users.csv', line, `${at}: Entra already holds ${held} as the mobile phone of ${username}, not ${mobile} from MFA Server; Entra's number was kept.`));
      break;
    case 'skipped':
      issues.push(finding('USER_DISABLED', 'users.csv', line, `${at}: user ${username} is disabled in MFA Server and was not migrated.`));
      break;
    case 'unmatched':
      issues.push(finding('USER_NOT_FOUND', 'users.csv', line, `${at}: no Entra user matches ${username} (UPN, then onPremisesSamAccountName).`));
      break;
    case 'rejected':
      issues.push(finding('PHONE_INVALID', 'users.csv', line, `${at}: phone "(425) 555-${String(index % 10_000).padStart(4, '0')}9" is not a valid number for +1 — fix it in MFA Server.`));
      break;
    case 'failed':
      issues.push(finding('USER_READ_FAILED', 'users.csv', line, `${at}: ${username}: Graph answered 503 serviceNotAvailable after 5 attempts (request-id 6f1c2a9e-4b7d-4c1a-9e3f-${String(index).padStart(12, '0')}).`));
      break;
    case 'unchanged':
      break;
  }
  if (outcome.plan === 'planned' || outcome.plan === 'conflict' || outcome.plan === 'unchanged') {
    before = {
      user: { id: `5d8e6a2b-1c3f-4e9a-8b7d-${index.toString(16).padStart(12, '0')}`, userPrincipalName: username, displayName: displayNameOf(index), accountEnabled: true, matchedBy: 'userPrincipalName' },
      phones: [{ id: '3179e48a-750b-4051-897c-87b9720928f7', phoneType: 'mobile', phoneNumber: outcome.plan === 'unchanged' ? mobile : held, smsSignInState: 'notSupported' }],
      authenticators: devices.length > 0 && devices[0]?.registration === 'present' ? [{ id: `auth-${index}`, displayName: 'iPhone 15', deviceTag: null, phoneAppVersion: '6.8.1', createdDateTime: null }] : [],
      softwareOath: [],
      hardwareOath: [],
      signInPreferences: { userPreferredMethodForSecondaryAuthentication: outcome.plan === 'unchanged' ? 'voiceMobile' : null, isSystemPreferredAuthenticationMethodEnabled: false },
    };
  }
  const desired = {
    username, upn: username, displayName: displayNameOf(index), file: 'users.csv', line, status: outcome.plan === 'skipped' || outcome.plan === 'rejected' ? outcome.plan : 'ready' as const,
    phones: { mobile, alternateMobile: null, office }, requestedDefaultMethod: 'voiceMobile' as const, defaultMethod: 'voiceMobile' as const,
    devices, hardwareTokens: [], matchKeys: { samAccountName: null, email: username, sid: null, objectGuid: null }, issues: [],
  };
  const plan = before === null ? { status: outcome.plan } : { status: outcome.plan, operations, defaultMethod: 'voiceMobile' as const, devices, issues: [] };
  return { record: { desired, before, plan, issues }, final: outcome.final };
}

/** Records the synthetic users as an apply run and drives their writes the way apply does. Returns the run id. */
export function buildApplyRun(journal: Journal, userCount: number): string {
  const run = journal.createRun({ command: 'apply', parentRunId: null, tenantId: '00000000-0000-0000-0000-0000000000aa', graphUrl: 'http://127.0.0.1:8900', options: { phoneConflict: 'keep' }, inputs: [] });
  const finals: (FinalUserStatus | null)[] = [];
  journal.recordUsers(run.id, (function* users() {
    for (let index = 0; index < userCount; index++) {
      const user = syntheticUser(index);
      finals.push(user.final);
      yield user.record;
    }
  })());
  // Drive the operations the way apply does: migrated users' writes done, partial users' second
  // write failed, failed users' first write failed.
  const stored = [...journal.iterateUsers(run.id)];
  journal.transaction(() => {
    stored.forEach((user, index) => {
      const final = finals[index] ?? null;
      user.operations.forEach((operation, position) => {
        if (operation.status !== 'planned' || final === null) return;
        const requestId = `9a7c5e31-2b4d-4f6a-8c0e-${String(operation.id).padStart(12, '0')}`;
        const fails = (final === 'partial' && position === 1) || (final === 'failed' && position === 0);
        journal.markSent([operation.id]);
        if (fails) journal.markFailed(operation.id, 'invalidPhoneNumber', 'Phone number is not valid for the region.', requestId);
        else journal.markDone(operation.id, requestId);
      });
    });
    journal.setFinalStatus(stored.flatMap((user, index) => {
      const status = finals[index] ?? null;
      return status === null ? [] : [{ userId: user.id, status }];
    }));
  });
  journal.finishRun(run.id, 'finished', null);
  return run.id;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '10000' }, out: { type: 'string', default: 'reports' } } });
  const userCount = Number.parseInt(values.users, 10);
  const out = resolve(values.out);
  if (!existsSync(CHROMIUM_PATH)) {
    process.stderr.write(`report-screenshot: no Chromium at ${CHROMIUM_PATH} — install it with \`apt-get install chromium\`.\n`);
    process.exitCode = 1;
    return;
  }
  const started = process.hrtime.bigint();
  const seconds = (): string => (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
  const work = mkdtempSync(join(tmpdir(), 'mfa-report-screenshot-'));
  const journal = openJournal(join(work, 'mfa-migrate.db'), { clock: { now: () => Date.now() } });
  try {
    const runId = buildApplyRun(journal, userCount);
    process.stdout.write(`journal of ${userCount.toLocaleString('en-US')} users built in ${seconds()} s\n`);

    const reportStart = process.hrtime.bigint();
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    // Sampled while the writer awaits its disk writes: the reports must not hold the users in memory.
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()); }, 20);
    const reports = await writeRunReports(journal, runId, { dir: out, unmask: false });
    clearInterval(sampler);
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    process.stdout.write(`reports written in ${(Number(process.hrtime.bigint() - reportStart) / 1e9).toFixed(2)} s (RSS ${mib(rssBefore)} MiB before, peak ${mib(rssPeak)} MiB):\n`);
    for (const path of [reports.reconciliationCsv, reports.reconciliationJson, reports.issuesCsv, reports.html]) {
      process.stdout.write(`  ${path}  ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB\n`);
    }

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const openStart = process.hrtime.bigint();
      await page.goto(pathToFileURL(reports.html).href);
      await page.locator('#user-rows tr').first().waitFor();
      process.stdout.write(`report.html opened and its table drawn in ${(Number(process.hrtime.bigint() - openStart) / 1e9).toFixed(2)} s\n`);
      const overview = join(out, 'report-screenshot.png');
      await page.screenshot({ path: overview });
      const fullPage = join(out, 'report-screenshot-full.png');
      await page.screenshot({ path: fullPage, fullPage: true });
      // A partial user: a failed write with its request-id.
      await page.locator('#search').fill('peggy.00013');
      await page.locator('#count', { hasText: 'filtered' }).waitFor();
      await page.locator('#user-rows tr').first().click();
      await page.locator('#detail table.changes').waitFor();
      await page.locator('#users').scrollIntoViewIfNeeded();
      const detail = join(out, 'report-screenshot-detail.png');
      await page.screenshot({ path: detail });
      process.stdout.write(`screenshots: ${overview}\n             ${fullPage}\n             ${detail}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    journal.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const entryPoint = process.argv[1];
if (entryPoint !== undefined && import.meta.url === pathToFileURL(entryPoint).href) await main();
