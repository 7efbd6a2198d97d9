/**
 * The dashboard's Parse API panel: the latest inbound mails (subject, from, attachments, attempts, status),
 * each linked to its delivery's attempts through the deliveries filter `eventType=parse`.
 */
import type { FC } from 'hono/jsx';
import type { InboundMessage } from '../../db/inbound-messages.js';
import { clockText } from './format.js';

/** How many inbound mails the panel shows. */
export const INBOUND_SHOWN = 20;

/**
 * The panel; nothing at all while no inbound mail exists (most runs never use the Parse API).
 *
 * @example
 * <InboundPanel inbound={view.inbound} />
 */
export const InboundPanel: FC<{ inbound: InboundMessage[] }> = ({ inbound }) =>
  inbound.length === 0 ? null : (
    <section id="inbound">
      <h2>Inbound mail (Parse API)</h2>
      <p class="muted">
        The latest {inbound.length}; their POSTs are the deliveries of <a href="/?event=parse">type parse</a>. A failed one is dead: every attempt of the
        retry policy failed; its route stays active.
      </p>
      <table class="inbound">
        <thead>
          <tr>
            <th>ID</th>
            <th>received</th>
            <th>to</th>
            <th>from</th>
            <th>subject</th>
            <th>attachments</th>
            <th>attempts</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {inbound.map((row) => (
            <tr data-inbound-id={row.id} data-status={row.status}>
              <td>{row.id}</td>
              <td>{clockText(row.createdAt)}</td>
              <td>{row.recipient}</td>
              <td>{row.fromHeader}</td>
              <td>{row.subject}</td>
              <td>{row.attachmentCount}</td>
              <td>{row.attemptCount}</td>
              <td>
                <span class={`badge ${row.status}`}>{row.status}</span> <span class="muted">delivery #{row.deliveryId}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
