/**
 * The dashboard page: clock controls and the emit form (static), the panels the client script refreshes
 * (clock, callback URLs, deliveries), and the live feed.
 */
import type { FC } from 'hono/jsx';
import { EVENT_TYPES } from '../../core/event-types.js';
import { DELIVERY_STATUSES } from '../../core/delivery-state.js';
import { noun } from '../../core/plural.js';
import type { Viewer } from './access.js';
import { clockText } from './format.js';
import { CheckForm } from './check-panel.js';
import { STYLES } from './styles.js';
import { DeliveryCard } from './timeline.js';
import { InboundPanel } from './inbound-panel.js';
import { deliveriesLink } from './delivery-query.js';
import { DELIVERIES_SHOWN, type DashboardView } from './view-model.js';

const number = (n: number) => n.toLocaleString('en-US');

/** "1–50 of 12,345" (or "of 1,000+" past the count's cap) with links to the newer and older pages. */
const Pager: FC<{ view: DashboardView }> = ({ view }) => {
  const { page, query } = view;
  return (
    <nav class="pager" aria-label="deliveries pages">
      <span id="page-range">
        {page.last === 0 ? 'none' : `${number(page.first)}–${number(page.last)}`} of {number(page.total)}
        {page.capped ? '+' : ''}
      </span>
      {page.newerAfter === undefined ? (
        <span class="muted">‹ newer</span>
      ) : (
        <a rel="prev" href={deliveriesLink(query, { after: page.newerAfter, from: Math.max(1, page.first - DELIVERIES_SHOWN) })}>
          ‹ newer
        </a>
      )}
      {page.olderBefore === undefined ? (
        <span class="muted">older ›</span>
      ) : (
        <a rel="next" href={deliveriesLink(query, { before: page.olderBefore, from: page.last + 1 })}>
          older ›
        </a>
      )}
    </nav>
  );
};

/**
 * The deliveries filter: a plain GET form, so a filtered view is a URL to share. It sits outside the
 * refreshed panels so that a live refresh never resets what is being typed.
 */
const DeliveryFilterForm: FC<{ view: DashboardView }> = ({ view }) => {
  const { query } = view;
  return (
    <form id="delivery-filter" method="get" action="/" class="filter">
      <select name="status" aria-label="status">
        <option value="">any status</option>
        {DELIVERY_STATUSES.map((status) => (
          <option value={status} selected={query.status === status}>
            {status}
          </option>
        ))}
      </select>
      <select name="event" aria-label="event type">
        <option value="">any event</option>
        {EVENT_TYPES.map((type) => (
          <option value={type} selected={query.event === type}>
            {type}
          </option>
        ))}
      </select>
      <select name="url" aria-label="callback URL">
        <option value="">any URL</option>
        {view.urls.map((url) => (
          <option value={String(url.id)} selected={query.url === url.id}>
            #{url.id} {url.eventType} {url.maskedUrl}
          </option>
        ))}
      </select>
      <input name="message" inputmode="numeric" placeholder="MessageID" aria-label="MessageID" value={query.message ?? ''} />
      <input name="email" type="search" placeholder="recipient email" aria-label="recipient email" value={query.email ?? ''} />
      <button type="submit">Filter</button>
      <a href="/">clear</a>
    </form>
  );
};

const ClockStatus: FC<{ view: DashboardView }> = ({ view }) => (
  <section class="clock-status">
    <span>
      clock{' '}
      <time id="clock-now" data-now={view.now} data-mode={view.clockMode} data-factor={view.clockFactor}>
        {clockText(view.now)}
      </time>{' '}
      <span class="muted">({view.clockMode === 'scaled' ? `${view.clockFactor}x` : view.clockMode})</span>
    </span>
    <span>
      next due: <span id="next-due">{view.nextDueAt === null ? 'nothing' : clockText(view.nextDueAt)}</span>
    </span>
    {view.advancing ? (
      <span id="advancing">
        advancing to {clockText(view.advancing.until)}: {number(view.advancing.attempts)} {noun(view.advancing.attempts, 'attempt')} made{' '}
        <button type="button" data-action="cancel-advance">
          Cancel
        </button>
      </span>
    ) : null}
    <span class="muted">
      policy {view.policy.name}: {view.policy.description}
    </span>
  </section>
);

/**
 * Everything the client script re-renders after an action or a live event.
 *
 * @example
 * c.html(<Panels view={loadDashboard(deps, viewer)} />)
 */
