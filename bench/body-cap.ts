/**
 * Streaming size limits: mjsim in its own process, and a chunked body (no Content-Length; generated in
 * 64 KiB chunks, never buffered) of 2 GiB sent to every POST route, with and without a key. Prints per route
 * the answer, the time to it, what had been sent by then, when the request ended (the server closed the
 * connection, or the client dropped it after a `Connection: close` answer), what was sent in all, and the
 * server's peak RSS. Target: RSS under 300 MB and every answer within about a second.
 *
 * Usage: npm run bench:body-cap [-- <MiB per request, default 2048>]   (run `npm run build` first)
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { conditions } from './bench-lib.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.argv[2] ?? 2048) * MiB;
const KEY = 'benchpublickey000000000000000001';
const SECRET = 'benchsecretkey000000000000000001';
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

const ROUTES: [method: string, path: string][] = [
  ['POST', '/sim/events'],
  ['POST', '/sim/clock/advance'],
  ['POST', '/sim/deliveries/1/replay'],
  ['POST', '/v3/REST/eventcallbackurl'],
  ['PUT', '/v3/REST/eventcallbackurl/1'],
  ['POST', '/v3/REST/eventcallbackurl/1/test'],
  ['POST', '/v3.1/send'],
  ['POST', '/v3/send'],
  ['POST', '/dashboard/events'],
  ['POST', '/dashboard/clock/advance'],
  ['POST', '/dashboard/callback-urls/1/reactivate'],
  ['POST', '/dashboard/deliveries/1/replay'],
  ['POST', '/sim/reset'], // last: it deletes the URL and delivery the routes above use
];

/** The server's resident memory now and its peak so far (VmRSS, VmHWM), in MiB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

interface Run {
  status: number;
  msToAnswer: number;
  mibSentWhenAnswered: number;
  msToClose: number;
  mibSent: number;
}

function stream(url: string, method: string, headers: Record<string, string>): Promise<Run> {
  let sent = 0;
  const source = Readable.from(
    (function* generate() {
      while (sent < SIZE) {
        sent += CHUNK.length;
        yield CHUNK;
      }
    })(),
  );
  const started = performance.now();
  return new Promise((resolve) => {
    let answer: Pick<Run, 'status' | 'msToAnswer' | 'mibSentWhenAnswered'> = { status: 0, msToAnswer: Number.NaN, mibSentWhenAnswered: Number.NaN };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      source.destroy();
      req.destroy();
      resolve({ ...answer, msToClose: performance.now() - started, mibSent: sent / MiB });
    };
    const req = request(url, { method, headers: { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    req.on('response', (res) => {
      answer = { status: res.statusCode ?? 0, msToAnswer: performance.now() - started, mibSentWhenAnswered: sent / MiB };
      res.resume();
    });
    req.on('error', finish);
    req.on('close', finish);
    source.pipe(req);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mjsim-bench-body-'));
  const bin = fileURLToPath(new URL('../bin/mjsim.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--db', join(dir, 'bench.db'), '--clock', 'manual', '--api-key', `${KEY}:${SECRET}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`mjsim exited with ${code}`)));
  });
  const pid = child.pid as number;
  const authorization = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
  // One URL and one delivery, so routes with an ID find something.
  await fetch(`${base}/v3/REST/eventcallbackurl`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ EventType: 'open', Url: 'http://127.0.0.1:9/hook' }),
  });
  await fetch(`${base}/sim/events`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{"event":"open"}' });

  console.log(`body-cap: ${SIZE / MiB} MiB chunked to ${ROUTES.length} routes, with and without a key; ${conditions()}`);
  console.log(`server RSS at start: ${memoryOf(pid).rss.toFixed(0)} MiB`);
  console.log('route                                        key  status  answer ms  MiB sent at answer   ended ms  MiB sent  peak RSS MiB');
  let worst = { ms: 0, hwm: 0 };
  for (const [method, path] of ROUTES) {
    for (const withKey of [true, false]) {
      let peak = 0;
      const poll = setInterval(() => (peak = Math.max(peak, memoryOf(pid).rss)), 20);
      const headers: Record<string, string> = { 'x-mjsim-dashboard': '1', ...(withKey ? { authorization } : {}) };
      const run = await stream(`${base}${path}`, method, headers);
      clearInterval(poll);
      peak = Math.max(peak, memoryOf(pid).rss);
      worst = { ms: Math.max(worst.ms, run.msToAnswer), hwm: memoryOf(pid).hwm };
      console.log(
        `${`${method} ${path}`.padEnd(45)}${(withKey ? 'yes' : 'no').padEnd(5)}${String(run.status).padEnd(8)}${run.msToAnswer.toFixed(0).padStart(9)}  ` +
          `${run.mibSentWhenAnswered.toFixed(1).padStart(18)}  ${run.msToClose.toFixed(0).padStart(9)}  ${run.mibSent.toFixed(1).padStart(8)}  ${peak.toFixed(0).padStart(12)}`,
      );
    }
  }
  console.log(`slowest answer: ${worst.ms.toFixed(0)} ms; server peak RSS over the whole run (VmHWM): ${worst.hwm.toFixed(0)} MiB (target: under 300 MB, answers within about a second)`);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

await main();
