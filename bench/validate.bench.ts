/**
 * Benchmark: `mfa-migrate validate` over synthetic exports, against the target of
 * docs/performance.md: 1,000,000 users + 1,000,000 device rows in ≤ 45 s with peak RSS ≤ 1 GiB on
 * a 2-core machine.
 *
 * Runs the real CLI as a child process, so the figures include start-up, decoding, parsing,
 * mapping, output and the reports validate writes (issues.csv, report.html, reconciliation.xlsx,
 * into a temporary folder removed afterwards; their size is in the table). Peak RSS is the
 * child's VmHWM (Linux's high-water mark of resident memory, the report worker thread included),
 * read from /proc while it runs. CPU is the child's user + system time: validate keeps one core
 * busy mapping and the report worker another, so on a busy machine the wall-clock grows with the
 * load average, printed with the table.
 *
 *   npm run bench:validate                       # 100,000 and 1,000,000 users
 *   npm run bench:validate -- --sizes 10000      # other sizes
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateExports, type GeneratedFiles } from '../test/support/generate-exports.js';
import { formatTable } from './table.js';

interface Measurement {
  readonly users: number;
  readonly deviceRows: number;
  readonly tokenRows: number;
  readonly mode: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly usersPerSecond: number;
  readonly peakRssMiB: number;
  readonly reportsMiB: number;
  readonly exitCode: number | null;
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    data: { type: 'string', default: 'bench/data' },
    json: { type: 'boolean', default: true },
  },
});

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times (100 on every architecture Node supports). */
const CLOCK_TICKS_PER_SECOND = 100;

const sizes = values.sizes.split(',').map((size) => Number.parseInt(size, 10));
const results: Measurement[] = [];
for (const users of sizes) {
  const files = await exportsFor(users, values.data);
  results.push(await measure(files, users, false));
  if (values.json) results.push(await measure(files, users, true));
}

printTable(results);
process.stdout.write(`load average (1, 5, 15 min) at the end: ${loadavg().map((value) => value.toFixed(2)).join(', ')}\n`);
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/validate.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2)}\n`);

async function exportsFor(users: number, dataDir: string): Promise<GeneratedFiles> {
  const outDir = join(dataDir, `${users}`);
  const manifest = join(outDir, 'manifest.json');
  if (existsSync(manifest)) return JSON.parse(await readFile(manifest, 'utf8')) as GeneratedFiles;
  process.stderr.write(`generating ${users.toLocaleString('en-US')} users into ${outDir} …\n`);
  const files = await generateExports({ users, outDir, seed: 42, devicesPerUser: 1, tokenShare: 0.05, encoding: 'utf8' });
  await writeFile(manifest, JSON.stringify(files));
  return files;
}

async function measure(files: GeneratedFiles, users: number, json: boolean): Promise<Measurement> {
  const reports = await mkdtemp(join(tmpdir(), 'mfa-validate-bench-'));
  const args = [
    'bin/mfa-migrate.js', 'validate', '--users', files.users, '--devices', files.devices, '--tokens', files.tokens,
    '--upn-suffix', 'contoso.com', '--no-progress', '--reports', reports,
    ...(json ? ['--json'] : []),
  ];
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  let peakKiB = 0;
  let cpuTicks = 0;
  const poll = setInterval(() => {
    void readPeakKiB(child.pid).then((kib) => { peakKiB = Math.max(peakKiB, kib); });
    void readCpuTicks(child.pid).then((ticks) => { cpuTicks = Math.max(cpuTicks, ticks); });
  }, 50);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const reportsBytes = await folderBytes(reports);
  await rm(reports, { recursive: true, force: true });
  return {
    users,
    deviceRows: files.counts.devices,
    tokenRows: files.counts.tokens,
    mode: json ? 'validate --json' : 'validate',
    seconds: round(seconds, 2),
    cpuSeconds: round(cpuTicks / CLOCK_TICKS_PER_SECOND, 1),
    usersPerSecond: Math.round(users / seconds),
    peakRssMiB: round(peakKiB / 1024, 0),
    reportsMiB: round(reportsBytes / 2 ** 20, 0),
    exitCode,
  };
}

/** User + system CPU of the process so far, in clock ticks (/proc/<pid>/stat fields 14 and 15); the last poll before it exits. */
async function readCpuTicks(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // the child has exited between polls
  }
}

async function folderBytes(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

async function readPeakKiB(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
  } catch {
    return 0; // the child has exited between polls
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function printTable(rows: readonly Measurement[]): void {
  const header = ['users', 'device rows', 'token rows', 'mode', 'seconds', 'CPU s', 'users/s', 'peak RSS MiB', 'reports MiB', 'exit'];
  const lines = rows.map((row) => [
    row.users.toLocaleString('en-US'), row.deviceRows.toLocaleString('en-US'), row.tokenRows.toLocaleString('en-US'),
    row.mode, row.seconds.toFixed(2), row.cpuSeconds.toFixed(1), row.usersPerSecond.toLocaleString('en-US'), String(row.peakRssMiB), String(row.reportsMiB), String(row.exitCode),
  ]);
  process.stdout.write(formatTable(header, lines, 'markdown'));
}
