/**
 * The folder mjsim keeps its files in (the database, its lock, the self-signed CA and its private key).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Makes `dir` (and its parents) when missing. A folder mjsim creates gets a `.gitignore` of `*` at its top,
 * so a project's `.mjsim/` (a database, a CA's private key) never lands in git by accident. A folder that
 * already existed is left as it is: it may be the project itself.
 *
 * @example
 * makeDataFolder('.mjsim'); // .mjsim/.gitignore holds "*" if .mjsim/ was new
 */
export function makeDataFolder(dir: string): void {
  const created = mkdirSync(resolve(dir), { recursive: true });
  if (created !== undefined) writeFileSync(join(created, '.gitignore'), '# made by mjsim: its data (a database, a private key) stays out of git\n*\n');
}
