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

describe('--stop-timeout', () => {
  it('defaults to 2 s, takes a flag over MJSIM_STOP_TIMEOUT, allows 0 and refuses the rest', () => {
    expect(parseServeConfig({}, {}).stopTimeoutMs).toBe(2_000);
    expect(parseServeConfig({}, { MJSIM_STOP_TIMEOUT: '500ms' }).stopTimeoutMs).toBe(500);
    expect(parseServeConfig({ stopTimeout: '0' }, { MJSIM_STOP_TIMEOUT: '500ms' }).stopTimeoutMs).toBe(0);
    expect(() => parseServeConfig({ stopTimeout: 'soon' }, {})).toThrow(/invalid duration "soon"/);
    expect(() => parseServeConfig({ stopTimeout: '2m' }, {})).toThrow(ConfigError);
  });
});
