import { describe, expect, it } from 'vitest';
import { StorageFaultError, storageFaultOf } from './storage-health.js';

const sqlite = (code: string) => Object.assign(new Error(code), { code });

describe('storageFaultOf', () => {
  it('tells storage faults from every other error', () => {
    expect(storageFaultOf(sqlite('SQLITE_FULL'))).toBe('full');
    expect(storageFaultOf(sqlite('SQLITE_IOERR'))).toBe('io-error');
    expect(storageFaultOf(sqlite('SQLITE_IOERR_WRITE'))).toBe('io-error');
    expect(storageFaultOf(sqlite('SQLITE_IOERR_SHMSIZE'))).toBe('io-error');
    expect(storageFaultOf(new StorageFaultError('gone', 'deleted'))).toBe('gone');
    expect(storageFaultOf(sqlite('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull();
    expect(storageFaultOf(sqlite('SQLITE_BUSY'))).toBeNull();
    expect(storageFaultOf(new Error('no code'))).toBeNull();
    expect(storageFaultOf(null)).toBeNull();
  });
});
