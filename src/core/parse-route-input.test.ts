import { describe, expect, it } from 'vitest';
import { assignedParseAddress, validateParseRouteInput } from './parse-route-input.js';

describe('validateParseRouteInput', () => {
  it('normalizes the Url like eventcallbackurl and keeps a port and credentials', () => {
    expect(validateParseRouteInput({ Url: 'HTTPS://u:p@Hooks.Example.com:8443/parse' }, 'create')).toEqual({
      ok: true,
      value: { Url: 'https://u:p@hooks.example.com:8443/parse' },
    });
  });
  it.each(['https://a.test', 'https://a.test/', 'https://u:p@a.test/?x=1#y'])('refuses the root %s', (Url) => {
    const result = validateParseRouteInput({ Url }, 'create');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem.message).toMatch(/cannot be the root of the site; give a path, e\.g\. https:\/\/.*a\.test\/mj_parse/);
  });
  it('requires Url on create only, trims Email, and refuses read-only and unknown properties', () => {
    expect(validateParseRouteInput({ Email: ' in@acme.example ' }, 'update')).toEqual({ ok: true, value: { Email: 'in@acme.example' } });
    expect(validateParseRouteInput({ Email: 'in@acme.example' }, 'create').ok).toBe(false);
    expect(validateParseRouteInput({ APIKeyID: 1 }, 'update')).toMatchObject({ ok: false, problem: { kind: 'read-only' } });
    expect(validateParseRouteInput({ Status: 'alive' }, 'update')).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(validateParseRouteInput({ Email: 'no-at-sign' }, 'update').ok).toBe(false);
  });
});

describe('assignedParseAddress', () => {
  it('draws 16 URL-safe characters from the injected random source', () => {
    expect(assignedParseAddress(() => 0)).toBe('AAAAAAAAAAAAAAAA@parse-in1.mailjet.com');
    expect(assignedParseAddress(() => 0.999999)).toBe('________________@parse-in1.mailjet.com');
  });
});
