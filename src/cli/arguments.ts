/**
 * Checks of flags and arguments, run by commander while it parses (before any request is made), so bad
 * usage exits 2 with one message in one style: the flag or argument as the user typed it, what it accepts,
 * and what it got (`--limit: expected a whole number from 1 to 1000, got "lots"`). Each returns the text as
 * given: the commands pass it on unchanged.
 */
import { clockTargetOfText, readClockTarget } from '../core/clock-target.js';
import { readDeliveryFilter, type FilterField } from '../core/delivery-filter.js';
import { readDuration, readTime } from '../core/duration.js';
import { readPruneInput } from '../core/prune-input.js';
import { CliError, EXIT } from './client.js';

/** Bad usage: exits 2 (`runCli` prints it; inside an action `run` does). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/**
 * `name: expected what, got "value"`: the one shape of a usage message.
 *
 * @example
 * throw expected('--wait', 'a number of seconds', 'soon'); // mjsim: --wait: expected a number of seconds, got "soon"
 */
export function expected(name: string, what: string, value: string): UsageError {
  return new UsageError(`${name}: expected ${what}, got ${JSON.stringify(value)}`);
}

/**
 * A parser for a whole number from `min` to `max`.
 *
 * @example
 * new Option('--limit <n>').argParser(wholeNumber('--limit', 1, 1000)) // "--limit x" exits 2
 */
export function wholeNumber(
  name: string,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  what = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`,
): (text: string) => string {
  return (text) => {
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw expected(name, what, text);
    return text;
  };
}

/**
 * A parser for one of `values`.
 *
 * @example
 * new Option('--status <status>').argParser(oneOf('--status', ['alive', 'dead']))
 */
export function oneOf(name: string, values: readonly string[]): (text: string) => string {
  return (text) => {
    if (!values.includes(text)) throw expected(name, `one of ${values.join(', ')}`, text);
    return text;
  };
}

/**
 * A parser for a duration (core/duration.ts, the grammar of every door: `30s`, `5h5m`; a bare number is
 * refused with the units to add).
 *
 * @example
 * new Option('--wait <duration>').argParser(durationArg('--wait')) // "--wait 30" exits 2: "--wait: 30: add a unit, e.g. 30s, 30m, 30d"
 */
export function durationArg(name: string): (text: string) => string {
  return (text) => {
    const problem = readDuration(text);
    if (typeof problem === 'string') throw new UsageError(`${name}: ${problem}`);
    return text;
  };
}

/**
 * A parser for a field of the delivery filter (core/delivery-filter.ts, the rule `/sim/deliveries`, the
 * library and the dashboard read too).
 *
 * @example
 * new Option('--status <status>').argParser(filterFlag('--status', 'status')) // "--status lost" exits 2
 */
export function filterFlag(name: string, field: FilterField): (text: string) => string {
  return (text) => {
    const [problem] = readDeliveryFilter({ [field]: text }).problems;
    if (problem) throw expected(name, problem.expected, text);
    return text;
  };
}

/**
 * A parser for the prune cutoff (core/prune-input.ts): an ISO time or a duration ago (`7d`), never a bare
 * number. The server places it against its own clock; this only refuses what it would refuse, before any request.
 *
 * @example
 * new Option('--before <time|duration>').argParser(pruneBeforeArg('--before')) // "--before 7" exits 2
 */
export function pruneBeforeArg(name: string): (text: string) => string {
  return (text) => {
    const read = readPruneInput({ before: text });
    if (!read.ok) throw new UsageError(`${name}: ${read.problem.message}`);
    return text;
  };
}

/**
 * A parser for a clock target (core/clock-target.ts): a duration, `next`, or an ISO time. Whether a time
 * lies in the past is the server's to say: only it knows its clock.
 *
 * @example
 * program.command('advance').argument('<target>', 'a duration, next, or an ISO time', clockTargetArg('clock advance <target>'))
 */
export function clockTargetArg(name: string): (text: string) => string {
  return (text) => {
    const read = readClockTarget(clockTargetOfText(text));
    if (!read.ok) throw new UsageError(`${name}: ${read.problem.message}${read.problem.field === 'by' ? '; or next, or an ISO time' : ''}`);
    return text;
  };
}

/**
 * A parser for a time: an ISO 8601 time, never a bare number.
 *
 * @example
 * program.command('set').argument('<time>', 'an ISO time', timeArg('clock set <time>'))
 */
export function timeArg(name: string): (text: string) => string {
  return (text) => {
    const problem = readTime(text);
    if (typeof problem === 'string') throw new UsageError(`${name}: ${problem}`);
    return text;
  };
}
