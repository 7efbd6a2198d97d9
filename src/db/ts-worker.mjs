// Starts a worker module written in TypeScript when mjsim runs from src/ (vitest, tsx benches): a Node 20
// worker thread does not inherit the main thread's tsx hooks, so it registers them, then imports the module
// named by its first argument. dist/ starts the compiled module directly and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
