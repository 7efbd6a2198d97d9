/**
 * Streams a generated chunked body (no Content-Length) at a server and reports when the answer came, how
 * much had been sent by then, and whether the sender was still going. Nothing is buffered: a generator
 * yields 64 KiB chunks up to `maxBytes`.
 */
import { request } from 'node:http';
import { Readable } from 'node:stream';

export interface StreamOutcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes handed to the socket when the response head arrived. */
  sentWhenAnswered: number;
  /** True when the generator had not finished when the response head arrived. */
  stillSending: boolean;
  /** Real milliseconds from the request's start to the response head. */
  msToAnswer: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x20);

/**
 * POSTs (or `method`s) an endless-looking chunked body of at most `maxBytes` to `url`.
 *
 * @example
 * const outcome = await streamBody(`${sim.server.url}/sim/events`, { authorization }, 64 * 1024 * 1024);
 * outcome.status // 413
 */
export function streamBody(url: string, headers: Record<string, string>, maxBytes: number, method = 'POST'): Promise<StreamOutcome> {
  let sent = 0;
  let finished = false;
  const source = Readable.from(
    (function* generate() {
      while (sent < maxBytes) {
        sent += CHUNK.length;
        yield CHUNK;
      }
      finished = true;
    })(),
  );
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    req.on('response', (res) => {
      const outcome = { status: res.statusCode ?? 0, headers: res.headers, sentWhenAnswered: sent, stillSending: !finished, msToAnswer: performance.now() - started };
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      const done = () => {
        source.destroy();
        req.destroy();
        resolve({ ...outcome, body });
      };
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', (error) => {
      source.destroy();
      reject(error);
    });
    source.pipe(req);
  });
}
