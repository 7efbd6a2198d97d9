/**
 * `--tls-cert` / `--tls-key`: the user's own certificate, checked up front so a wrong file is a clear
 * start-up error rather than a failed handshake later.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PemPair } from './generate-certificates.js';

/**
 * Reads a certificate (PEM; the chain may follow it) and its private key (PEM); PEM text is taken as is.
 * Returns the pair, or an error message.
 *
 * @example
 * const pair = readUserCertificate('certs/server.pem', 'certs/server-key.pem');
 * if (typeof pair === 'string') throw new Error(pair);
 */
export function readUserCertificate(cert: string, key: string): PemPair | string {
  const certText = pemOrFile(cert, 'certificate');
  if (typeof certText !== 'string') return certText.error;
  const keyText = pemOrFile(key, 'key');
  if (typeof keyText !== 'string') return keyText.error;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certText);
  } catch (error) {
    return `TLS certificate ${label(cert)}: not a PEM certificate (${(error as Error).message})`;
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(keyText))) return `TLS key ${label(key)} does not belong to the certificate ${label(cert)}`;
  } catch (error) {
    return `TLS key ${label(key)}: not a PEM private key without a passphrase (${(error as Error).message})`;
  }
  return { cert: certText, key: keyText };
}

const isPem = (value: string) => value.includes('-----BEGIN ');
const label = (value: string) => (isPem(value) ? '(PEM text)' : value);

function pemOrFile(value: string, what: string): string | { error: string } {
  if (isPem(value)) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    return { error: `cannot read TLS ${what} ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}
