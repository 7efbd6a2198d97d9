/**
 * One webhook POST over undici with keep-alive (measured on the same receiver: about 80 µs of CPU per POST
 * against node:http's 130): Basic credentials from the URL's userinfo, no redirects, a per-attempt
 * timeout that covers the whole exchange (connect, headers and body: an endless or over-long body is cut
 * there), and the response body kept only up to a cap. Every failure is classified (timeout, refused, reset,
 * DNS, TLS, self) instead of thrown. The timeout counts only time the event loop ran (loop-stalls.ts): a
 * paused process is not a slow receiver.
 *
 * It never POSTs to mjsim's own listener: a literal address is checked before connecting, a name after it
 * resolves (a custom `lookup` in our own connector), so `http://localhost:PORT/sim/events` or a name that
 * resolves to loopback ends as a `self` failure without a byte sent.
 */
import dns from 'node:dns';
import net, { isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';
import type { Agent, buildConnector, Dispatcher } from 'undici';
import { isSelfAddress, type SelfListener } from '../core/self-target.js';
import type { AttemptOutcome } from '../core/attempt.js';
import { stalledMs, watchStalls } from './loop-stalls.js';

export interface PostOptions {
  timeoutMs: number;
  responseCapBytes: number;
  userAgent: string;
}

export interface PostResult {
  /** `http-status` when a response came; the failure kind otherwise (the caller decides success). */
  outcome: Extract<AttemptOutcome, 'http-status' | 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'self' | 'error'>;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

/** Sends webhook POSTs; `close()` frees the keep-alive sockets. */
export interface Transport {
  post(url: string, body: string, options: PostOptions): Promise<PostResult>;
  close(): void;
}

/** The error a POST to mjsim's own listener ends with (its `code` is classified as `self`). */
class SelfDeliveryError extends Error {
  readonly code = 'ESELF';
}

/**
 * The real transport. `self` tells where mjsim itself listens (undefined until it does); POSTs there are
 * refused.
 *
 * @example
 * const transport = createHttpTransport(256, () => ({ host: '127.0.0.1', port: 7355, localAddresses: () => [] }));
 * await transport.post('http://127.0.0.1:9000/hook', '{}', { timeoutMs: 10_000, responseCapBytes: 4096, userAgent: 'mjsim' });
 */
export function createHttpTransport(maxSockets: number, self: () => SelfListener | undefined = () => undefined): Transport {
  // undici loads with the first POST, not before `serve` listens (it was a tenth of a start), and only its
  // Agent: the package's entry also loads fetch, WebSocket, caching and mocks, 130-150 ms of one event-loop
  // turn on that first POST where the Agent's own modules take 25-40 ms. Our own timer bounds the whole
  // exchange, so undici's own header and body timeouts are off.
  let agent: Agent | undefined;
  const loading = once(() =>
    import('undici/lib/dispatcher/agent.js').then(({ default: Agent }) => {
      agent = new Agent({ connections: maxSockets, pipelining: 1, headersTimeout: 0, bodyTimeout: 0, connect: connector(self) });
      return agent;
    }),
  );
  return {
    post: (url, body, options) => (agent ? post(agent, self, url, body, options) : loading().then((loaded) => post(loaded, self, url, body, options))),
    close: () => void agent?.destroy().catch(() => undefined),
  };
}

/** `load` run at most once; every call gets its promise. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= load());
}

/** A connection not made by then is given up, so that an address that swallows packets frees its pool slot. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a TCP or TLS socket for undici, resolving names through `refusingSelf` once mjsim listens. TLS trusts
 * Node's default store, NODE_EXTRA_CA_CERTS included.
 */
function connector(self: () => SelfListener | undefined): buildConnector.connector {
  return (options, callback) => {
    const port = Number(options.port || (options.protocol === 'https:' ? 443 : 80));
    const host = options.hostname.replace(/^\[|\]$/g, '');
    const listener = self();
    const lookup = listener && !isIP(host) ? refusingSelf(listener, port) : undefined;
    const secure = options.protocol === 'https:';
    const socket = secure
      ? tls.connect({ host, port, servername: options.servername || (isIP(host) ? undefined : host), lookup, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host, port, lookup });
    socket.setNoDelay(true);
    const onError = (error: Error) => callback(error, null);
    const gaveUp = setTimeout(() => socket.destroy(Object.assign(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
    socket.once('error', onError);
    socket.once('close', () => clearTimeout(gaveUp));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(gaveUp);
      socket.off('error', onError);
      callback(null, socket);
    });
    return socket;
  };
}

/**
 * One POST through undici's handler interface: no AbortController and no body stream per attempt (with the
 * garbage they made, a few per cent of the suspension cycle's CPU in a profile).
 */
function post(agent: Agent, self: () => SelfListener | undefined, target: string, body: string, options: PostOptions): Promise<PostResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve({ outcome: 'error', httpStatus: null, responseBody: null, error: `invalid URL: ${target}` });
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': options.userAgent };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const listener = self();
    if (listener && isIP(hostname) && isSelfAddress(hostname, port, listener)) {
      resolve({ outcome: 'self', httpStatus: null, responseBody: null, error: selfMessage(hostname, port) });
      return;
    }
    new PostHandler(resolve, options).send(agent, url, headers, body);
  });
}

