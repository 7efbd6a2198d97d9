/**
 * One delivery on the page: its header, the timeline of every retry slot, and its attempts.
 */
import type { FC } from 'hono/jsx';
import type { TimelineSlot } from '../../core/delivery-timeline.js';
import { clockText, offsetText, resultText } from './format.js';
import type { DeliveryView } from './view-model.js';

/** How a delivery without a next attempt ended. */
function endText({ delivery, attempts }: DeliveryView): string {
  if (delivery.status === 'delivered') return `delivered at ${clockText(attempts.at(-1)?.startedAt ?? null)}`;
  if (delivery.parentId !== null && delivery.status !== 'failed') return '';
  return delivery.reason ?? '';
}

const SlotCell: FC<{ slot: TimelineSlot }> = ({ slot }) => {
  const last = slot.attempts.at(-1);
  const finished = slot.state === 'success' || slot.state === 'failed';
  const detail = finished && last ? `${resultText(last)} in ${last.latencyMs ?? '?'} ms` : slot.state;
  const title = `attempt ${slot.number} (${offsetText(slot.offsetMs)} in the policy): ${detail}${slot.at === null ? '' : ` at ${clockText(slot.at)}`}`;
  return (
    <li class={`slot ${slot.state}`} data-slot={slot.number} data-state={slot.state} title={title}>
      <b>{slot.number}</b>
      <span>{finished && last ? resultText(last) : slot.state === 'next' ? 'next' : slot.state === 'in-flight' ? '…' : offsetText(slot.offsetMs)}</span>
      <small>{finished && last?.latencyMs != null ? `${last.latencyMs} ms` : ''}</small>
    </li>
  );
};

/**
 * A delivery with its timeline and a replay button.
 *
 * @example
 * <DeliveryCard item={view.deliveries[0]} policyAttempts={21} />
 */
export const DeliveryCard: FC<{ item: DeliveryView; policyAttempts: number }> = ({ item, policyAttempts }) => {
  const { delivery, timeline, attempts } = item;
  const next = timeline.slots.find((slot) => slot.state === 'next');
  return (
    <article class="delivery" data-delivery-id={delivery.id} data-status={delivery.status}>
      <div class="delivery-head">
        <strong>#{delivery.id}</strong>
        <span class={`badge ${delivery.status}`}>{delivery.status}</span>
        <span>{delivery.eventTypes.split(',').join(', ')}</span>
        <span class="muted">
          {delivery.eventCount} event{delivery.eventCount === 1 ? '' : 's'} · V{delivery.version} · → {item.maskedUrl ?? '(no URL)'}
        </span>
        <span class="muted">
          {delivery.attemptCount}/{policyAttempts} attempts
        </span>
        <span class="next-due" data-next-due={next?.at ?? ''}>
          {next ? `next attempt #${next.number} at ${clockText(next.at)}` : endText(item)}
        </span>
        <button type="button" data-action="replay" data-id={delivery.id}>
          Replay
        </button>
      </div>
      <ol class="timeline" aria-label={`retry slots of delivery ${delivery.id}`}>
        {timeline.hiddenBefore > 0 ? <li class="more">… {timeline.hiddenBefore} earlier</li> : ''}
        {timeline.slots.map((slot) => (
          <SlotCell slot={slot} />
        ))}
        {timeline.hiddenAfter > 0 ? <li class="more">… {timeline.hiddenAfter} more</li> : ''}
      </ol>
      {delivery.parentId !== null ? <p class="muted">continues delivery #{delivery.parentId}{delivery.reason ? `: ${delivery.reason}` : ''}</p> : ''}
      {item.continuedBy.length > 0 ? (
        <p class="muted" data-continued-by={item.continuedBy.join(',')}>
          continued by delivery #{item.continuedBy.join(', #')}
        </p>
      ) : (
        ''
      )}
      <details data-key={`delivery-${delivery.id}`}>
        <summary>
          {attempts.length} attempt{attempts.length === 1 ? '' : 's'}
        </summary>
        <table class="attempts">
          <thead>
            <tr>
              <th>#</th>
              <th>due</th>
              <th>started</th>
              <th>result</th>
              <th>latency</th>
              <th>URL</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((attempt) => (
              <tr data-attempt={attempt.number} data-outcome={attempt.outcome ?? 'in-flight'}>
                <td>{attempt.number}</td>
                <td>{clockText(attempt.scheduledAt)}</td>
                <td>{clockText(attempt.startedAt)}</td>
                <td>{resultText(attempt)}</td>
                <td>{attempt.latencyMs === null ? '' : `${attempt.latencyMs} ms`}</td>
                <td>{attempt.url}</td>
                <td>{attempt.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
};
