/**
 * The headers that keep another site from framing or repurposing the dashboard (it may be reachable from a
 * network with `--host 0.0.0.0`): a Content-Security-Policy that allows only the dashboard's own scripts,
 * its two inline style sheets by hash, requests back to itself and no framing; `X-Frame-Options: DENY` for
 * browsers that predate `frame-ancestors`; `X-Content-Type-Options: nosniff`.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { CHECK_STYLES } from './check-panel.js';
import { STYLES } from './styles.js';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The dashboard's policy: its inline `<style>` blocks are allowed by their hashes, nothing inline else. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${hashOf(STYLES)} ${hashOf(CHECK_STYLES)}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Sets the three headers on every dashboard answer (the page, its panels, scripts, feed and actions, and
 * the access prompt).
 *
 * @example
 * app.use('/', dashboardSecurityHeaders);
 */
export const dashboardSecurityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('content-security-policy', DASHBOARD_CSP);
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
};
