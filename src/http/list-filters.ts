/**
 * The generic filters of Mailjet's v3 REST lists (`Limit`, `Offset`, `Sort`, `countOnly`; docs/mailjet-api.md#eventcallbackurl-exactly), read
 * the same way for every resource mjsim serves (eventcallbackurl, parseroute).
 */
import { ApiError } from './errors.js';

/** `Limit` at most; `Limit=0` means this many. */
export const MAX_LIMIT = 1000;

/** The paging a list query asks for. */
export interface Paging {
  limit: number;
  offset: number;
  countOnly: boolean;
}

/**
 * Applies one generic filter to `paging`; returns false when `key` (lower-case) is not a generic filter.
 *
 * @example
 * const paging = { limit: 10, offset: 0, countOnly: false };
 * applyPagingFilter(paging, 'limit', 'Limit', '0') // true; paging.limit is 1000
 */
export function applyPagingFilter(paging: Paging, key: string, name: string, value: string): boolean {
  switch (key) {
    case 'limit': {
      const limit = parseInteger(name, value, 0);
      if (limit > MAX_LIMIT) throw badFilter(name, value, `an integer from 0 to ${MAX_LIMIT} (0 means ${MAX_LIMIT})`);
      paging.limit = limit === 0 ? MAX_LIMIT : limit;
      return true;
    }
    case 'offset':
      paging.offset = parseInteger(name, value, 0);
      return true;
    case 'sort':
      if (!/^ID(\s+ASC)?$/i.test(value)) {
        throw new ApiError('invalid-input', `Invalid value "${value}" for filter "${name}": this resource sorts only on ID, ascending (ID or ID ASC)`);
      }
      return true;
    case 'countonly':
      paging.countOnly = parseBoolean(name, value);
      return true;
    default:
      return false;
  }
}

/** A boolean filter: true, false, 1 or 0. @example parseBoolean('countOnly', '1') // true */
export function parseBoolean(name: string, value: string): boolean {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw badFilter(name, value, 'true, false, 1 or 0');
  }
}

/** A whole-number filter of at least `min`. @example parseInteger('Offset', '20', 0) // 20 */
export function parseInteger(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw badFilter(name, value, `a whole number of at least ${min}`);
  }
  return Number(value);
}

/** The error of a filter value outside what it allows. @example throw badFilter('Status', 'x', 'alive or dead') */
export function badFilter(name: string, value: string, allowed: string): ApiError {
  return new ApiError('invalid-input', `Invalid value "${value}" for filter "${name}": expected ${allowed}`);
}
