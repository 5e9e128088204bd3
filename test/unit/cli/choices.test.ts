/**
 * Choices as admins type them: any case, and the names Graph PowerShell and az give the clouds,
 * read as the canonical value; anything else is a usage error that lists what is accepted.
 */
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { MigrateError } from '../../../src/errors.js';
import { CLOUD_ALIASES, CLOUD_NAMES } from '../../../src/graph/clouds.js';
import { AUTH_MODES } from '../../../src/graph/credentials.js';
import { choicesOf } from '../../../src/cli/options.js';

function parse(option: Option, argv: readonly string[]): Record<string, unknown> {
  const command = new Command().exitOverride().configureOutput({ writeErr: () => undefined }).addOption(option);
  command.parse(['node', 'test', ...argv]);
  return command.opts();
}

describe('choicesOf', () => {
  const cloud = (): Option => choicesOf(new Option('--cloud <cloud>', 'cloud'), CLOUD_NAMES, CLOUD_ALIASES).default('global');

  it.each([
    ['USGov', 'usgov'],
    ['usgov', 'usgov'],
    ['USGovDoD', 'dod'],
    ['China', 'china'],
    ['AzureUSGovernment', 'usgov'],
    ['AzureChinaCloud', 'china'],
    ['AzureCloud', 'global'],
    ['Global', 'global'],
  ])('--cloud %s is %s', (given, expected) => {
    expect(parse(cloud(), ['--cloud', given])['cloud']).toBe(expected);
  });

  it('--auth Secret is secret, in any case', () => {
    expect(parse(choicesOf(new Option('--auth <mode>', 'auth'), AUTH_MODES), ['--auth', 'Secret'])['auth']).toBe('secret');
    expect(parse(choicesOf(new Option('--auth <mode>', 'auth'), AUTH_MODES), ['--auth', 'DEVICE-CODE'])['auth']).toBe('device-code');
  });

  it('refuses a value it does not know with OPTION_INVALID, listing the values and aliases', () => {
    let thrown: unknown = null;
    try {
      parse(cloud(), ['--cloud', 'Germany']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MigrateError);
    expect(thrown).toMatchObject({ code: 'OPTION_INVALID', exitCode: 2 });
    expect((thrown as MigrateError).message).toContain('--cloud "Germany" is not one of global, usgov, dod, china');
    expect((thrown as MigrateError).remedy).toContain('azureusgovernment');
  });

  it('keeps the default when the option is not given', () => {
    expect(parse(cloud(), [])['cloud']).toBe('global');
  });
});
