/**
 * The checkpointer's worker thread (started by checkpointer.ts, never imported): its own connection runs a
 * passive checkpoint (never blocks the writer) every `everyMs`, until the server posts any message.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** What checkpointer.ts hands the worker. */
export interface CheckpointWorkerData {
  /** The resolved better-sqlite3 entry, so the worker loads the server's own copy of the driver. */
  readonly driver: string;
  /** The WAL database file the server has open. */
  readonly path: string;
  readonly everyMs: number;
}

const data = workerData as CheckpointWorkerData;
const Database = createRequire(import.meta.url)(data.driver) as typeof BetterSqlite3;
const db = new Database(data.path, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next turn tries again.
  }
}, data.everyMs);
parentPort?.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
