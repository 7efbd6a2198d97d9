/**
 * Shared pieces of the benchmarks: a receiver process, a raw keep-alive client, and the conditions line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export interface ReceiverProcess {
  port: number;
  child: ChildProcess;
  stop(): void;
}

/** Starts bench/receiver-process.ts in its own Node process answering `status`. */
export function startReceiverProcess(status = 200): Promise<ReceiverProcess> {
  const script = fileURLToPath(new URL('./receiver-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(status)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => {
      resolve({ port: Number(chunk.toString().trim()), child, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
}

/** POSTs `body` `total` times with `concurrency` requests in flight over keep-alive: the raw ceiling. */
export async function rawClientRate(port: number, body: string, total: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/raw', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      await one();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return total / seconds;
}

/** One line describing the machine and runtime. */
export function conditions(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `node ${process.version}, ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
