/**
 * The Name Constraints of mjsim's self-signed CA (RFC 5280 §4.2.1.10): the names and addresses it may sign
 * for, so that its private key, kept in a project folder, cannot vouch for any other site even where the CA
 * is trusted. Written and read here as DER by hand: the extension is tiny and of a fixed shape, and
 * @peculiar/x509 has no class for it.
 *
 * A DNS name `localhost` permits `localhost` and every name under it; an IP address permits that one
 * address (a full mask). A wildcard name (`*.dev.test`) permits its parent (`dev.test`).
 */
import { isIP } from 'node:net';

/** The extension's object identifier (id-ce-nameConstraints). */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** What a CA may sign for: DNS subtrees, and single IP addresses as the hex of their bytes (`7f000001`). */
export interface PermittedNames {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/**
 * The permitted subtrees that cover `names` (host names and IP addresses).
 *
 * @example
 * permittedFor(['localhost', '127.0.0.1', '*.dev.test']) // { dns: ['localhost', 'dev.test'], ips: ['7f000001'] }
 */
export function permittedFor(names: readonly string[]): PermittedNames {
  const dns = names.filter((name) => !isIP(name)).map((name) => name.replace(/^\*\./, '').toLowerCase());
  const ips = names.filter((name) => isIP(name)).map(ipHex);
  return { dns: [...new Set(dns)], ips: [...new Set(ips)] };
}

/**
 * Whether every one of `names` falls within `permitted`.
 *
 * @example
 * covers(permittedFor(['localhost', '127.0.0.1']), ['localhost', 'a.localhost', '127.0.0.1']) // true
 * covers({ dns: ['localhost'], ips: [] }, ['example.com'])                                     // false
 */
export function covers(permitted: PermittedNames, names: readonly string[]): boolean {
  const wanted = permittedFor(names);
  return (
    wanted.dns.every((name) => permitted.dns.some((base) => name === base || name.endsWith(`.${base}`))) &&
    wanted.ips.every((ip) => permitted.ips.includes(ip))
  );
}

/**
 * Both sets of names: a CA replaced for a new name keeps the names its predecessor covered.
 *
 * @example
 * unionOf(permittedFor(['localhost']), permittedFor(['dev.test'])) // { dns: ['localhost', 'dev.test'], ips: [] }
 */
export function unionOf(a: PermittedNames, b: PermittedNames): PermittedNames {
  return { dns: [...new Set([...a.dns, ...b.dns])], ips: [...new Set([...a.ips, ...b.ips])] };
}

/**
 * The extension's value: `NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }`, each
 * subtree a `dNSName [2]` or an `iPAddress [7]` of the address followed by its (full) mask.
 *
 * @example
 * new lib.Extension(NAME_CONSTRAINTS_OID, true, encodeNameConstraints(permittedFor(names)));
 */
export function encodeNameConstraints(permitted: PermittedNames): Uint8Array {
  const subtrees = [
    ...permitted.dns.map((name) => tlv(0x30, tlv(0x82, Buffer.from(name, 'ascii')))),
    ...permitted.ips.map((ip) => {
      const address = Buffer.from(ip, 'hex');
      return tlv(0x30, tlv(0x87, Buffer.concat([address, Buffer.alloc(address.length, 0xff)])));
    }),
  ];
  return tlv(0x30, tlv(0xa0, Buffer.concat(subtrees)));
}

/**
 * Reads back a value written by `encodeNameConstraints`: the permitted DNS subtrees and full-mask addresses.
 * Anything else (excluded subtrees, partial masks, other name forms) gives undefined: not a CA of ours.
 *
 * @example
 * decodeNameConstraints(encodeNameConstraints(permittedFor(['localhost', '::1']))) // { dns: ['localhost'], ips: ['000…001'] }
 */
export function decodeNameConstraints(der: Uint8Array): PermittedNames | undefined {
  try {
    const outer = readTlv(Buffer.from(der), 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) return undefined;
    const permitted = readTlv(outer.body, 0);
    if (permitted.tag !== 0xa0 || permitted.end !== outer.body.length) return undefined;
    const dns: string[] = [];
    const ips: string[] = [];
    for (let at = 0; at < permitted.body.length; ) {
      const subtree = readTlv(permitted.body, at);
      at = subtree.end;
      const base = readTlv(subtree.body, 0);
      if (subtree.tag !== 0x30 || base.end !== subtree.body.length) return undefined;
      if (base.tag === 0x82) dns.push(base.body.toString('ascii'));
      else if (base.tag === 0x87 && (base.body.length === 8 || base.body.length === 32)) {
        const half = base.body.length / 2;
        if (!base.body.subarray(half).every((byte) => byte === 0xff)) return undefined;
        ips.push(base.body.subarray(0, half).toString('hex'));
      } else return undefined;
    }
    return { dns, ips };
  } catch {
    return undefined;
  }
}

/** A tag, a DER length and the content. */
function tlv(tag: number, body: Uint8Array): Buffer {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

function readTlv(buffer: Buffer, at: number): { tag: number; body: Buffer; end: number } {
  const tag = buffer[at] as number;
  let length = buffer[at + 1] as number;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 2) throw new RangeError('unsupported DER length');
    length = bytes === 1 ? (buffer[start] as number) : ((buffer[start] as number) << 8) | (buffer[start + 1] as number);
    start += bytes;
  }
  if (start + length > buffer.length) throw new RangeError('truncated DER');
  return { tag, body: buffer.subarray(start, start + length), end: start + length };
}

/** An IPv4 or IPv6 address as the hex of its 4 or 16 bytes (`127.0.0.1` → `7f000001`). */
function ipHex(ip: string): string {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number)).toString('hex');
  // An IPv4 tail (::ffff:1.2.3.4) becomes its two groups.
  const text = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [head = '', tail = ''] = text.includes('::') ? text.split('::') : [text, ''];
  const groups = (part: string) => (part ? part.split(':') : []);
  const words = [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return words.map((word) => word.padStart(4, '0')).join('').toLowerCase();
}
