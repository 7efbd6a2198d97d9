import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isSelfAddress, isSelfUrl, normalizeHost } from './self-target.js';

const on = (host: string, localAddresses: string[] = []) => ({ host, port: 7355, localAddresses: () => localAddresses });

describe('normalizeHost', () => {
  it('drops brackets, case and a trailing dot, and unmaps IPv4-mapped IPv6', () => {
    expect(normalizeHost('[::ffff:7f00:1]')).toBe('127.0.0.1');
    expect(normalizeHost('::ffff:127.0.0.9')).toBe('127.0.0.9');
    expect(normalizeHost('LocalHost.')).toBe('localhost');
    expect(normalizeHost('[::1]')).toBe('::1');
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'api.localhost', '127.0.0.1', '127.255.0.7', '::1', '[0:0:0:0:0:0:0:1]', '0.0.0.0', '::', '[::ffff:7f00:2]'])('%s is this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['10.0.0.1', '128.0.0.1', 'example.com', 'localhost.example.com', '::2', '[::ffff:a00:1]'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isSelfAddress', () => {
  it('needs the same port', () => {
    expect(isSelfAddress('127.0.0.1', 7356, on('127.0.0.1'))).toBe(false);
    expect(isSelfAddress('127.0.0.1', 7355, on('127.0.0.1'))).toBe(true);
  });
  it('on loopback: every loopback form, but not the machine\'s other addresses', () => {
    expect(isSelfAddress('[::1]', 7355, on('127.0.0.1', ['192.168.1.5']))).toBe(true);
    expect(isSelfAddress('192.168.1.5', 7355, on('127.0.0.1', ['192.168.1.5']))).toBe(false);
  });
  it('on every interface: loopback and every interface address', () => {
    for (const wildcard of ['0.0.0.0', '::']) {
      expect(isSelfAddress('192.168.1.5', 7355, on(wildcard, ['127.0.0.1', '192.168.1.5', 'fe80::1']))).toBe(true);
      expect(isSelfAddress('[fe80::1]', 7355, on(wildcard, ['fe80::1']))).toBe(true);
      expect(isSelfAddress('localhost', 7355, on(wildcard))).toBe(true);
      expect(isSelfAddress('192.168.1.6', 7355, on(wildcard, ['192.168.1.5']))).toBe(false);
    }
  });
  it('on one non-loopback address: that address only', () => {
    expect(isSelfAddress('192.168.1.5', 7355, on('192.168.1.5'))).toBe(true);
    expect(isSelfAddress('127.0.0.1', 7355, on('192.168.1.5'))).toBe(false);
  });
  it('a name a client reached it by', () => {
    expect(isSelfAddress('mjsim', 7355, { ...on('0.0.0.0'), reachedAs: ['mjsim:7355'] })).toBe(true);
    expect(isSelfAddress('receiver', 7355, { ...on('0.0.0.0'), reachedAs: ['mjsim:7355'] })).toBe(false);
  });
});

describe('isSelfUrl', () => {
  it('reads the port (default 80/443) and the host from the URL, credentials or not', () => {
    expect(isSelfUrl('http://k:s@127.0.0.1:7355/sim/events', on('127.0.0.1'))).toBe(true);
    expect(isSelfUrl('http://2130706433:7355/x', on('127.0.0.1'))).toBe(true);
    expect(isSelfUrl('http://localhost/x', { ...on('127.0.0.1'), port: 80 })).toBe(true);
    expect(isSelfUrl('https://localhost/x', { ...on('127.0.0.1'), port: 80 })).toBe(false);
    expect(isSelfUrl('https://hooks.example.com:7355/x', on('127.0.0.1'))).toBe(false);
    expect(isSelfUrl('not a url', on('127.0.0.1'))).toBe(false);
  });
});
