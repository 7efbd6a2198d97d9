/**
 * Makes the self-signed CA and the server certificate it signs, with @peculiar/x509 over Node's WebCrypto
 * (ECDSA P-256, SHA-256). Both libraries are loaded on first use only: @peculiar/x509 needs a Reflect
 * polyfill installed globally, and a simulator without `--tls self-signed` should not get one.
 */
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { decodeNameConstraints, encodeNameConstraints, NAME_CONSTRAINTS_OID, type PermittedNames } from './name-constraints.js';

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/**
 * At most a year, for the CA as for its leaves: a CA whose key sits in a project folder should not stay
 * trusted for long after the project is gone. A leaf never outlives its CA.
 */
export const CA_LIFETIME_MS = 365 * DAY_MS;
export const LEAF_LIFETIME_MS = 365 * DAY_MS;
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
 * A new certificate authority, valid from `now` for a year, that may sign only for `permitted` (critical
 * Name Constraints: name-constraints.ts).
 *
 * @example
 * const ca = await createCertificateAuthority(Date.now(), permittedFor(['localhost', '127.0.0.1', '::1']));
 * // { cert: '-----BEGIN CERTIFICATE-----…', key: '-----BEGIN PRIVATE KEY-----…' }
 */
export async function createCertificateAuthority(now: number, permitted: PermittedNames): Promise<PemPair> {
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
      new lib.Extension(NAME_CONSTRAINTS_OID, true, encodeNameConstraints(permitted)),
    ],
  });
  return { cert: `${cert.toString('pem').trim()}\n`, key: keyPem(keys.privateKey) };
}

/**
 * What a CA certificate may sign for: its critical Name Constraints as mjsim writes them, or undefined
 * (a CA made before mjsim constrained them, or not mjsim's shape): such a CA is replaced.
 *
 * @example
 * await permittedNamesOf(ca.cert) // { dns: ['localhost'], ips: ['7f000001', '00000000000000000000000000000001'] }
 */
export async function permittedNamesOf(caPem: string): Promise<PermittedNames | undefined> {
  const lib = await x509();
  const extension = new lib.X509Certificate(caPem).getExtension(NAME_CONSTRAINTS_OID);
  if (!extension?.critical) return undefined;
  return decodeNameConstraints(new Uint8Array(extension.value));
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
    notAfter: new Date(Math.min(now + LEAF_LIFETIME_MS, caCert.notAfter.getTime())),
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
