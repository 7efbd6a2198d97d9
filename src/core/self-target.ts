/**
 * Does a webhook URL (or a resolved address) point at mjsim's own listener? A webhook to itself would feed
 * every delivery back in as new events: an amplification without end. Pure: the listener and the machine's
 * interface addresses are passed in.
 */

/** Where mjsim listens: the configured host (`127.0.0.1`, `0.0.0.0`, `::`, a name…) and the bound port. */
export interface SelfListener {
  readonly host: string;
  readonly port: number;
  /** The machine's own interface addresses (read only when the listener is on every interface). */
  readonly localAddresses: () => readonly string[];
  /** Host names a client reached mjsim by (e.g. `mjsim:7355` in a compose network), lower-case `host:port`. */
  readonly reachedAs?: readonly string[];
}

/**
 * A host as a comparable address: lower-case, without brackets or a trailing dot, and IPv4-mapped IPv6
 * (`::ffff:7f00:1`, `::ffff:127.0.0.1`) turned into its IPv4 form.
 *
 * @example
 * normalizeHost('[::ffff:7f00:1]') // '127.0.0.1'
 * normalizeHost('LocalHost.')      // 'localhost'
 */
export function normalizeHost(host: string): string {
  let text = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/.exec(text);
  if (mapped) {
    const rest = mapped[1] as string;
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rest);
    if (hex) {
      const high = parseInt(hex[1] as string, 16);
      const low = parseInt(hex[2] as string, 16);
      text = [high >> 8, high & 255, low >> 8, low & 255].join('.');
    } else if (/^\d+\.\d+\.\d+\.\d+$/.test(rest)) {
      text = rest;
    }
  }
  return text;
}

/**
 * True for a host that always means this machine: `localhost` (and `*.localhost`), `127.0.0.0/8`, `::1`,
 * and the unspecified addresses `0.0.0.0` and `::` (a connection to them reaches the local host).
 *
 * @example
 * isLoopbackHost('127.3.2.1') // true
 * isLoopbackHost('[::1]')     // true
 * isLoopbackHost('10.0.0.1')  // false
 */
export function isLoopbackHost(host: string): boolean {
  const name = normalizeHost(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return isUnspecified(name) || /^(0{0,4}:){2,7}0{0,3}1$/.test(name) || name === '::1';
}

function isUnspecified(name: string): boolean {
  return name === '0.0.0.0' || /^(0{0,4}:){2,7}0{0,4}$/.test(name);
}

/**
 * True when `host:port` reaches `listener`: the same port, and a host that is the listener's own address,
 * a loopback address (when the listener is on loopback or on every interface), any interface address of the
 * machine (when it listens on every interface), or a name a client reached it by.
 *
 * @example
 * const listener = { host: '127.0.0.1', port: 7355, localAddresses: () => [] };
 * isSelfAddress('localhost', 7355, listener) // true
 * isSelfAddress('127.0.0.1', 9000, listener) // false
 */
export function isSelfAddress(host: string, port: number, listener: SelfListener): boolean {
  if (port !== listener.port) return false;
  const target = normalizeHost(host);
  const own = normalizeHost(listener.host);
  if (target === own) return true;
  if (listener.reachedAs?.includes(`${target}:${port}`)) return true;
  const wildcard = isUnspecified(own);
  if (wildcard || isLoopbackHost(own)) {
    if (isLoopbackHost(target)) return true;
  }
  return wildcard && listener.localAddresses().some((address) => normalizeHost(address) === target);
}

/**
 * True when the webhook URL `url` would be delivered to `listener` (judged from its text: a name other than
 * `localhost` is only caught when it resolves, at POST time).
 *
 * @example
 * isSelfUrl('http://k:s@127.0.0.1:7355/sim/events', { host: '127.0.0.1', port: 7355, localAddresses: () => [] }) // true
 */
export function isSelfUrl(url: string, listener: SelfListener): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return isSelfAddress(parsed.hostname, port, listener);
}
