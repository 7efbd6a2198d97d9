import { describe, expect, it } from 'vitest';
import { covers, decodeNameConstraints, encodeNameConstraints, permittedFor, unionOf } from './name-constraints.js';

describe('name constraints', () => {
  it('permits a DNS name and the names under it, an address exactly, a wildcard by its parent', () => {
    const permitted = permittedFor(['localhost', '127.0.0.1', '::1', '*.dev.test']);
    expect(permitted).toEqual({ dns: ['localhost', 'dev.test'], ips: ['7f000001', '00000000000000000000000000000001'] });
    expect(covers(permitted, ['localhost', 'api.localhost', 'a.dev.test', '127.0.0.1', '0:0:0:0:0:0:0:1'])).toBe(true);
    expect(covers(permitted, ['example.com'])).toBe(false);
    expect(covers(permitted, ['evillocalhost'])).toBe(false);
    expect(covers(permitted, ['127.0.0.2'])).toBe(false);
  });

  it('reads back what it writes, IPv4-in-IPv6 included; refuses a shape it did not write', () => {
    const permitted = unionOf(permittedFor(['localhost', '10.0.0.7']), permittedFor(['::ffff:10.0.0.8', 'mjsim']));
    expect(decodeNameConstraints(encodeNameConstraints(permitted))).toEqual(permitted);
    expect(permitted.ips).toContain('00000000000000000000ffff0a000008');
    expect(decodeNameConstraints(new Uint8Array([0x30, 0x03, 0xa1, 0x01, 0x00]))).toBeUndefined();
    expect(decodeNameConstraints(new Uint8Array([0x30, 0x05]))).toBeUndefined();
  });
});
