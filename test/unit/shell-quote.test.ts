/** Printed commands paste back into bash/zsh and into PowerShell, whatever the paths hold. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine, currentShell, shellQuote } from '../../src/shell-quote.js';

const HOSTILE = ['plain.csv', 'with space.csv', "o'brien.db", 'a$b`c', 'semi;colon', '@splat', 'a,b', 'C:\\Users\\Ann Lee\\users.csv', '', 'ümlaut', '"double"', '#hash', '(paren)'];

describe('shellQuote for POSIX shells', () => {
  it.each([
    ['plain.csv', 'plain.csv'],
    ['./reports/run-1', './reports/run-1'],
    ['with space.csv', "'with space.csv'"],
    ["o'brien.db", "'o'\\''brien.db'"],
    ['', "''"],
  ])('%s → %s', (argument, quoted) => {
    expect(shellQuote(argument, 'posix')).toBe(quoted);
  });

  it('gives back every argument unchanged when sh reads it', () => {
    for (const argument of HOSTILE) {
      const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(argument, 'posix')}`], { encoding: 'utf8' });
      expect(echoed, argument).toBe(argument);
    }
  });
});

describe('shellQuote for PowerShell', () => {
  it.each([
    ['plain.csv', 'plain.csv'],
    ['C:\\exports\\users.csv', 'C:\\exports\\users.csv'],
    ['C:\\Users\\Ann Lee\\users.csv', "'C:\\Users\\Ann Lee\\users.csv'"],
    ["o'brien.db", "'o''brien.db'"],
    ['@splat', "'@splat'"],
    ['a,b', "'a,b'"],
    ['a$b`c', "'a$b`c'"],
    ['', "''"],
  ])('%s → %s', (argument, quoted) => {
    expect(shellQuote(argument, 'powershell')).toBe(quoted);
  });
});

describe('commandLine', () => {
  it('quotes for the platform: PowerShell on Windows, POSIX elsewhere', () => {
    expect(currentShell('win32')).toBe('powershell');
    expect(currentShell('linux')).toBe('posix');
    expect(currentShell('darwin')).toBe('posix');
    expect(commandLine(['rollback', '--run', 'r1', '--state', 'C:\\mfa\\my journal.db'], 'powershell')).toBe("mfa-migrate rollback --run r1 --state 'C:\\mfa\\my journal.db'");
    expect(commandLine(['apply', '--resume', 'r1', '--state', "it's here.db"], 'posix')).toBe("mfa-migrate apply --resume r1 --state 'it'\\''s here.db'");
  });
});
