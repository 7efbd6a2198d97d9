/**
 * A database that vanished while mjsim ran must not be replaced by an empty one at the next start without a
 * word: its accepted work would be gone silently. Two things tell: the marker `<db>.vanished.json` that a
 * running mjsim writes beside the path when it notices (storage-health.ts), and a write-ahead log `<db>-wal`
 * left without its database (mjsim was killed before it noticed). Either one makes the start refuse, naming
 * what happened and what to do: restore the file, or delete the marker (or the log) to start empty.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** What the marker records. Counts are -1 when they could not be read. */
export interface VanishedMarker {
  detectedAt: string;
  what: string;
  pendingDeliveries: number;
  unroutedEvents: number;
}

/**
 * The start refused because the database at the path vanished with work pending.
 *
 * @example
 * try { openDb('mjsim.db'); } catch (error) { if (error instanceof VanishedDatabaseError) console.error(error.message); }
 */
export class VanishedDatabaseError extends Error {}

/** The marker's path for a database path. @example vanishedMarkerPath('data/mjsim.db') // 'data/mjsim.db.vanished.json' */
export function vanishedMarkerPath(path: string): string {
  return `${path}.vanished.json`;
}

/**
 * Writes the marker (re-creating the folder when the whole folder was removed). Returns its path, or null
 * when it could not be written.
 *
 * @example
 * writeVanishedMarker('mjsim.db', { detectedAt: new Date().toISOString(), what: 'was deleted', pendingDeliveries: 3, unroutedEvents: 0 });
 */
export function writeVanishedMarker(path: string, marker: VanishedMarker): string | null {
  const target = vanishedMarkerPath(path);
  try {
    mkdirSync(dirname(resolve(target)), { recursive: true });
    writeFileSync(target, `${JSON.stringify(marker, null, 2)}\n`);
    return target;
  } catch {
    return null;
  }
}

/**
 * Called before a file database is opened: throws `VanishedDatabaseError` when the file is missing but a
 * marker with pending work, or a non-empty write-ahead log, says it vanished under a running mjsim. A marker
 * beside a database that exists again (restored) is removed; so is one that recorded no pending work, with
 * a notice.
 *
 * @example
 * refuseVanishedDatabase('mjsim.db'); // before new Database('mjsim.db')
 */
export function refuseVanishedDatabase(path: string): void {
  const markerPath = vanishedMarkerPath(path);
  const marker = readMarker(markerPath);
  if (existsSync(path)) {
    if (marker) rmSync(markerPath, { force: true });
    return;
  }
  if (marker && marker.pendingDeliveries === 0 && marker.unroutedEvents === 0) {
    console.error(`mjsim: the previous database ${path} ${marker.what} at ${marker.detectedAt} with no work pending; starting with an empty one`);
    rmSync(markerPath, { force: true });
  } else if (marker) {
    throw new VanishedDatabaseError(
      `the database ${path} ${marker.what} while mjsim ran (noticed at ${marker.detectedAt}; ` +
        `${marker.pendingDeliveries < 0 ? 'an unknown number of' : marker.pendingDeliveries} deliveries and ` +
        `${marker.unroutedEvents < 0 ? 'an unknown number of' : marker.unroutedEvents} events were pending). ` +
        `Restore the file, or delete ${markerPath} to start with an empty database`,
    );
  }
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new VanishedDatabaseError(
      `the database ${path} is missing but its write-ahead log ${wal} remains: the database was deleted while mjsim ran, ` +
        `and accepted work may be lost. Restore the file, or delete ${wal} and ${path}-shm to start with an empty database`,
    );
  }
}

function readMarker(markerPath: string): VanishedMarker | undefined {
  try {
    return JSON.parse(readFileSync(markerPath, 'utf8')) as VanishedMarker;
  } catch {
    return undefined;
  }
}
