/**
 * The demo's built-in webhook receiver on 127.0.0.1: `/flaky` fails some requests, `/down` fails every
 * request (so its URL gets suspended), `/backup` accepts everything.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running demo receiver. */
export interface DemoReceiver {
  readonly base: string;
  readonly flakyUrl: string;
  readonly downUrl: string;
  readonly backupUrl: string;
  /** Requests per path and status, e.g. `{ '/flaky 500': 3 }`. */
  readonly counts: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts the receiver. `failureRate` is the share of `/flaky` requests answered 500.
 *
 * @example
 * const receiver = await startDemoReceiver({ failureRate: 0.4 });
 * receiver.flakyUrl // 'http://127.0.0.1:40123/flaky'
 */
export async function startDemoReceiver(options: { failureRate?: number; random?: () => number } = {}): Promise<DemoReceiver> {
  const failureRate = options.failureRate ?? 0.4;
  const random = options.random ?? Math.random;
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://demo').pathname;
      let status = 404;
      if (path === '/backup') status = 200;
      if (path === '/down') status = 503;
      if (path === '/flaky') status = random() < failureRate ? 500 : 200;
      counts.set(`${path} ${status}`, (counts.get(`${path} ${status}`) ?? 0) + 1);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'demo failure');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    flakyUrl: `${base}/flaky`,
    downUrl: `${base}/down`,
    backupUrl: `${base}/backup`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
