/**
 * What the database's storage is going through, per connection: `ok`, `full` (SQLITE_FULL, or an I/O error
 * while the disk has no room left), `io-error` (another I/O error), or `gone` (the file at the path is no
 * longer the one open: deleted, or replaced). A full disk is a state to wait out, not a crash: writers note
 * their failures here, the engine retries with a backoff, the routes answer a retryable error, and the first
 * write that succeeds again (or a probe, while nothing else writes) brings the state back to `ok`.
 * A vanished database never comes back in this process: it is reported, new work is refused, and the open
 * (now nameless) file stays readable; a marker beside its path stops the next start from silently creating
 * an empty database in its place (see vanished-database.ts).
 */
import { EventEmitter } from 'node:events';
import { rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { writeVanishedMarker } from './vanished-database.js';

export type StorageStatus = 'ok' | 'full' | 'io-error' | 'gone';

/** The state `/sim/health` reports. `since`: real time (epoch ms) the fault began. */
export interface StorageState {
  readonly status: StorageStatus;
  readonly message: string | null;
  readonly since: number | null;
}

/** Below this many free bytes, an I/O error on the database's disk counts as a full disk. */
const LOW_SPACE_BYTES = 1024 * 1024;
/** How often the path is compared with the open file, and a full disk is probed while nothing writes (ms). */
export const STORAGE_CHECK_MS = 1_000;

/**
 * A write refused because of the storage's state (the error edge answers 507 or 503).
 *
 * @example
 * throw new StorageFaultError('gone', 'the database mjsim.db was deleted while mjsim ran');
 */
export class StorageFaultError extends Error {
  constructor(
    readonly status: Exclude<StorageStatus, 'ok'>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The storage fault an error is, if it is one: `full` for SQLITE_FULL (and a full-disk I/O error once
 * `noteFault` has seen it), `io-error` for other I/O errors, `gone` for a refused write; null otherwise.
 *
 * @example
 * storageFaultOf(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })) // 'full'
 */
export function storageFaultOf(error: unknown): Exclude<StorageStatus, 'ok'> | null {
  if (error instanceof StorageFaultError) return error.status;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === 'ENOSPC') return 'io-error';
  return null;
}

/**
 * Free bytes on the file system holding `path` (null when it cannot be read).
 *
 * @example
 * freeBytes('/data/mjsim.db') // 12582912
 */
