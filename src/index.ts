/**
 * mjsim as a library: start a Mailjet-compatible webhook simulator inside a test suite.
 *
 * @example
 * import { createSimulator } from 'mailjet-webhook-simulator';
 *
 * const sim = await createSimulator();            // 127.0.0.1, free port, :memory:, manual clock
 * await sim.registerUrl({ eventType: 'open', url: consumerUrl });
 * sim.emit({ event: 'open', email: 'a@example.com' });
 * await sim.waitUntilIdle();
 * await sim.close();
 */
export {
  createSimulator,
  SimulatorError,
  type CallbackUrlInfo,
  type DeliveryDetail,
  type DeliveryInfo,
  type DeliveryQuery,
  type EmitInput,
  type EmittedWithOutcomes,
  type InboundInfo,
  type ParseRouteInfo,
  type PruneDryRun,
  type SendResult,
  type Simulator,
  type SimulatorOptions,
  type SimulatorServer,
} from './simulator.js';
export type { UntilSuspendedSummary } from './core/engine-events.js';
import type { PruneSummary as RetentionPruneSummary } from './core/prune-summary.js';
export type { InboundReceipt } from './core/inbound-view.js';

/**
 * What one prune removed, and its cutoff (epoch ms).
 *
 * @example
 * const { deliveries, events }: PruneSummary = await sim.prune('1h');
 */
export type PruneSummary = RetentionPruneSummary;
import type { AdvanceOptions as EngineAdvanceOptions, AdvanceSummary as EngineAdvanceSummary } from './core/engine-events.js';
import type { Attempt as StoredAttempt, AttemptOutcome as StoredAttemptOutcome } from './core/attempt.js';
import type { DeliveryStatus as StoredDeliveryStatus } from './core/delivery-state.js';
import type { EventPayload as MailjetEventPayload } from './core/event-payload.js';
import type { EventType as MailjetEventType } from './core/event-types.js';

/**
 * What one move of the clock did.
 *
 * @example
 * const { attempts, failures, urlsSuspended }: AdvanceSummary = await sim.advance('5h5m');
 */
export type AdvanceSummary = EngineAdvanceSummary;

/**
 * Options of `advance` and `advanceTo`: an `AbortSignal` that cancels the advance.
 *
 * @example
 * const controller = new AbortController();
 * const running = sim.advance('24h', { signal: controller.signal } satisfies AdvanceOptions);
 * controller.abort(); // (await running).cancelled === true
 */
export type AdvanceOptions = EngineAdvanceOptions;

/**
 * One HTTP attempt of a delivery; times are clock epoch milliseconds.
 *
 * @example
 * const attempts: Attempt[] = sim.delivery(id)!.attempts;
 * attempts.map((a) => [a.number, a.startedAt, a.httpStatus ?? a.outcome, a.latencyMs]);
 */
export type Attempt = StoredAttempt;

/**
 * How an attempt ended: `success`, `http-status` (a status other than success), `timeout`, `refused`,
 * `reset`, `dns`, `tls`, `self` (refused: the URL points at mjsim itself), `error`, `interrupted` or `url-gone`.
 *
 * @example
 * const outcome: AttemptOutcome = sim.delivery(id)!.attempts[0]!.outcome ?? 'interrupted';
 */
export type AttemptOutcome = StoredAttemptOutcome;

/**
 * A delivery's status: `pending`, `in_flight`, `delivered`, `failed`, `suppressed` or `handed_over`.
 *
 * @example
 * const status: DeliveryStatus = 'failed';
 * sim.deliveries({ status });
 */
export type DeliveryStatus = StoredDeliveryStatus;

/**
 * A Mailjet event payload; integers above 2^53 (MessageID) are `bigint`.
 *
 * @example
 * const [payload]: EventPayload[] = sim.emit({ event: 'open' });
 * typeof payload.MessageID // 'bigint'
 */
export type EventPayload = MailjetEventPayload;

/**
 * One of the seven event types Mailjet sends.
 *
 * @example
 * const type: EventType = 'bounce';
 */
export type EventType = MailjetEventType;

export { EVENT_TYPES } from './core/event-types.js';
export { parseDuration } from './core/duration.js';
export { scheduleOffsets, resolvePolicy } from './core/retry-policy.js';
export { parseJson, stringifyJson } from './core/json.js';
export {
  checkConsumer,
  CheckOptionsError,
  type CheckOptions,
  type CheckProgress,
  type CheckReport,
  type CheckResult,
  type CheckRunInfo,
  type CheckVerdict,
} from './use-cases/run-check.js';
export { checkParseConsumer } from './use-cases/run-parse-check.js';
