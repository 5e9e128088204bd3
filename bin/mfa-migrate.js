#!/usr/bin/env node
// Thin launcher: the compiled entry point owns argument parsing and exit codes.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
