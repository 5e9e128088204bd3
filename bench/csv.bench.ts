/**
 * Benchmark: CSV records per second of `csvRecords` (our tokenizer) against the csv-parse
 * implementation it replaced, over a generated users.csv. The file is decoded once into memory,
 * in the reader's own 64 KiB chunks, so the figures are parsing alone; each reader runs
 * `--rounds` times, alternating, and the best round counts.
 *
 *   npm run build && node dist/bench/csv.bench.js [--data bench/data] [--rounds 3]
 *
 * Uses bench/data/1000000 when its manifest exists, else generates 200,000 users into
 * bench/data/csv-200000.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { csvRecords } from '../src/source/csv-records.js';
import type { CsvRecord } from '../src/source/csv-records.js';
import { openDecodedText } from '../src/source/decode.js';
import { csvParseRecords } from '../test/support/csv-parse-records.js';
import { generateExports, type GeneratedFiles } from '../test/support/generate-exports.js';
import { formatTable } from './table.js';

type Reader = (file: string, text: AsyncIterable<string>) => AsyncGenerator<readonly CsvRecord[], void, undefined>;

interface Round {
  readonly records: number;
  readonly seconds: number;
  // Sum of field lengths, so neither reader's output can be optimised away unseen.
  readonly characters: number;
}

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'bench/data' },
    rounds: { type: 'string', default: '3' },
  },
});
const rounds = Number.parseInt(values.rounds, 10);

const usersFile = await usersCsv(values.data);
const chunks = await decoded(usersFile);
const readers: readonly (readonly [string, Reader])[] = [
  ['csv-parse (old)', csvParseRecords],
  ['tokenizer (new)', csvRecords],
];
const best = new Map<string, Round>();
for (let round = 0; round < rounds; round++) {
  for (const [name, reader] of readers) {
    const measured = await measure(reader, chunks);
    const previous = best.get(name);
    if (previous === undefined || measured.seconds < previous.seconds) best.set(name, measured);
  }
}
printTable(usersFile, best);

async function usersCsv(dataDir: string): Promise<string> {
  const million = join(dataDir, '1000000', 'manifest.json');
  if (existsSync(million)) return (JSON.parse(await readFile(million, 'utf8')) as GeneratedFiles).users;
  const outDir = join(dataDir, 'csv-200000');
  const manifest = join(outDir, 'manifest.json');
  if (existsSync(manifest)) return (JSON.parse(await readFile(manifest, 'utf8')) as GeneratedFiles).users;
  process.stderr.write(`generating 200,000 users into ${outDir} …\n`);
  const files = await generateExports({ users: 200_000, outDir, seed: 42, devicesPerUser: 1, tokenShare: 0.05, encoding: 'utf8' });
  await writeFile(manifest, JSON.stringify(files));
  return files.users;
}

async function decoded(file: string): Promise<string[]> {
  const text = await openDecodedText(file, { encoding: 'auto' });
  const all: string[] = [];
  for await (const chunk of text.chunks) all.push(chunk);
  return all;
}

async function* replay(all: readonly string[]): AsyncGenerator<string, void, undefined> {
  // Awaiting nothing still costs a tick per chunk, as a file read does.
  for (const chunk of all) yield await Promise.resolve(chunk);
}

async function measure(reader: Reader, all: readonly string[]): Promise<Round> {
  let records = 0;
  let characters = 0;
  const started = process.hrtime.bigint();
  for await (const batch of reader('users.csv', replay(all))) {
    records += batch.length;
    for (const record of batch) for (const field of record.fields) characters += field.length;
  }
  return { records, characters, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function printTable(file: string, results: ReadonlyMap<string, Round>): void {
  const oldRound = results.get('csv-parse (old)');
  const header = ['reader', 'records', 'seconds', 'records/s', 'speed-up'];
  const lines = [...results].map(([name, round]) => [
    name,
    round.records.toLocaleString('en-US'),
    round.seconds.toFixed(2),
    Math.round(round.records / round.seconds).toLocaleString('en-US'),
    oldRound === undefined ? '' : `${(oldRound.seconds / round.seconds).toFixed(2)}×`,
  ]);
  console.log(`${file}, best of ${rounds} rounds, parsing only (text decoded beforehand)`);
  process.stdout.write(formatTable(header, lines, 'markdown'));
  const characters = new Set([...results.values()].map((round) => `${round.records}/${round.characters}`));
  if (characters.size > 1) console.log('warning: the readers disagree on the records or their text');
}
