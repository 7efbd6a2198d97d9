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

/** A request the load driver sends: method, path, headers and body (the same each time, or the n-th's own). */
export interface BenchRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | ((n: number) => string);
}

/**
 * Sends `total` requests to 127.0.0.1:`port` with `inFlight` of them in flight at once over keep-alive and
 * returns requests per second. Any answer other than `expectStatus` fails the run: a bench that measures
 * errors measures nothing.
 */
export async function driveRequests(port: number, request: BenchRequest, total: number, inFlight: number, expectStatus = 200): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  let sent = 0;
  const one = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const body = typeof request.body === 'function' ? request.body(n) : request.body;
      const headers = { ...request.headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) };
      const req = http.request({ host: '127.0.0.1', port, path: request.path, method: request.method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode === expectStatus) resolve();
          else reject(new Error(`${request.method} ${request.path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      await one(sent);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return total / seconds;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * The top `count` functions by self time in a V8 CPU profile (a `.cpuprofile` object), aggregated by
 * function and file, as printable lines.
 */
export function profileSummary(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, count = 15): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const frame = byNode.get(id)?.callFrame;
    if (!frame) return;
    const file = frame.url ? frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1') : '';
    const key = `${frame.functionName || `(anonymous, line ${frame.lineNumber + 1})`}${file ? ` ${file}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    totalUs += delta;
  });
  return [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${key}`);
}

/**
 * How many requests the receiver process has answered so far: asked by signal, answered on its stdout, so
 * the count costs the process under test nothing. Call one at a time.
 */
export function receivedCount(receiver: ReceiverProcess): Promise<number> {
  return new Promise((resolve) => {
    receiver.child.stdout!.once('data', (chunk: Buffer) => resolve(Number(/count (\d+)/.exec(chunk.toString())?.[1] ?? NaN)));
    receiver.child.kill('SIGUSR2');
  });
}

/**
 * How long `work` took, and the longest gap between event-loop turns meanwhile (a ticker that re-queues itself
 * each turn): what a sliced read would make delivery wait.
 */
export async function timed(work: () => unknown): Promise<{ ms: number; turnMs: number }> {
  let last = performance.now();
  let longest = 0;
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  ticking = false;
  longest = Math.max(longest, performance.now() - last);
  return { ms, turnMs: longest };
}
