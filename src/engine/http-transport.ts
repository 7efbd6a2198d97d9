/**
 * One webhook POST over node:http(s) with keep-alive: Basic credentials from the URL's userinfo, no
 * redirects, a per-attempt timeout, and the response body read only up to a cap. Every failure is
 * classified (timeout, refused, reset, DNS, TLS) instead of thrown.
 */
import http from 'node:http';
import https from 'node:https';
import type { AttemptOutcome } from '../db/attempts.js';

export interface PostOptions {
  timeoutMs: number;
  responseCapBytes: number;
  userAgent: string;
}

export interface PostResult {
  /** `http-status` when a response came; the failure kind otherwise (the caller decides success). */
  outcome: Extract<AttemptOutcome, 'http-status' | 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'error'>;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

/** Sends webhook POSTs; `close()` frees the keep-alive sockets. */
export interface Transport {
  post(url: string, body: string, options: PostOptions): Promise<PostResult>;
  close(): void;
}

/**
 * The real transport.
 *
 * @example
 * const transport = createHttpTransport(256);
 * await transport.post('http://127.0.0.1:9000/hook', '{}', { timeoutMs: 10_000, responseCapBytes: 4096, userAgent: 'mjsim' });
 */
export function createHttpTransport(maxSockets: number): Transport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }),
  };
  return {
    post: (url, body, options) => post(agents, url, body, options),
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function post(agents: { 'http:': http.Agent; 'https:': https.Agent }, target: string, body: string, options: PostOptions): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      finish({ outcome: 'error', httpStatus: null, responseBody: null, error: `invalid URL: ${target}` });
      return;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': options.userAgent,
    };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const isHttps = url.protocol === 'https:';
    const request = (isHttps ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        agent: isHttps ? agents['https:'] : agents['http:'],
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < options.responseCapBytes) chunks.push(chunk.subarray(0, options.responseCapBytes - size));
          size += chunk.length;
        });
        response.on('end', () =>
          finish({ outcome: 'http-status', httpStatus: response.statusCode ?? 0, responseBody: Buffer.concat(chunks).toString('utf8'), error: null }),
        );
        response.on('error', (error) => finish({ ...classify(error), httpStatus: response.statusCode ?? null, responseBody: null }));
        response.on('aborted', () => finish({ outcome: 'reset', httpStatus: response.statusCode ?? null, responseBody: null, error: 'response aborted' }));
      },
    );
    timer = setTimeout(() => {
      finish({ outcome: 'timeout', httpStatus: null, responseBody: null, error: `no complete response within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish({ ...classify(error), httpStatus: null, responseBody: null }));
    request.end(body);
  });
}

function classify(error: NodeJS.ErrnoException): Pick<PostResult, 'outcome' | 'error'> {
  const code = error.code ?? '';
  const message = `${code ? `${code}: ` : ''}${error.message}`;
  if (code === 'ECONNREFUSED') return { outcome: 'refused', error: message };
  if (code === 'ECONNRESET' || code === 'EPIPE' || error.message === 'socket hang up') return { outcome: 'reset', error: message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { outcome: 'dns', error: message };
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || /certificate|SSL|TLS/i.test(code + error.message) || code.includes('SELF_SIGNED')) {
    return { outcome: 'tls', error: message };
  }
  if (code === 'ETIMEDOUT') return { outcome: 'timeout', error: message };
  return { outcome: 'error', error: message };
}
