/**
 * Where the browser tests find Chromium, and what they do without it. `npm test` installs nothing: a
 * machine without Chromium skips the browser tests with one line saying how to get it, except in CI
 * (`CI=true`, as `.ci/run` and most CI services set it), where a missing browser fails the run, so a
 * broken CI image cannot pass by skipping the dashboard.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's package by default; `MJSIM_CHROMIUM` points elsewhere (a macOS Chrome, another distribution's path). */
export const CHROMIUM = process.env.MJSIM_CHROMIUM || '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const HOW_TO_GET_IT =
  'install it (Debian/Ubuntu: `sudo apt-get install chromium`; elsewhere set MJSIM_CHROMIUM to a Chromium or Chrome binary)';

/**
 * Whether the browser tests of `file` can run: true when Chromium is there; false, after one line on
 * stderr, when it is not; throws under `CI=true`.
 *
 * @example
 * const hasBrowser = browserAvailable('dashboard.browser.test.ts');
 * describe.skipIf(!hasBrowser)('dashboard in a browser', () => { ... });
 */
export function browserAvailable(file: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing and CI=true: ${HOW_TO_GET_IT}; .ci/run installs it before npm test`);
  process.stderr.write(`${file}: skipped, ${CHROMIUM} is missing: ${HOW_TO_GET_IT}\n`);
  return false;
}

/** Launches headless Chromium for a test. @example const browser = await launchBrowser(); */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
