import { describe, expect, it } from 'vitest';
import { maskCredentials, MAX_URL_LENGTH, normalizeWebhookUrl } from './webhook-url.js';

describe('normalizeWebhookUrl', () => {
  it('returns what new URL() requests, and is idempotent', () => {
    for (const raw of ['HTTPS://A.Example', 'http://127.0.0.1:80/x/../y', 'https://u:p@h.test:8443/a b#f', 'https://h.test/a\\b']) {
      const check = normalizeWebhookUrl(raw);
      expect(check.ok, raw).toBe(true);
      if (!check.ok) continue;
      expect(check.url).toBe(new URL(raw).href);
      expect(normalizeWebhookUrl(check.url)).toEqual(check);
    }
  });

  it('refuses exactly the inputs whose parsed form would silently differ from what is shown', () => {
    // The parser would have accepted each of these as another URL: that is the defect being closed.
    for (const raw of ['https://h.test/a\tb', 'https://h.test/a\nb', 'http:///x', 'http:\\\\x', 'http:x']) {
      expect(URL.canParse(raw), raw).toBe(true);
      expect(normalizeWebhookUrl(raw).ok, raw).toBe(false);
    }
    expect(new URL('http:///x').hostname).toBe('x');
  });

  it('bounds the length before and after normalization', () => {
    expect(normalizeWebhookUrl(`https://h.test/${'a'.repeat(MAX_URL_LENGTH)}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/longer than 2048/) });
    // Spaces grow to %20 when normalized.
    const spaced = `https://h.test/${' '.repeat(MAX_URL_LENGTH - 20)}x`;
    expect(spaced.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
    expect(normalizeWebhookUrl(spaced)).toMatchObject({ ok: false, reason: expect.stringMatching(/normalized form is longer/) });
  });

  it('refuses non-http schemes and unparsable hosts', () => {
    for (const raw of ['ftp://h.test/x', 'mailto:a@b.c', '//h.test/x', 'http://a b/', 'http://user@/x', 'http://[::1/']) {
      expect(normalizeWebhookUrl(raw), raw).toMatchObject({ ok: false, reason: expect.stringMatching(/absolute http/) });
    }
  });
});

describe('maskCredentials', () => {
  it('hides a username and a password, and leaves other URLs as they are', () => {
    expect(maskCredentials('https://user:pass@hooks.test/x')).toBe('https://***:***@hooks.test/x');
    expect(maskCredentials('https://user@hooks.test/x')).toBe('https://***@hooks.test/x');
    expect(maskCredentials('https://hooks.test/x?token=t')).toBe('https://hooks.test/x?token=t');
    expect(maskCredentials('not a url')).toBe('not a url');
  });
});
