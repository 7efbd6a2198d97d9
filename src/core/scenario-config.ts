/**
 * The account-default scenario: probabilities and delay ranges per event, with a seed, read from the JSON
 * file given by `--scenario-file` (env `MJSIM_SCENARIO_FILE`). Pure: the caller reads the file.
 *
 * Delays are relative: `sent`, `bounce` and `blocked` to the send; `open` and `spam` to `sent`; `click`
 * and `unsub` to the open (to `sent` when there was none). `click` is the probability among those who
 * opened; `hard` is the share of bounces that are hard.
 */
import { z } from 'zod';
import { readDuration } from './duration.js';

/** A delay range in milliseconds, `[min, max]`. */
export type DelayRange = readonly [number, number];

export interface EventRule {
  readonly probability: number;
  readonly delay: DelayRange;
}

/** The lifecycle rules of one account. */
export interface ScenarioConfig {
  readonly sent: { readonly delay: DelayRange };
  readonly bounce: EventRule & { readonly hard: number };
  readonly blocked: EventRule;
  readonly open: EventRule;
  readonly click: EventRule;
  readonly spam: EventRule;
  readonly unsub: EventRule;
}

/** A parsed scenario file: the seed, the default rules, and per-API-key overrides (already merged). */
export interface ScenarioFile {
  readonly seed: string | undefined;
  readonly base: ScenarioConfig;
  readonly accounts: Readonly<Record<string, ScenarioConfig>>;
}

/**
 * Without a file every message is simply `sent` (1–5 s after the send) and nothing else happens unless
 * an address tag or the `X-MJSim-Scenario` header says so; the delays below apply to tagged events too.
 */
export const DEFAULT_SCENARIO: ScenarioConfig = Object.freeze({
  sent: { delay: [1_000, 5_000] },
  bounce: { probability: 0, hard: 0.7, delay: [1_000, 30_000] },
  blocked: { probability: 0, delay: [200, 2_000] },
  open: { probability: 0, delay: [60_000, 3_600_000] },
  click: { probability: 0, delay: [10_000, 600_000] },
  spam: { probability: 0, delay: [60_000, 7_200_000] },
  unsub: { probability: 0, delay: [30_000, 1_800_000] },
} as const);

/** A year: events of a lifecycle stay within reach of the clock (see clock-range.ts). */
const MAX_SCENARIO_DELAY_MS = 365 * 86_400_000;

/**
 * The file's zod schemas, made on the first parse: making them is a few milliseconds of every `mjsim serve`
 * start (bench:start), and only a start with `--scenario-file` parses a file.
 */
function makeSchemas() {
  const durationText = z.union([z.string(), z.number()]);
  /** A delay: one duration ("30s") or a range ["1m", "60m"]; as [min, max] milliseconds. A bare number is refused, as everywhere. */
  const delay = z.union([durationText, z.tuple([durationText, durationText])]).transform((value, ctx): DelayRange => {
    const [min, max] = (Array.isArray(value) ? value : [value, value]).map((part) => readDuration(part));
    const problem = [min, max].find((ms) => typeof ms === 'string');
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid delay ${JSON.stringify(value)}: ${problem}` });
    else if ((min as number) > (max as number)) ctx.addIssue({ code: 'custom', message: 'a delay range is [min, max] with min <= max' });
    else if ((max as number) > MAX_SCENARIO_DELAY_MS) ctx.addIssue({ code: 'custom', message: 'a delay is at most 365d (event times stay within the clock range)' });
    return problem === undefined ? [min as number, max as number] : [0, 0];
  });
  const probability = z.number().min(0, 'a probability is from 0 to 1').max(1, 'a probability is from 0 to 1');
  const rule = z.object({ probability: probability.optional(), delay: delay.optional() }).strict();
  const rules = z
    .object({
      sent: z.object({ delay: delay.optional() }).strict().optional(),
      bounce: rule.extend({ hard: probability.optional() }).strict().optional(),
      blocked: rule.optional(),
      open: rule.optional(),
      click: rule.optional(),
      spam: rule.optional(),
      unsub: rule.optional(),
    })
    .strict();
  const file = rules
    .extend({
      seed: z.union([z.string(), z.number()]).optional(),
      accounts: z.record(z.string(), rules).optional(),
    })
    .strict()
    .refine((value) => (value.blocked?.probability ?? 0) + (value.bounce?.probability ?? 0) <= 1, {
      message: 'blocked.probability + bounce.probability must not exceed 1',
    });
  return { rules, file };
}

let schemas: ReturnType<typeof makeSchemas> | undefined;

type Rules = z.output<ReturnType<typeof makeSchemas>['rules']>;

function merge(base: ScenarioConfig, over: Rules): ScenarioConfig {
  const pick = <K extends keyof ScenarioConfig>(key: K) => ({ ...base[key], ...stripUndefined(over[key] ?? {}) }) as ScenarioConfig[K];
  return Object.freeze({
    sent: pick('sent'),
    bounce: pick('bounce'),
    blocked: pick('blocked'),
    open: pick('open'),
    click: pick('click'),
    spam: pick('spam'),
    unsub: pick('unsub'),
  });
}

const stripUndefined = (value: object) => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));

/**
 * Validates a scenario file's JSON; returns the file or an error message naming the bad property.
 *
 * @example
 * parseScenarioFile({ seed: 42, open: { probability: 0.4, delay: ['1m', '60m'] }, click: { probability: 0.1 } })
 * parseScenarioFile({ open: { probabilty: 0.4 } }) // 'open: Unrecognized key: "probabilty"'
 */
export function parseScenarioFile(json: unknown): ScenarioFile | string {
  const parsed = (schemas ??= makeSchemas()).file.safeParse(json);
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ');
  const { seed, accounts, ...own } = parsed.data;
  const base = merge(DEFAULT_SCENARIO, own);
  return Object.freeze({
    seed: seed === undefined ? undefined : String(seed),
    base,
    accounts: Object.freeze(Object.fromEntries(Object.entries(accounts ?? {}).map(([key, over]) => [key, merge(base, over)]))),
  });
}

/**
 * The rules for the account with this public API key.
 *
 * @example
 * scenarioFor(undefined, 'KEY') === DEFAULT_SCENARIO // true
 */
export function scenarioFor(scenarioFile: ScenarioFile | undefined, publicKey: string): ScenarioConfig {
  if (!scenarioFile) return DEFAULT_SCENARIO;
  return scenarioFile.accounts[publicKey] ?? scenarioFile.base;
}
