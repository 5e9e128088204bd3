/**
 * `mfa-migrate emulator`: serves the local Microsoft Graph emulator
 * (docs/design.md "emulator command") until Ctrl-C or SIGTERM. The first line on stdout is the base
 * URL (Graph paths below it, e.g. `/v1.0/users`), so scripts can read it; everything meant for a
 * person goes to stderr.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { inputError, usageError } from '../../errors.js';
import { FAULT_SPEC_HELP, parseFaultSpec, type FaultConfig } from '../../emulator/faults.js';
import { startEmulator } from '../../emulator/server.js';
import { readThrottleConfig, type ThrottleSetting } from '../../emulator/throttle.js';
import type { CliIo } from '../io.js';

interface EmulatorCommandOptions {
  readonly tenant: string;
  readonly port: string;
  readonly host: string;
  readonly throttle: string;
  readonly faults?: string;
  readonly https?: boolean;
  readonly maskPhoneNumbers?: boolean;
}

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw usageError('EMULATOR_PORT_INVALID', `--port ${value} is not a port number.`, 'Give a port between 1 and 65535, or 0 for any free port.');
  }
  return port;
}

async function readThrottleSetting(value: string): Promise<ThrottleSetting> {
  if (value === 'off' || value === 'realistic') return value;
  if (!value.toLowerCase().endsWith('.json')) {
    throw usageError('EMULATOR_THROTTLE_INVALID', `--throttle ${value} is not "realistic", "off" or a .json file.`, 'Use --throttle realistic, --throttle off, or --throttle my-limits.json.');
  }
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (cause) {
    throw inputError('EMULATOR_THROTTLE_UNREADABLE', `${value}: the throttle file cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check the path given to --throttle.', { file: value, cause });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw inputError('EMULATOR_THROTTLE_FILE_INVALID', `${value}: not valid JSON (${(cause as Error).message}).`, 'Write the throttle file as a JSON object, e.g. {"timeScale": 0.1, "writesPerWindow": 300}.', { file: value, cause });
  }
  const { config, problems } = readThrottleConfig(document);
  if (problems.length > 0) {
    throw inputError('EMULATOR_THROTTLE_FILE_INVALID', `${value}: ${problems.join('; ')}.`, 'Fix the throttle file; unknown keys are refused so a typo cannot silently keep the realistic limit.', { file: value });
  }
  return config;
}

export function registerEmulatorCommand(program: Command, io: CliIo): void {
  program
    .command('emulator')
    .description('serve a local Microsoft Graph emulator seeded from a tenant file, for rehearsals and tests')
    .requiredOption('--tenant <file>', 'tenant seed JSON (format: schemas/emulator-tenant.schema.json; sample: fixtures/tenant.json)')
    .option('--port <port>', 'port to listen on; 0 picks a free one', '0')
    .option('--host <address>', 'address to listen on (keep it loopback)', '127.0.0.1')
    .option('--throttle <mode>', 'Graph throttling: "realistic" (documented limits), "off", or a JSON file of limits (timeScale, writesPerWindow…)', 'realistic')
    .option('--faults <spec>', `inject faults: ${FAULT_SPEC_HELP}`)
    .option('--https', 'serve https with a generated certificate and an OAuth token endpoint (for @azure/identity)')
    .option('--mask-phone-numbers', 'answer phone numbers masked, as delegated authentication administrators see them')
    .addHelpText(
      'after',
      '\nPrints the base URL (e.g. http://127.0.0.1:50123; Graph paths below it such as /v1.0/users) as the first line on stdout, then serves until Ctrl-C.\nInspect with GET /_emulator/state and /_emulator/stats; POST /_emulator/reset returns to the seed.',
    )
    .action(async (options: EmulatorCommandOptions) => {
      const port = parsePort(options.port);
      const throttle = await readThrottleSetting(options.throttle);
      const faults: FaultConfig | null = options.faults === undefined ? null : parseFaultSpec(options.faults);
      const emulator = await startEmulator({
        tenant: options.tenant,
        port,
        host: options.host,
        https: options.https === true,
        throttle,
        faults,
        maskPhoneNumbers: options.maskPhoneNumbers === true,
      });
      io.stdout.write(`${emulator.url}\n`);
      const lines = [
        `Graph emulator for ${emulator.seed.tenant.displayName} (${emulator.seed.users.length} users) from ${options.tenant}`,
        `  Graph:     ${emulator.url}/v1.0 and ${emulator.url}/beta`,
        `  throttle:  ${typeof throttle === 'string' ? throttle : options.throttle}${options.faults === undefined ? '' : `; faults: ${options.faults}`}`,
      ];
      if (emulator.caCertPath !== null) {
        lines.push(`  token:     ${emulator.tokenUrl} (authority host ${emulator.authorityHost})`);
        lines.push(`  trust:     NODE_EXTRA_CA_CERTS=${emulator.caCertPath}`);
      } else {
        lines.push('  auth:      any bearer token (mfa-migrate --auth emulator sends one)');
      }
      if (emulator.caCertPath === null && !['127.0.0.1', '::1', 'localhost'].includes(options.host)) {
        lines.push(`  warning:   plain http on ${options.host} accepts any bearer token from anyone who can reach it; prefer 127.0.0.1 or --https`);
      }
      lines.push('  inspect:   /_emulator/state, /_emulator/stats; POST /_emulator/reset', 'Press Ctrl-C to stop.');
      io.stderr.write(`${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const stop = io.onInterrupt(() => {
          stop();
          resolve();
        });
      });
      await emulator.close();
      io.stderr.write('Emulator stopped.\n');
    });
}
