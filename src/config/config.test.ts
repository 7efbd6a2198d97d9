import { describe, expect, it } from 'vitest';
import { ConfigError, parseServeConfig } from './config.js';

describe('serve configuration bounds', () => {
  it('refuses an attempt timeout Node timers cannot hold, and a clock speed-up past 1000000x', () => {
    expect(() => parseServeConfig({ attemptTimeout: '100000000d' }, {})).toThrow(/--attempt-timeout: expected a duration from 1ms to 1d/);
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
    expect(() => parseServeConfig({ stopTimeout: 'soon' }, {})).toThrow(/--stop-timeout: "soon" is not a duration/);
    expect(() => parseServeConfig({ stopTimeout: '2m' }, {})).toThrow(ConfigError);
  });
});

describe('MJSIM_API_KEY', () => {
  const pairs = (config: { apiKeys: readonly { publicKey: string; secretKey: string }[] }) => config.apiKeys.map((key) => `${key.publicKey}:${key.secretKey}`);
  it('serves the pair the CLI sends, beside MJSIM_API_KEYS; --api-key flags replace both', () => {
    expect(pairs(parseServeConfig({}, { MJSIM_API_KEY: 'a:b' }))).toEqual(['a:b']);
    expect(pairs(parseServeConfig({}, { MJSIM_API_KEYS: 'c:d,a:b', MJSIM_API_KEY: 'a:b' }))).toEqual(['c:d', 'a:b']);
    expect(pairs(parseServeConfig({}, { MJSIM_API_KEYS: 'c:d', MJSIM_API_KEY: 'a:b' }))).toEqual(['c:d', 'a:b']);
    expect(pairs(parseServeConfig({ apiKeys: ['e:f'] }, { MJSIM_API_KEYS: 'c:d', MJSIM_API_KEY: 'a:b' }))).toEqual(['e:f']);
  });

  it('refuses two secrets for one public key, naming both variables', () => {
    expect(() => parseServeConfig({}, { MJSIM_API_KEYS: 'a:one', MJSIM_API_KEY: 'a:two' })).toThrow(/MJSIM_API_KEY and MJSIM_API_KEYS give public key "a" different secrets/);
    expect(() => parseServeConfig({}, { MJSIM_API_KEY: 'nocolon' })).toThrow(/^MJSIM_API_KEY: invalid API key pair/);
  });
});
