#!/usr/bin/env node
// The `mjsim` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { runCli } from '../dist/cli.js';

await runCli(process.argv);