/**
 * One POST in flight: undici calls it as the exchange goes (a class: one object per attempt, its methods
 * shared), and it resolves once with the result, the timeout's included.
 */
class PostHandler implements Dispatcher.DispatchHandler {
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private readonly release = watchStalls();
  private readonly startedAt = performance.now();
  private readonly stalledBefore = stalledMs();
  private httpStatus: number | null = null;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly resolve: (result: PostResult) => void,
    private readonly options: PostOptions,
  ) {}

  send(agent: Agent, url: URL, headers: Record<string, string>, body: string): void {
    this.timer = setTimeout(() => this.expire(), this.options.timeoutMs);
    agent.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers, body }, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Timed out while waiting for a connection: it is given up before a byte is sent.
    if (this.settled) controller.abort(new Error('timed out'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.httpStatus = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.size < this.options.responseCapBytes) this.chunks.push(chunk.subarray(0, this.options.responseCapBytes - this.size));
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    this.finish({ outcome: 'http-status', httpStatus: this.httpStatus, responseBody: Buffer.concat(this.chunks).toString('utf8'), error: null });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish({ ...classify(error as NodeJS.ErrnoException), httpStatus: this.httpStatus, responseBody: null });
  }

  private expire(): void {
    // Time the loop did not run is given back: the response may be waiting in the socket, read next turn.
    const ran = performance.now() - this.startedAt - (stalledMs() - this.stalledBefore);
    if (ran < this.options.timeoutMs) {
      this.timer = setTimeout(() => this.expire(), Math.max(this.options.timeoutMs - ran, 1));
      return;
    }
    this.finish({ outcome: 'timeout', httpStatus: null, responseBody: null, error: `no complete response within ${this.options.timeoutMs} ms` });
    this.controller?.abort(new Error('timed out'));
  }

  private finish(result: PostResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.release();
    this.resolve(result);
  }
}

/** A DNS lookup that fails with `ESELF` when the name resolves to mjsim's own listener. */
function refusingSelf(listener: SelfListener, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const own = addresses.find((entry) => isSelfAddress(entry.address, port, listener));
      if (own) return callback(new SelfDeliveryError(selfMessage(`${hostname} (${own.address})`, port)), '', 0);
      if (options.all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as dns.LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

function selfMessage(host: string, port: number): string {
  return `refused: ${host}:${port} is mjsim's own listener; a webhook to itself would feed every delivery back in as new events`;
}

function classify(thrown: NodeJS.ErrnoException): Pick<PostResult, 'outcome' | 'error'> {
  // undici wraps some socket errors (a reset mid-response is UND_ERR_SOCKET): the socket's own code is in `cause`.
  const cause = thrown.cause as NodeJS.ErrnoException | undefined;
  const error = cause?.code && thrown.code === 'UND_ERR_SOCKET' ? cause : thrown;
  const code = error.code ?? '';
  if (code === 'ESELF') return { outcome: 'self', error: error.message };
  const message = `${code ? `${code}: ` : ''}${error.message}`;
  if (code === 'ECONNREFUSED') return { outcome: 'refused', error: message };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || error.message === 'socket hang up') return { outcome: 'reset', error: message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { outcome: 'dns', error: message };
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || /certificate|SSL|TLS/i.test(code + error.message) || code.includes('SELF_SIGNED')) {
    return { outcome: 'tls', error: message };
  }
  if (code === 'ETIMEDOUT') return { outcome: 'timeout', error: message };
  return { outcome: 'error', error: message };
}
