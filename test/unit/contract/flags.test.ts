/**
 * docs/flags.md lists every command with its options, defaults, choices and environment variables,
 * written from the commander program itself: the test fails when the committed file differs, so a
 * renamed option, a new default or a dropped choice is a visible diff in review. `npm run generate`
 * rewrites the file.
 */
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { capturedIo } from '../../support/captured-io.js';

function silentProgram(): Command {
  return buildProgram(capturedIo());
}

/** Table cells must not break the row, and `<placeholder>` in a description is text, not HTML. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function prose(text: string): string {
  return cell(text).replaceAll('<', '\\<').replaceAll('>', '\\>');
}

function defaultOf(option: Option): string {
  if (option.defaultValueDescription !== undefined) return option.defaultValueDescription;
  if (option.negate || option.defaultValue === undefined) return '';
  return `\`${JSON.stringify(option.defaultValue)}\``;
}

function optionRow(option: Option): string {
  const flags = `\`${option.flags}\`${option.mandatory ? ' (required)' : ''}`;
  const choices = (option.argChoices ?? []).map((choice) => `\`${choice}\``).join(', ');
  const env = option.envVar === undefined ? '' : `\`${option.envVar}\``;
  return `| ${cell(flags)} | ${cell(defaultOf(option))} | ${cell(choices)} | ${env} | ${prose(option.description)} |`;
}

function commandSection(command: Command): string {
  const options = command.options;
  return [
    `## ${command.name()}`,
    '',
    prose(command.description()),
    '',
    '| option | default | choices | environment | what it does |',
    '|---|---|---|---|---|',
    ...options.map(optionRow),
    '',
  ].join('\n');
}

function flagReference(program: Command): string {
  return [
    '# Commands and options',
    '',
    'Every command of `mfa-migrate` with its options, written from the command-line program',
    '(`src/cli/`) by `npm run generate`. `test/unit/contract/flags.test.ts` fails when this file and',
    'the program differ, so a change to the command line shows here in review. Do not edit by hand.',
    '',
    `\`mfa-migrate <command> [options]\`; \`mfa-migrate --version\`, \`mfa-migrate <command> --help\`.`,
    '',
    ...program.commands.map(commandSection),
  ].join('\n');
}

describe('the command line', () => {
  it('is docs/flags.md, as committed', async () => {
    await expect(flagReference(silentProgram())).toMatchFileSnapshot('../../../docs/flags.md');
  });

  it('names every command the product has', () => {
    expect(silentProgram().commands.map((command) => command.name())).toEqual(['validate', 'plan', 'apply', 'sync', 'status', 'rollback', 'verify', 'demo', 'report', 'emulator']);
  });
});
