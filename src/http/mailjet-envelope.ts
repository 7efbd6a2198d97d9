/**
 * Mailjet's v3 REST shapes: the `{Count, Data, Total}` envelope and the eventcallbackurl object.
 */
import type { CallbackUrl } from '../db/callback-urls.js';

/** The success envelope of every v3 REST GET/POST/PUT. @example envelope([obj]) // { Count: 1, Data: [obj], Total: 1 } */
export function envelope<T>(data: T[], total = data.length): { Count: number; Data: T[]; Total: number } {
  return { Count: total, Data: data, Total: total };
}

/** A callback URL as Mailjet returns it. */
export function toMailjetCallbackUrl(row: CallbackUrl) {
  return {
    APIKeyID: row.accountId,
    EventType: row.eventType,
    ID: row.id,
    IsBackup: row.isBackup,
    Status: row.status,
    Url: row.url,
    Version: row.version,
  };
}
