/**
 * One database, one mjsim: a server (the CLI's `serve` and the library's `createSimulator` on a file) and
 * the commands that write a database directly (`clock set`) hold a lock on it while they use it.
 *
 * Why SQLite's own file lock, on a sidecar file `<db>.lock`: the holder keeps a write transaction open on
 * that (empty) SQLite file, which is a lock the operating system holds for the process (fcntl on POSIX,
 * LockFileEx on Windows). The kernel lets go of it when the process ends, however it ends, `kill -9`
 * included, so a stale lock cannot exist: no PID to verify, no PID reuse to fear, no start time to compare.
 * A PID file would need all three and still race between two starters; SQLite's lock is atomic. It is not
 * the database's own lock, which SQLite takes and releases around every transaction of every connection
 * (the checkpointer's too). The lock file is never deleted: a process could open it just before the
 * deletion and lock a file nobody else sees. Who holds the lock (PID, URL, port) is written beside it in
 * `<db>.lock.json`, read only when the lock is taken, and removed on a clean release.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { makeDataFolder } from './data-folder.js';
import { nativeBinding } from './native-binding.js';
import { fullDiskAtStart } from './storage-health.js';

/** Who holds a database: the process, and the server's address once it listens. */
export interface DbHolder {
  pid: number;
  /** What holds it: `serve`, or a command such as `clock set`. */
  role: string;
  url?: string;
  port?: number;
  /** Wall time it took the lock (ISO). */
  since: string;
}

/** The database is held by another process (or another simulator in this one); `holder` says who, when known. */
export class DatabaseInUseError extends Error {
  constructor(
    readonly path: string,
    readonly holder: DbHolder | undefined,
  ) {
    super(`the database ${path} is in use by ${describeHolder(holder)}`);
    this.name = 'DatabaseInUseError';
  }
}

/** A held lock: say where the server listens once it does, and let go. */
export interface DbLock {
  /** Records the server's address for whoever is refused next. */
  listening(url: string, port: number): void;
  /** Lets go (idempotent). */
  release(): void;
}

/**
 * Takes the lock on the database at `path` at once, or throws `DatabaseInUseError` naming the holder.
 * `':memory:'` has nothing to share and gets a lock that holds nothing.
 *
 * @example
 * const lock = lockDatabase('.mjsim/mjsim.db', 'serve');
 * lock.listening('http://127.0.0.1:7355', 7355);
 * lock.release();
 */
export function lockDatabase(path: string, role: string): DbLock {
  if (path === ':memory:') return { listening: () => undefined, release: () => undefined };
  const lockPath = `${path}.lock`;
  const holderPath = `${lockPath}.json`;
  // No busy wait: a lock held by someone else is an answer, not a delay.
  let client: Database.Database | undefined;
  let holder: DbHolder = { pid: process.pid, role, since: new Date().toISOString() };
  const record = () => writeFileSync(holderPath, `${JSON.stringify(holder)}\n`);
  try {
    makeDataFolder(dirname(resolve(path)));
    client = new Database(lockPath, { timeout: 0, nativeBinding: nativeBinding() });
    client.exec('begin immediate');
    record();
  } catch (error) {
    client?.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseInUseError(path, readHolder(holderPath));
    throw fullDiskAtStart(path, error) ?? error;
  }
  const held = client;
  let released = false;
  return {
    listening(url, port) {
      holder = { ...holder, url, port };
      record();
    },
    release() {
      if (released) return;
      released = true;
      rmSync(holderPath, { force: true });
      held.close(); // closing ends the open transaction, and with it the lock
    },
  };
}

/** The recorded holder, if it is a live process (else a previous holder's leftover: the new one is starting). */
function readHolder(holderPath: string): DbHolder | undefined {
  let holder: DbHolder;
  try {
    holder = JSON.parse(readFileSync(holderPath, 'utf8')) as DbHolder;
  } catch {
    return undefined;
  }
  if (typeof holder.pid !== 'number') return undefined;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return holder;
}

function describeHolder(holder: DbHolder | undefined): string {
  if (!holder) return 'another mjsim (starting, or not saying who it is)';
  const where = holder.url ? `, listening on ${holder.url} (port ${holder.port})` : '';
  const self = holder.pid === process.pid ? ', in this process' : '';
  return `another mjsim: ${holder.role === 'serve' ? 'a server' : `\`mjsim ${holder.role}\``} (PID ${holder.pid}${self}${where})`;
}
