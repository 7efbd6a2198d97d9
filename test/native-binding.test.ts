/**
 * The SQLite addon is named for the driver (src/db/native-binding.ts). Where an install keeps it somewhere
 * other than build/Release, the driver's own finder (`bindings`) must still find it, and a connection must
 * open with what it returns.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { locateNativeBinding, nativeBinding } from '../src/db/native-binding.js';

const require = createRequire(import.meta.url);
const realDriver = dirname(require.resolve('better-sqlite3/package.json'));
const realAddon = join(realDriver, 'build', 'Release', 'better_sqlite3.node');
const root = mkdtempSync(join(tmpdir(), 'mjsim-binding-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('names the addon under build/Release in this install', () => {
  expect(nativeBinding()).toBe(realAddon);
});

it('falls back to the driver finder when the addon is elsewhere, and a connection opens with it', () => {
  // An install whose driver keeps its addon in build/Debug, as a debug build does.
  const driver = join(root, 'node_modules', 'better-sqlite3');
  mkdirSync(join(driver, 'build', 'Debug'), { recursive: true });
  copyFileSync(join(realDriver, 'package.json'), join(driver, 'package.json'));
  symlinkSync(realAddon, join(driver, 'build', 'Debug', 'better_sqlite3.node'));
  symlinkSync(dirname(require.resolve('bindings/package.json')), join(root, 'node_modules', 'bindings'));
  const from = pathToFileURL(join(root, 'caller.js'));

  const found = locateNativeBinding(from);
  expect(typeof found).not.toBe('string');
  const client = new Database(':memory:', { nativeBinding: found });
  expect(client.prepare('select 40 + 2 as n').get()).toEqual({ n: 42 });
  client.close();
});

it('fails clearly when no addon is there at all', () => {
  const bare = join(root, 'bare', 'node_modules', 'better-sqlite3');
  mkdirSync(bare, { recursive: true });
  copyFileSync(join(realDriver, 'package.json'), join(bare, 'package.json'));
  symlinkSync(dirname(require.resolve('bindings/package.json')), join(root, 'bare', 'node_modules', 'bindings'));
  expect(() => locateNativeBinding(pathToFileURL(join(root, 'bare', 'caller.js')))).toThrow(/Could not locate the bindings file/);
});
