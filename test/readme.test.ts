/**
 * The README is the front door: it gives the two set-up commands. The docs pages it links to show every
 * option (docs/cli.md), the exact default retry schedule (docs/delivery.md) and the no-Node examples (docs/ci.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../src/config/config.js';
import { RETRY_POLICIES, scheduleTable } from '../src/core/retry-policy.js';
import { VERSION } from '../src/core/version.js';

const page = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const readme = page('README.md');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; scripts: Record<string, string> };

describe('README', () => {
  it('prints the default schedule table exactly as the policy computes it (docs/delivery.md)', () => {
    expect(page('docs/delivery.md')).toContain(scheduleTable(RETRY_POLICIES['mailjet-2017']!));
  });

  it('documents every serve option with its environment variable and default (docs/cli.md)', () => {
    const cli = page('docs/cli.md');
    for (const option of OPTIONS) expect(cli).toContain(`| \`${option.flag}\` | \`${option.env}\` | ${option.default} |`);
  });

  it('gives the two set-up commands, and they exist', () => {
    expect(readme).toContain('npm install && npx mjsim serve');
    expect(readme).toContain('npm install && npm test');
    expect(pkg.scripts.test).toBeDefined();
  });

  it('shows the curl and Python examples exactly as scripts/container-test.sh runs them (docs/ci.md)', () => {
    const ci = page('docs/ci.md');
    for (const example of ['mjsim-webhooks.sh', 'mjsim_webhooks.py']) {
      expect(ci).toContain(readFileSync(new URL(`../examples/no-node/${example}`, import.meta.url), 'utf8'));
    }
  });

  it('names the version the webhook User-Agent sends', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
