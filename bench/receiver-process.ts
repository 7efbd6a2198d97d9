/**
 * A webhook receiver in its own process for benchmarks: answers every POST with the status given as the
 * first argument (default 200), prints its port on stdout, and reports its request count on SIGUSR2.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const status = Number(process.argv[2] ?? '200');
let count = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count += 1;
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGUSR2', () => process.stdout.write(`count ${count}\n`));
process.on('SIGTERM', () => process.exit(0));
