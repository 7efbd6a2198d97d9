/**
 * Makes the self-signed CA and the server certificate it signs, with @peculiar/x509 over Node's WebCrypto
 * (ECDSA P-256, SHA-256). Both libraries are loaded on first use only: @peculiar/x509 needs a Reflect
 * polyfill installed globally, and a simulator without `--tls self-signed` should not get one.
 */
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** The CA outlives many leaves: users trust it once. */
export const CA_LIFETIME_MS = 10 * 365 * DAY_MS;
/** Under the 398 days browsers accept for a server certificate. */
export const LEAF_LIFETIME_MS = 397 * DAY_MS;
/** Certificates start an hour early so a client clock slightly behind still accepts them. */
const BACKDATE_MS = 3_600_000;

async function x509() {
  await import('reflect-metadata');
  const lib = await import('@peculiar/x509');
  lib.cryptoProvider.set(webcrypto as never);
  return lib;
}

/** A positive 128-bit serial number in hex, as RFC 5280 asks (unique, at most 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

const keyPem = (key: webcrypto.CryptoKey) => KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;

/**
 * A new certificate authority, valid from `now` for ten years.
 *
 * @example
 * const ca = await createCertificateAuthority(Date.now()); // { cert: '-----BEGIN CERTIFICATE-----…', key: '-----BEGIN PRIVATE KEY-----…' }
 */
export async function createCertificateAuthority(now: number): Promise<PemPair> {
  const lib = await x509();
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    // A short random tag tells apart the CAs of different machines once several are trusted.
    name: `CN=mjsim development CA ${randomBytes(4).toString('hex')}, O=mjsim`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: `${cert.toString('pem').trim()}\n`, key: keyPem(keys.privateKey) };
}

/**
 * A server certificate for `names` (host names and IP addresses), signed by `ca`.
 *
 * @example
 * const leaf = await createServerCertificate(ca, ['localhost', '127.0.0.1', '::1'], Date.now());
 */
export async function createServerCertificate(ca: PemPair, names: readonly string[], now: number): Promise<PemPair> {
  const lib = await x509();
  const caCert = new lib.X509Certificate(ca.cert);
  const caDer = createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' });
  const caKey = await webcrypto.subtle.importKey('pkcs8', caDer, ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${names[0] ?? 'localhost'}`,
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + LEAF_LIFETIME_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      new lib.SubjectAlternativeNameExtension(names.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name }))),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await lib.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: `${cert.toString('pem').trim()}\n`, key: keyPem(keys.privateKey) };
}