/** The SMTP relay's port and its latest replies: mails accepted (their MessageIDs) and refused (docs/smtp.md). */
const SmtpReplies: FC<{ view: DashboardView }> = ({ view }) =>
  view.smtp === null ? (
    <></>
  ) : (
    <section id="smtp">
      <h2>SMTP relay</h2>
      <p class="muted">
        Port {view.smtp.port}. {view.smtp.replies.length === 0 ? 'No mail yet.' : 'Latest mails by SMTP, accepted and refused (refused mail is not stored):'}
      </p>
      {view.smtp.replies.length === 0 ? (
        ''
      ) : (
        <table class="smtp-replies">
          <thead>
            <tr>
              <th>time</th>
              <th>stage</th>
              <th>reply</th>
              <th>sender</th>
              <th>recipients</th>
              <th>MessageIDs</th>
            </tr>
          </thead>
          <tbody>
            {view.smtp.replies.map((entry) => (
              <tr data-smtp-code={entry.code}>
                <td>{clockText(entry.at)}</td>
                <td>{entry.stage.toUpperCase()}</td>
                <td>
                  {entry.code} {entry.text}
                </td>
                <td>{entry.sender ?? ''}</td>
                <td>{entry.recipients.join(', ')}</td>
                <td>
                  {entry.messageIds.length === 0
                    ? ''
                    : entry.messageIds.length === 1
                      ? entry.messageIds[0]
                      : `${entry.messageIds[0]} … ${entry.messageIds.at(-1)} (${entry.messageIds.length})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );

export const Panels: FC<{ view: DashboardView }> = ({ view }) => (
  <>
    <ClockStatus view={view} />
    <section>
      <h2>Callback URLs</h2>
      {view.urls.length === 0 ? (
        <p class="muted">No callback URL yet: register one with POST /v3/REST/eventcallbackurl.</p>
      ) : (
        <table class="urls">
          <thead>
            <tr>
              <th>ID</th>
              <th>account</th>
              <th>event</th>
              <th>role</th>
              <th>version</th>
              <th>URL</th>
              <th>status</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {view.urls.map((url) => (
              <tr data-url-id={url.id} data-status={url.status}>
                <td>{url.id}</td>
                <td>{url.accountId}</td>
                <td>{url.eventType}</td>
                <td>{url.isBackup ? 'backup' : 'primary'}</td>
                <td>{url.version}</td>
                <td class="url">{url.maskedUrl}</td>
                <td>
                  <span class={`badge ${url.status}`}>{url.status}</span>
                </td>
                <td>
                  <a href={deliveriesLink({ from: 1 }, { url: url.id })} data-url-deliveries={url.id} title="this URL's deliveries, newest first">
                    deliveries
                  </a>{' '}
                  {url.status === 'dead' ? (
                    <button type="button" data-action="reactivate" data-id={url.id}>
                      Reactivate
                    </button>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
    <SmtpReplies view={view} />
    <section>
      <h2>Deliveries</h2>
      <p class="counts">
        {DELIVERY_STATUSES.map((status) => (
          <a
            class={`badge ${status}${view.query.status === status ? ' chosen' : ''}`}
            data-count={status}
            href={deliveriesLink(view.query, { status: view.query.status === status ? undefined : status })}
            title={view.query.status === status ? 'show every status' : `show only ${status} deliveries`}
          >
            {status} {view.counts[status] ?? 0}
          </a>
        ))}
      </p>
      {view.problems.map((problem) => (
        <p class="filter-problem">{problem}</p>
      ))}
      <Pager view={view} />
      {view.deliveries.length === 0 ? (
        <p class="muted">{Object.values(view.counts).some((n) => n > 0) ? 'No delivery matches this filter.' : 'No delivery yet: emit an event.'}</p>
      ) : (
        ''
      )}
      {view.deliveries.map((item) => (
        <DeliveryCard item={item} policyAttempts={view.policy.attempts} />
      ))}
    </section>
    <InboundPanel inbound={view.inbound} />
  </>
);

/**
 * The whole page.
 *
 * @example
 * c.html(`<!doctype html>${<Page view={view} viewer={viewer} version={VERSION} />}`)
 */
export const Page: FC<{ view: DashboardView; viewer: Viewer; version: string }> = ({ view, viewer, version }) => {
  const movable = view.clockMode !== 'real';
  const fixed = movable ? {} : { disabled: true, 'data-fixed-disabled': '1', title: 'the real clock cannot be moved: start with --clock manual or --clock 100x' };
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>mjsim dashboard</title>
        <style dangerouslySetInnerHTML={{ __html: STYLES }} />
        <script src="/dashboard/app.js" defer></script>
        <script src="/dashboard/check.js" defer></script>
      </head>
      <body>
        <header>
          <h1>mjsim</h1>
          <span class="muted">
            {version} · Mailjet webhook simulator · {viewer.scope === 'all' ? 'every account (local access)' : `account ${viewer.account.id}`}
          </span>
          <span id="live" class="badge">connecting</span>
        </header>
        <section id="controls">
          <div class="buttons" role="group" aria-label="clock controls">
            <button type="button" data-action="advance" data-by="30s" {...fixed}>
              +30 s
            </button>
            <button type="button" data-action="advance" data-by="30m" {...fixed}>
              +30 min
            </button>
            <button type="button" data-action="advance" data-to="next" {...fixed}>
              Next attempt
            </button>
            <button type="button" data-action="advance" data-to="suspension" {...fixed}>
              To suspension
            </button>
          </div>
          <form id="emit-form" class="emit">
            <select name="event" aria-label="event type">
              {EVENT_TYPES.map((type) => (
                <option value={type}>{type}</option>
              ))}
            </select>
            <input name="email" type="email" placeholder="recipient@example.com" aria-label="email" />
            {view.accounts.length > 1 ? (
              <select name="accountId" aria-label="account">
                {view.accounts.map((account) => (
                  <option value={account.id}>
                    {account.id} ({account.publicKey.slice(0, 8)}…)
                  </option>
                ))}
              </select>
            ) : (
              <input type="hidden" name="accountId" value={view.accounts[0]?.id ?? ''} />
            )}
            <button type="submit">Emit event</button>
          </form>
          <output id="action-status" aria-live="polite"></output>
        </section>
        <CheckForm urls={view.urls} />
        <section id="filters">
          <DeliveryFilterForm view={view} />
        </section>
        <div class="layout">
          <main id="panels">
            <Panels view={view} />
          </main>
          <aside>
            <h2>Live feed</h2>
            <ol id="feed">
              {view.feed.map((item) => (
                <li class={`feed-${item.kind}${item.ok ? ' ok' : ''}`} data-stored="1">
                  <time>{item.atText.slice(11)}</time> {item.text}
                </li>
              ))}
            </ol>
          </aside>
        </div>
      </body>
    </html>
  );
};
