/**
 * Webhook receivers that misbehave, each on its own port of 127.0.0.1, in their own Node process (for
 * bench/fairness.ts): `hang` never answers, `slow` answers 200 after 30 s, `endless` streams a body that
 * never ends, `huge` promises `Content-Length: 1000000000` and sends a few bytes, `reset` drops the
 * connection, `redirect` answers 302, and `healthy` answers 200 at once. Prints `{"name":port,…}` on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const timers = new Set<NodeJS.Timeout>();
const later = (ms: number, run: () => void, repeat = false) => {
  const timer = repeat ? setInterval(run, ms) : setTimeout(run, ms);
  timers.add(timer);
  return timer;
};
const chunk = 'x'.repeat(1024);

const behaviours: Record<string, Behaviour> = {
  healthy: (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'),
  hang: () => undefined,
  slow: (_req, res) => {
    later(30_000, () => res.writeHead(200, { 'content-length': '2' }).end('ok'));
  },
  endless: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = later(10, () => res.write(chunk), true);
    res.on('close', () => clearInterval(timer));
  },
  huge: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000000000' });
    res.write('only a few bytes of a gigabyte');
  },
  reset: (req) => req.socket.destroy(),
  redirect: (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere', 'content-length': '5' }).end('moved'),
};

const ports: Record<string, number> = {};
for (const [name, behaviour] of Object.entries(behaviours)) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => behaviour(req, res));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports[name] = (server.address() as AddressInfo).port;
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(0));
