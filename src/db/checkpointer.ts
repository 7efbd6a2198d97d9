/**
 * Checkpoints the write-ahead log from a worker thread. SQLite's automatic checkpoint runs inside the commit
 * that crosses its threshold: on the server's only thread, it copies the log's pages into the database file
 * and waits for two fsyncs, while sends and deliveries wait. A worker with its own connection does that
 * work beside the event loop instead; the server's connection keeps a far larger automatic threshold, a
 * safety net that only a stalled worker would ever reach.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CheckpointWorkerData } from './checkpoint-worker.js';
import type { Db } from './open-db.js';

/** How often the worker checkpoints (ms). */
const EVERY_MS = 250;

/** The server connection's own threshold while a worker checkpoints (pages; SQLite's default is 1,000). */
const SAFETY_NET_PAGES = 20_000;

/**
 * The worker module beside this file: compiled JavaScript in dist/; in src/ (tests, benches) TypeScript,
 * which `ts-worker.mjs` loads through tsx.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
// Spelled from the parent folder so that it resolves the same from dist/cli/serve-bundle.cjs (one level deep too).
const WORKER_MODULE = new URL(FROM_SOURCE ? '../db/checkpoint-worker.ts' : '../db/checkpoint-worker.js', import.meta.url);

export interface Checkpointer {
  /** Stops the worker (after its checkpoint in progress) and gives the threshold back to the connection. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `path` (a WAL database file that `db` has open) from a worker thread.
 *
 * @example
 * const checkpointer = startCheckpointer(db, 'mjsim.db');
 * await checkpointer.stop(); // before db.$client.close()
 */
export function startCheckpointer(db: Db, path: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData: CheckpointWorkerData = { driver, path, everyMs: EVERY_MS };
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  const spawn = () => {
    worker = FROM_SOURCE
      ? new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData, argv: [WORKER_MODULE.href] })
      : new Worker(WORKER_MODULE, { workerData });
    worker.unref();
    const running = worker;
    exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // A worker that fails (it cannot open the file) leaves the connection's own checkpoints to do the work.
    worker.once('error', () => db.$client.open && db.$client.pragma('wal_autocheckpoint = 1000'));
  };
  // Its first checkpoint would come one period after its start: the thread starts a period later instead, so
  // that its start (about 10 ms of the server's thread) does not delay a server's first answers.
  const starting = setTimeout(spawn, EVERY_MS).unref();
  db.$client.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        clearTimeout(starting);
        if (worker) {
          // Referenced again while it stops: otherwise, with nothing else left to do, the process could exit
          // before the worker answers, and the server's connection would never be closed.
          worker.ref();
          worker.postMessage('stop');
          await exited;
        }
        if (db.$client.open) db.$client.pragma('wal_autocheckpoint = 1000');
      })();
      return stopping;
    },
  };
}
