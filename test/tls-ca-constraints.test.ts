/**
 * A CA that can sign only for mjsim (issue 18, defect 5): its key, kept in a project folder, signs a
 * certificate for example.com, and Node's TLS refuses it even though the CA is trusted; mjsim's own server
 * certificate passes. Both live at most a year; a CA made before the constraints is replaced; a new data
 * folder gets a `.gitignore` of `*`.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServerCertificate, permittedNamesOf, type PemPair } from '../src/tls/generate-certificates.js';
import { CA_KEY_FILE, DEFAULT_TLS_NAMES, ensureSelfSignedCertificate } from '../src/tls/self-signed.js';

const DAY = 86_400_000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-ca-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Connects with `ca` as the only trusted root to a local TLS server presenting `pair`, as `servername`. */
async function handshake(pair: PemPair, ca: string, servername: string, host = '127.0.0.1'): Promise<string> {
  const server = tls.createServer({ cert: pair.cert, key: pair.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  try {
    return await new Promise<string>((resolve) => {
      const socket = tls.connect({ host, port: (server.address() as AddressInfo).port, servername, ca }, () => {
        socket.destroy();
        resolve('accepted');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(`refused: ${error.message}`));
    });
  } finally {
    server.close();
  }
}

/** The CA's private key and certificate, as mjsim keeps them. */
const caPairIn = (folder: string): PemPair => {
  const text = readFileSync(join(folder, CA_KEY_FILE), 'utf8');
  return { key: /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(text)![0], cert: /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(text)![0] };
};

describe('the self-signed CA signs only for mjsim', () => {
  it('a certificate for example.com signed with the CA\'s key is refused by Node\'s TLS; mjsim\'s server certificate is accepted', async () => {
    const made = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, Date.now());
    expect(await handshake(made, made.ca, 'localhost')).toBe('accepted');
    const forged = await createServerCertificate(caPairIn(dir), ['example.com'], Date.now());
    // The forgery is well signed: only the Name Constraints stand in its way.
    expect(new X509Certificate(forged.cert).verify(new X509Certificate(made.ca).publicKey)).toBe(true);
    expect(await handshake(forged, made.ca, 'example.com')).toBe('refused: permitted subtree violation');
    // Another address, or a name that only ends like a permitted one, is refused too.
    const otherIp = await createServerCertificate(caPairIn(dir), ['127.0.0.2'], Date.now());
    expect(await handshake(otherIp, made.ca, 'x', '127.0.0.2')).toMatch(/^refused/);
    const lookalike = await createServerCertificate(caPairIn(dir), ['evillocalhost'], Date.now());
    expect(await handshake(lookalike, made.ca, 'evillocalhost')).toMatch(/^refused/);
  });

  it('carries critical Name Constraints for localhost, 127.0.0.1, ::1 and the extra names; CA and leaf live at most a year', async () => {
    const now = Date.now();
    const made = await ensureSelfSignedCertificate(dir, [...DEFAULT_TLS_NAMES, 'mjsim.test', '10.0.0.7'], now);
    expect(await permittedNamesOf(made.ca)).toEqual({
      dns: ['localhost', 'mjsim.test'],
      ips: ['7f000001', '00000000000000000000000000000001', '0a000007'],
    });
    for (const pem of [made.ca, made.cert]) {
      const cert = new X509Certificate(pem);
      expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBeLessThanOrEqual(366 * DAY);
      expect(Date.parse(cert.validTo)).toBeLessThanOrEqual(now + 365 * DAY);
    }
    expect(await handshake(made, made.ca, 'mjsim.test')).toBe('accepted');
  });

  it('replaces a CA made before the constraints (ten years, no Name Constraints), which could sign for anyone', async () => {
    writeFileSync(join(dir, CA_KEY_FILE), await legacyCa());
    const legacy = caPairIn(dir);
    const forgedByLegacy = await createServerCertificate(legacy, ['example.com'], Date.now());
    expect(await handshake(forgedByLegacy, legacy.cert, 'example.com')).toBe('accepted');
    const made = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, Date.now());
    expect(made.created).toEqual({ ca: true, server: true });
    expect(await permittedNamesOf(made.ca)).toBeDefined();
    const forged = await createServerCertificate(caPairIn(dir), ['example.com'], Date.now());
    expect(await handshake(forged, made.ca, 'example.com')).toBe('refused: permitted subtree violation');
  });

  it('a data folder mjsim creates gets a .gitignore of *; an existing folder is left alone', async () => {
    const fresh = join(dir, 'project', '.mjsim');
    await ensureSelfSignedCertificate(fresh, DEFAULT_TLS_NAMES, Date.now());
    expect(readFileSync(join(dir, 'project', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const existing = join(dir, 'mine');
    mkdirSync(existing);
    await ensureSelfSignedCertificate(existing, DEFAULT_TLS_NAMES, Date.now());
    expect(existsSync(join(existing, '.gitignore'))).toBe(false);
  });
});

/** A CA as mjsim made it before: ten years, no Name Constraints (key then certificate, one file). */
async function legacyCa(): Promise<string> {
  const { webcrypto, KeyObject } = await import('node:crypto');
  await import('reflect-metadata');
  const lib = await import('@peculiar/x509');
  lib.cryptoProvider.set(webcrypto as never);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=mjsim development CA old, O=mjsim',
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3_650 * DAY),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new lib.BasicConstraintsExtension(true, 0, true), new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign, true)],
  });
  return `${KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string}${cert.toString('pem').trim()}\n`;
}
