/**
 * The self-signed CA and server certificate kept in a folder: made once, reused, renewed when they must be,
 * and one CA even when several simulators start at once.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../src/tls/generate-certificates.js';
import { CA_FILE, CA_KEY_FILE, DEFAULT_TLS_NAMES, ensureSelfSignedCertificate, SERVER_FILE } from '../src/tls/self-signed.js';
import { readUserCertificate } from '../src/tls/user-certificate.js';

const DAY = 86_400_000;
const NOW = Date.now();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mjsim-certs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (file: string) => statSync(join(dir, file)).mode & 0o777;

describe('ensureSelfSignedCertificate', () => {
  it('makes a CA and a server certificate for localhost, 127.0.0.1 and ::1 that the CA verifies', async () => {
    const tls = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    expect(tls.created).toEqual({ ca: true, server: true });
    expect(tls.caPath).toBe(join(dir, CA_FILE));
    expect(readFileSync(tls.caPath, 'utf8')).toBe(tls.ca);
    const ca = new X509Certificate(tls.ca);
    const server = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(mode(CA_KEY_FILE)).toBe(0o600);
    expect(mode(SERVER_FILE)).toBe(0o600);
    expect(mode(CA_FILE)).toBe(0o644);
  });

  it('reuses both on the next start, so the CA is trusted once', async () => {
    const first = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const again = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW + DAY);
    expect(again.created).toEqual({ ca: false, server: false });
    expect(again.ca).toBe(first.ca);
    expect(again.cert).toBe(first.cert);
  });

  it('makes a new server certificate, signed by the same CA, when the names change', async () => {
    const first = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const more = await ensureSelfSignedCertificate(dir, [...DEFAULT_TLS_NAMES, 'mjsim', '10.0.0.7'], NOW);
    expect(more.created).toEqual({ ca: false, server: true });
    expect(more.ca).toBe(first.ca);
    const server = new X509Certificate(more.cert);
    expect(server.checkHost('mjsim')).toBe('mjsim');
    expect(server.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(server.verify(new X509Certificate(first.ca).publicKey)).toBe(true);
  });

  it('renews the server certificate 30 days before it expires, and the CA once it has expired', async () => {
    const first = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const nearEnd = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW + 368 * DAY);
    expect(nearEnd.created).toEqual({ ca: false, server: true });
    expect(nearEnd.ca).toBe(first.ca);
    const later = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW + 3_651 * DAY);
    expect(later.created).toEqual({ ca: true, server: true });
    expect(later.ca).not.toBe(first.ca);
    expect(readFileSync(join(dir, CA_FILE), 'utf8')).toBe(later.ca);
  });

  it('replaces a server certificate that another CA signed', async () => {
    await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const other = await createCertificateAuthority(NOW);
    writeFileSync(join(dir, CA_KEY_FILE), other.key + other.cert);
    const tls = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    expect(tls.created).toEqual({ ca: false, server: true });
    expect(tls.ca).toBe(other.cert);
    expect(readFileSync(join(dir, CA_FILE), 'utf8')).toBe(other.cert);
    expect(new X509Certificate(tls.cert).verify(new X509Certificate(other.cert).publicKey)).toBe(true);
  });

  it('ends with one CA when several simulators start at once on an empty folder', async () => {
    const all = await Promise.all([1, 2, 3, 4].map(() => ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW)));
    const kept = readFileSync(join(dir, CA_FILE), 'utf8');
    for (const tls of all) {
      expect(tls.ca).toBe(kept);
      expect(new X509Certificate(tls.cert).verify(new X509Certificate(kept).publicKey)).toBe(true);
    }
    expect(all.filter((tls) => tls.created.ca)).toHaveLength(1);
  });

  it('names the file and the way out when the CA file is damaged', async () => {
    writeFileSync(join(dir, CA_KEY_FILE), 'not a pem');
    await expect(ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW)).rejects.toThrow(`${join(dir, CA_KEY_FILE)} does not hold a private key and a certificate: delete it`);
  });
});

describe('readUserCertificate', () => {
  it('takes a matching certificate and key, as files or PEM text, and says what is wrong otherwise', async () => {
    const tls = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, tls.cert);
    writeFileSync(keyFile, tls.key);
    expect(readUserCertificate(certFile, keyFile)).toEqual({ cert: tls.cert, key: tls.key });
    expect(readUserCertificate(tls.cert, tls.key)).toEqual({ cert: tls.cert, key: tls.key });
    expect(readUserCertificate(join(dir, 'missing.pem'), keyFile)).toBe(`cannot read TLS certificate ${join(dir, 'missing.pem')}: ENOENT`);
    expect(readUserCertificate(keyFile, keyFile)).toMatch(/^TLS certificate .*key\.pem: not a PEM certificate/);
    const other = await createCertificateAuthority(NOW);
    expect(readUserCertificate(certFile, other.key)).toBe(`TLS key (PEM text) does not belong to the certificate ${certFile}`);
  });
});
