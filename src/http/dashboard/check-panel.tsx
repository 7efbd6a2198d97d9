/**
 * The dashboard's "Check a URL" form: runs `mjsim check` (the library's `checkConsumer`) against one of the
 * viewer's registered callback URLs, with the server's delivery settings, and shows the report as a table.
 * Only registered URLs can be checked, so the dashboard cannot be used to send requests anywhere else.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { checkConsumer } from '../../use-cases/run-check.js';
import { MAX_CHECK_BATCH, MAX_CHECK_TIMEOUT_MS } from '../../core/check-cases.js';
import type { CheckReport } from '../../core/check-report.js';
import { EVENT_TYPES, type EventType } from '../../core/event-types.js';
import { listAllCallbackUrls } from '../../db/callback-urls.js';
import type { AppDeps } from '../app-deps.js';
import { readJson } from '../body.js';
import { ApiError } from '../errors.js';
import { accountScope, requireActionHeader, type DashboardEnv } from './access.js';
import type { UrlView } from './view-model.js';

const checkBody = z.object({ callbackUrlId: z.coerce.number().int() }).strict();

export const CHECK_STYLES = `
#check { padding: .2em 1.2em .6em; background: #fff; border-bottom: 1px solid #dde1e6; }
#check form { display: flex; gap: .4em; flex-wrap: wrap; align-items: center; }
#check-result table { margin-top: .5em; font-size: .9em; }
.badge.pass { background: #d7f0dd; color: #17612b; }
.badge.warn { background: #fdeccc; color: #7a4b00; }
.badge.fail { background: #f9d9d6; color: #8c1d14; }
`;

/**
 * The form (rendered once with the page; reload the page after registering a new URL).
 *
 * @example
 * <CheckForm urls={view.urls} />
 */
export const CheckForm: FC<{ urls: readonly UrlView[] }> = ({ urls }) => (
  <section id="check">
    <style dangerouslySetInnerHTML={{ __html: CHECK_STYLES }} />
    <h2>Check a URL</h2>
    <form id="check-form">
      <select name="callbackUrlId" aria-label="callback URL to check" required>
        {urls.map((url) => (
          <option value={url.id}>
            #{url.id} {url.eventType} v{url.version} {url.maskedUrl}
          </option>
        ))}
      </select>
      <button type="submit" disabled={urls.length === 0}>
        Check
      </button>
      <span class="muted">sends Mailjet-shaped test events, a burst of 50 included, straight to the URL: only check consumers you own</span>
    </form>
    <div id="check-result" aria-live="polite"></div>
  </section>
);

/**
 * The report as a table, one row per case.
 *
 * @example
 * c.html(<CheckTable report={report} />)
 */
export const CheckTable: FC<{ report: CheckReport }> = ({ report }) => (
  <div class="check-report" data-failures={report.counts.fail} data-warnings={report.counts.warn}>
    <p>
      <strong>{report.url}</strong>: {report.counts.fail} fail, {report.counts.warn} warn, {report.counts.pass} pass · {report.requests} requests in{' '}
      {(report.durationMs / 1000).toFixed(1)} s · policy {report.policy}
    </p>
    {report.blocker ? (
      <p class="check-blocker" data-blocker={report.blocker.kind}>
        <span class="badge fail">fail</span> {report.blocker.message}: every case fails — {report.blocker.cause}
      </p>
    ) : (
      ''
    )}
    {report.firstFix ? (
      <p class="check-first-fix">
        fix this first: {report.firstFix.cause} ({report.firstFix.cases.length} failing case{report.firstFix.cases.length === 1 ? '' : 's'})
      </p>
    ) : (
      ''
    )}
    <table>
      <thead>
        <tr>
          <th></th>
          <th>case</th>
          <th>sent</th>
          <th>got</th>
          <th>what Mailjet would do</th>
        </tr>
      </thead>
      <tbody>
        {report.results.map((result) => (
          <tr data-case={result.id} data-verdict={result.verdict}>
            <td>
              <span class={`badge ${result.verdict}`}>{result.verdict}</span>
            </td>
            <td>{result.id}</td>
            <td>{result.sent}</td>
            <td>{result.received}</td>
            <td>
              {result.mailjet}
              {result.note ? <p class="muted">{result.note}</p> : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** The form's script (plain JavaScript, served as-is). */
export const CHECK_SCRIPT = String.raw`(() => {
  'use strict';
  const form = document.getElementById('check-form');
  const result = document.getElementById('check-result');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    result.textContent = 'Checking…';
    try {
      const res = await fetch('/dashboard/check', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' },
        body: JSON.stringify({ callbackUrlId: Number(new FormData(form).get('callbackUrlId')) }),
      });
      if (res.ok) result.innerHTML = await res.text();
      else {
        const data = await res.json().catch(() => ({}));
        result.textContent = (data.error && data.error.message) || 'HTTP ' + res.status;
      }
    } catch (error) {
      result.textContent = String(error);
    } finally {
      button.disabled = false;
    }
  });
})();
`;

/**
 * `POST /dashboard/check` (`{"callbackUrlId": 3}`, with the dashboard header) and `GET /dashboard/check.js`.
 * The URL's own version is checked, with the event types of every registration of the account on that same
 * URL (what Mailjet would send to it), the server's policy, attempt timeout and `--max-batch`. One check
 * runs at a time.
 *
 * @example
 * app.route('/', checkRoutes(deps));
 */
export function checkRoutes(deps: AppDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  let running = false;
  app.get('/dashboard/check.js', (c) => c.body(CHECK_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.post('/dashboard/check', requireActionHeader, async (c) => {
    const parsed = checkBody.safeParse(await readJson(c));
    if (!parsed.success) throw new ApiError('invalid-input', 'Body must be {"callbackUrlId": <the ID of a registered callback URL>}');
    const scope = accountScope(c.get('viewer'));
    const rows = listAllCallbackUrls(deps.db).filter((row) => scope === null || row.accountId === scope);
    const target = rows.find((row) => row.id === parsed.data.callbackUrlId);
    if (!target) throw new ApiError('not-found', `No callback URL ${parsed.data.callbackUrlId}`);
    if (running) throw new ApiError('conflict', 'A check is already running; wait for its report');
    const sameUrl = new Set(rows.filter((row) => row.accountId === target.accountId && row.url === target.url).map((row) => row.eventType));
    running = true;
    try {
      const report = await checkConsumer(target.url, {
        version: target.version === 2 ? 2 : 1,
        types: [target.eventType, ...EVENT_TYPES.filter((type: EventType) => type !== target.eventType && sameUrl.has(type))],
        timeoutMs: Math.min(deps.settings.attemptTimeoutMs, MAX_CHECK_TIMEOUT_MS),
        maxBatch: Math.min(deps.settings.maxBatch, MAX_CHECK_BATCH),
        policy: deps.settings.policy,
      });
      return c.html(<CheckTable report={report} />);
    } finally {
      running = false;
    }
  });
  return app;
}
