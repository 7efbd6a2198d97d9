/**
 * The README is the front door: it must show every option and the exact default retry schedule.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../src/config.js';
import { RETRY_POLICIES, scheduleTable } from '../src/core/retry-policy.js';
import { VERSION } from '../src/version.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; scripts: Record<string, string> };

describe('README', () => {
  it('prints the default schedule table exactly as the policy computes it', () => {
    expect(readme).toContain(scheduleTable(RETRY_POLICIES['mailjet-2017']!));
  });

  it('documents every serve option with its environment variable and default', () => {
    for (const option of OPTIONS) expect(readme).toContain(`| \`${option.flag}\` | \`${option.env}\` | ${option.default} |`);
  });

  it('gives the two set-up commands, and they exist', () => {
    expect(readme).toContain('npm install && npx mjsim serve');
    expect(readme).toContain('npm install && npm test');
    expect(pkg.scripts.test).toBeDefined();
  });

  it('shows the curl and Python examples exactly as scripts/container-test.sh runs them', () => {
    for (const example of ['mjsim-webhooks.sh', 'mjsim_webhooks.py']) {
      expect(readme).toContain(readFileSync(new URL(`../examples/no-node/${example}`, import.meta.url), 'utf8'));
    }
  });

  it('names the version the webhook User-Agent sends', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
