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
import { permittedFor } from '../src/tls/name-constraints.js';
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

  it('makes a new CA (keeping the old names) and server certificate when a name falls outside the CA\'s constraints; fewer names keep both CAs', async () => {
    const first = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const more = await ensureSelfSignedCertificate(dir, [...DEFAULT_TLS_NAMES, 'mjsim', '10.0.0.7'], NOW);
    expect(more.created).toEqual({ ca: true, server: true });
    expect(more.ca).not.toBe(first.ca);
    const server = new X509Certificate(more.cert);
    expect(server.checkHost('mjsim')).toBe('mjsim');
    expect(server.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(server.verify(new X509Certificate(more.ca).publicKey)).toBe(true);
    // Back to the default names: covered by the new CA, which stays; only the server certificate changes.
    const fewer = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    expect(fewer.created).toEqual({ ca: false, server: false });
    const again = await ensureSelfSignedCertificate(dir, [...DEFAULT_TLS_NAMES, 'mjsim'], NOW);
    expect(again.created.ca).toBe(false);
  });

  it('renews the CA and the server certificate 30 days before the CA expires (a year)', async () => {
    const first = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const stillGood = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW + 330 * DAY);
    expect(stillGood.created).toEqual({ ca: false, server: false });
    const nearEnd = await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW + 340 * DAY);
    expect(nearEnd.created).toEqual({ ca: true, server: true });
    expect(nearEnd.ca).not.toBe(first.ca);
    expect(readFileSync(join(dir, CA_FILE), 'utf8')).toBe(nearEnd.ca);
  });

  it('replaces a server certificate that another CA signed', async () => {
    await ensureSelfSignedCertificate(dir, DEFAULT_TLS_NAMES, NOW);
    const other = await createCertificateAuthority(NOW, permittedFor(DEFAULT_TLS_NAMES));
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
    const other = await createCertificateAuthority(NOW, permittedFor(DEFAULT_TLS_NAMES));
    expect(readUserCertificate(certFile, other.key)).toBe(`TLS key (PEM text) does not belong to the certificate ${certFile}`);
  });
});