export function freeBytes(path: string): number | null {
  try {
    const stats = statfsSync(dirname(resolve(path)));
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

/** Whether the disk holding `path` is (nearly) full. @example diskFull('mjsim.db') // false */
export function diskFull(path: string): boolean {
  const free = freeBytes(path);
  return free !== null && free < LOW_SPACE_BYTES;
}

/**
 * mjsim cannot start because the disk holding its database is full; the message says so (SQLite may call it
 * a "disk I/O error", and the lock file may fail first with ENOSPC).
 *
 * @example
 * try { openDb('mjsim.db'); } catch (error) { if (error instanceof DiskFullError) console.error(error.message); }
 */
export class DiskFullError extends Error {}

/**
 * `error`, met while opening or locking `path` at start, as a `DiskFullError` when the disk is full; else null.
 *
 * @example
 * throw fullDiskAtStart('mjsim.db', error) ?? error;
 */
export function fullDiskAtStart(path: string, error: unknown): DiskFullError | null {
  if (path === ':memory:') return null;
  const fault = storageFaultOf(error) !== null || (error as { code?: string } | null)?.code === 'ENOSPC';
  if (!fault || !diskFull(path)) return null;
  return new DiskFullError(`the disk holding ${path} is full (${freeBytes(path)} bytes free): free some space and start again (${(error as Error).message})`);
}

/**
 * The storage state of one connection; get it with `storageHealth`.
 *
 * @example
 * const health = storageHealth(db.$client);
 * health.on('change', (state) => console.log(state.status)); // 'full', then 'ok' once space is back
 */
export class StorageHealth extends EventEmitter<{ change: [StorageState] }> {
  private current: StorageState = { status: 'ok', message: null, since: null };
  private identity: { dev: number; ino: number } | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private prober: NodeJS.Timeout | undefined;
  private lookedThisTurn = false;

  constructor(private readonly client: Database.Database) {
    super();
  }

  get state(): StorageState {
    return this.current;
  }

  private get path(): string | null {
    return this.client.memory ? null : this.client.name;
  }

  /**
   * Notes a failed write: returns true (and updates the state) when `error` is a storage fault, false for
   * any other error, which the caller handles as before.
   */
  noteFault(error: unknown): boolean {
    let fault = storageFaultOf(error);
    if (fault === null) return false;
    if (fault === 'gone' || this.current.status === 'gone') return true;
    const path = this.path;
    if (fault === 'io-error' && path !== null && diskFull(path)) fault = 'full';
    if (this.current.status === fault) return true;
    const free = path === null ? null : freeBytes(path);
    const message =
      fault === 'full'
        ? `the disk holding ${path ?? 'the database'} is full${free === null ? '' : ` (${free} bytes free)`}: writes are paused and retried; free some space and mjsim resumes by itself`
        : `the database ${path ?? ''} cannot be written (${(error as Error).message}): writes are paused and retried`;
    this.set({ status: fault, message, since: Date.now() });
    console.error(`mjsim: ${message}`);
    this.probeUntilWritten();
    return true;
  }

  /**
   * Notes a write that committed: a full disk or an I/O error is over. Not while the disk has no room left:
   * a small write can still reuse space inside the write-ahead log, and the next larger one would fail.
   */
  noteWritten(): void {
    if (this.current.status !== 'full' && this.current.status !== 'io-error') return;
    const path = this.path;
    if (this.current.status === 'full' && path !== null && diskFull(path)) return;
    clearInterval(this.prober);
    this.prober = undefined;
    console.error(`mjsim: the database ${this.path ?? ''} can be written again: resuming`);
    this.set({ status: 'ok', message: null, since: null });
  }

  /**
   * Throws `StorageFaultError` when the database is gone (comparing the path with the open file first): the
   * check before new work is accepted. The file is looked at once per event-loop turn: the writes accepted in
   * one turn share one commit (group-commit.ts), and a look per request cost a small send a few per cent.
   */
  refuseIfGone(): void {
    if (!this.lookedThisTurn) {
      this.lookedThisTurn = true;
      setImmediate(() => (this.lookedThisTurn = false));
      this.checkFile();
    }
    if (this.current.status === 'gone') throw new StorageFaultError('gone', this.current.message ?? 'the database is gone');
  }

  /**
   * Starts comparing the path with the open file every `everyMs` (a file database only). Call once the
   * database is open; `unwatch()` before closing it.
   *
   * @example
   * storageHealth(db).watch();
   */
  watch(everyMs = STORAGE_CHECK_MS): void {
    const path = this.path;
    if (path === null || this.watcher) return;
    const stats = statSync(path);
    this.identity = { dev: stats.dev, ino: stats.ino };
    this.watcher = setInterval(() => this.checkFile(), everyMs).unref();
  }

  /** Stops watching; call before the database is closed. */
  unwatch(): void {
    clearInterval(this.watcher);
    clearInterval(this.prober);
    this.watcher = undefined;
    this.prober = undefined;
  }

  /** Compares the file at the path with the one open; a difference makes the state `gone`, for good. */
  checkFile(): void {
    const path = this.path;
    if (path === null || !this.identity || this.current.status === 'gone' || !this.client.open) return;
    let now: { dev: number; ino: number } | null;
    try {
      now = statSync(path);
    } catch {
      now = null;
    }
    if (now && now.dev === this.identity.dev && now.ino === this.identity.ino) return;
    const what = now ? 'was replaced by another file' : 'was deleted';
    const pending = pendingWork(this.client);
    // The write-ahead log and shared memory beside a deleted file belong to the nameless one, which keeps
    // using them through its open handles; left there, the log would be replayed into whatever file is put
    // back at the path, a restored backup included. The marker tells the next start what happened.
    if (!now) for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    const marker = writeVanishedMarker(path, { detectedAt: new Date().toISOString(), what, ...pending });
    const message =
      `the database ${path} ${what} while mjsim ran: new work is refused; the open database stays readable ` +
      `(${pending.pendingDeliveries} deliveries and ${pending.unroutedEvents} events were pending). ` +
      `Stop mjsim, restore the file if you can${marker ? `; ${marker} tells the next start what happened` : ''}`;
    clearInterval(this.prober);
    this.set({ status: 'gone', message, since: Date.now() });
    console.error(`mjsim: ERROR: ${message}`);
  }

  /** While the disk is full and nothing else writes, a small write now and then finds out when space is back. */
  private probeUntilWritten(): void {
    if (this.prober) return;
    this.prober = setInterval(() => {
      const path = this.path;
      if (!this.client.open || (path !== null && diskFull(path))) return;
      try {
        this.client.prepare("insert into sim_state (key, value) values ('storage_probe', '1') on conflict (key) do update set value = excluded.value").run();
        this.noteWritten();
      } catch (error) {
        this.noteFault(error);
      }
    }, STORAGE_CHECK_MS).unref();
  }

  private set(state: StorageState): void {
    this.current = state;
    this.emit('change', state);
  }
}

/** What a database still had to do: deliveries not finished and events not yet routed. */
function pendingWork(client: Database.Database): { pendingDeliveries: number; unroutedEvents: number } {
  try {
    const deliveries = client.prepare("select count(*) as n from deliveries where status in ('pending', 'in_flight')").get() as { n: number };
    const events = client.prepare('select (select count(*) from events where routed = 2) + (select count(*) from due_events) as n').get() as { n: number };
    return { pendingDeliveries: deliveries.n, unroutedEvents: events.n };
  } catch {
    return { pendingDeliveries: -1, unroutedEvents: -1 };
  }
}

const healths = new WeakMap<Database.Database, StorageHealth>();

/**
 * The storage state of `client`'s database, shared by everything that writes to it.
 *
 * @example
 * storageHealth(db.$client).state.status // 'ok'
 */
export function storageHealth(client: Database.Database): StorageHealth {
  let health = healths.get(client);
  if (!health) {
    health = new StorageHealth(client);
    healths.set(client, health);
  }
  return health;
}
