/**
 * `--tls self-signed`: a CA and a server certificate that mjsim makes once and keeps in a folder (beside the
 * database), so users trust the CA once. Several simulators may start at once on the same folder (parallel
 * test workers): the CA is created with an exclusive link, so all of them end up with the same one.
 *
 * The CA can sign only for the names mjsim serves (critical Name Constraints: localhost, 127.0.0.1, ::1,
 * the listening host, `--tls-names`) and lives a year, so a copy of its key, which sits in a project
 * folder, cannot be used to impersonate any other site, even on a machine that trusts the CA. A new name
 * outside those constraints, a CA made before mjsim constrained them, or a CA with less than 30 days to live
 * is replaced (users trust the new one once); the new CA keeps the old one's names.
 */
import { randomBytes, X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { makeDataFolder } from '../db/data-folder.js';
import { createCertificateAuthority, createServerCertificate, permittedNamesOf, type PemPair } from './generate-certificates.js';
import { covers, permittedFor, unionOf } from './name-constraints.js';

/** The CA certificate users trust (`NODE_EXTRA_CA_CERTS`, `curl --cacert`, …). */
export const CA_FILE = 'mjsim-ca.pem';
/** The CA's private key and certificate (mode 0600): only mjsim reads it. */
export const CA_KEY_FILE = 'mjsim-ca-key.pem';
/** The server certificate and its private key (mode 0600). */
export const SERVER_FILE = 'mjsim-tls.pem';

/** The names every self-signed certificate covers. */
export const DEFAULT_TLS_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

/** A CA or server certificate is made anew when it has less than this left to live. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** What `ensureSelfSignedCertificate` found or made. */
export interface SelfSignedCertificate extends PemPair {
  /** Path of the CA certificate to trust. */
  readonly caPath: string;
  /** The CA certificate (PEM). */
  readonly ca: string;
  /** Whether this call made a new CA (users must trust it again) or a new server certificate. */
  readonly created: { readonly ca: boolean; readonly server: boolean };
}

/**
 * Loads the CA and server certificate kept in `dir`, or makes them: a new CA when none is there, it expires
 * within 30 days, or its Name Constraints are missing or leave out one of `names`; a new server certificate
 * when none is there, it expires within 30 days, it was signed by another CA, or it does not cover every one
 * of `names`. A new `dir` gets a `.gitignore` of `*`: the CA's private key stays out of git.
 *
 * @example
 * const tls = await ensureSelfSignedCertificate('.mjsim', ['localhost', '127.0.0.1', '::1'], Date.now());
 * https.createServer({ cert: tls.cert, key: tls.key }); // clients trust tls.caPath
 */
export async function ensureSelfSignedCertificate(dir: string, names: readonly string[], now: number): Promise<SelfSignedCertificate> {
  makeDataFolder(dir);
  const caKeyPath = join(dir, CA_KEY_FILE);
  let ca = readPair(caKeyPath);
  let createdCa = false;
  const permitted = ca && !expiresBefore(ca.cert, now + RENEW_BEFORE_MS) ? await permittedNamesOf(ca.cert) : undefined;
  if (!ca || !permitted || !covers(permitted, names)) {
    const wanted = permittedFor(names);
    const fresh = await createCertificateAuthority(now, permitted ? unionOf(permitted, wanted) : wanted);
    const text = fresh.key + fresh.cert;
    // A CA unfit to keep is replaced; a missing one is created only if no other process got there first.
    if (ca) writeAtomically(caKeyPath, text, 0o600);
    else writeExclusively(caKeyPath, text, 0o600);
    ca = readPair(caKeyPath) as PemPair;
    createdCa = ca.cert === fresh.cert;
  }
  const caPath = join(dir, CA_FILE);
  if (!existsSync(caPath) || readFileSync(caPath, 'utf8') !== ca.cert) writeAtomically(caPath, ca.cert, 0o644);

  const serverPath = join(dir, SERVER_FILE);
  let server = readPair(serverPath);
  let createdServer = false;
  if (!server || !fits(server, ca, names, now)) {
    server = await createServerCertificate(ca, names, now);
    writeAtomically(serverPath, server.key + server.cert, 0o600);
    createdServer = true;
  }
  return { cert: server.cert, key: server.key, caPath, ca: ca.cert, created: { ca: createdCa, server: createdServer } };
}

/** A kept server certificate is reused only if it is sound, signed by `ca`, current, and covers `names`. */
function fits(server: PemPair, ca: PemPair, names: readonly string[], now: number): boolean {
  try {
    const cert = new X509Certificate(server.cert);
    const issuer = new X509Certificate(ca.cert);
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(server.key))) return false;
    if (Date.parse(cert.validFrom) > now || expiresBefore(server.cert, now + RENEW_BEFORE_MS)) return false;
    return names.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined);
  } catch {
    return false;
  }
}

function expiresBefore(pem: string, time: number): boolean {
  return Date.parse(new X509Certificate(pem).validTo) <= time;
}

/** A file holding one private key and one certificate; undefined when absent. */
function readPair(path: string): PemPair | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const key = pemBlocks(text).find((block) => block.includes('PRIVATE KEY-----'));
  const cert = pemBlocks(text).find((block) => block.startsWith('-----BEGIN CERTIFICATE-----'));
  if (!key || !cert) throw new Error(`${path} does not hold a private key and a certificate: delete it and mjsim makes a new one`);
  try {
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not match the certificate');
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}; delete it and mjsim makes a new one`);
  }
  return { key, cert };
}

/** The PEM blocks of a text, each ending with a newline. */
export function pemBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)].map((match) => `${match[0]}\n`);
}

const temporaryPath = (path: string) => `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/** Readers see the old file or the new one, never half of one. */
function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = temporaryPath(path);
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, path);
}

/** Creates `path` whole, unless it exists (another process made it first: keep theirs). */
function writeExclusively(path: string, text: string, mode: number): void {
  const temporary = temporaryPath(path);
  writeFileSync(temporary, text, { mode });
  try {
    linkSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Without hard links (some mounted file systems), an exclusive create is the next best thing.
    if (code !== 'EEXIST') createUnlessExists(path, text, mode);
  } finally {
    unlinkSync(temporary);
  }
}

function createUnlessExists(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
