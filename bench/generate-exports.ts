/**
 * Synthetic MFA Server exports of N users for the benchmarks (the generator itself is
 * test/support/generate-exports.ts, which the tests share):
 *
 *   node dist/bench/generate-exports.js --users 100000 --out bench/data/100k [--seed 42]
 *     [--devices-per-user 1] [--token-share 0.05] [--encoding utf8|utf16le]
 */
import { runGeneratorCommand } from '../test/support/generate-exports.js';

process.exitCode = await runGeneratorCommand(process.argv.slice(2));
