import { describe, expect, it } from 'vitest';
import { ConfigError, parseServeConfig } from './config.js';

describe('serve configuration bounds', () => {
  it('refuses an attempt timeout Node timers cannot hold, and a clock speed-up past 1000000x', () => {
    expect(() => parseServeConfig({ attemptTimeout: '100000000d' }, {})).toThrow(/at most 1d/);
    expect(() => parseServeConfig({ clock: '1e300x' }, {})).toThrow(ConfigError);
    expect(() => parseServeConfig({ clock: `1${'0'.repeat(300)}x` }, {})).toThrow(/at most 1000000x/);
    expect(parseServeConfig({ attemptTimeout: '1d', clock: '1000000x' }, {}).settings.attemptTimeoutMs).toBe(86_400_000);
  });
});
