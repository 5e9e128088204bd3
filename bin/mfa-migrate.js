#!/usr/bin/env node
// Thin launcher: the compiled entry point owns argument parsing and exit codes.
import { main } from '../dist/src/cli/main.js';

// `mfa-migrate … | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv);
