/**
 * `mjsim emit <type>` injects one event; `mjsim replay <id|file>` sends a delivery's events again or posts a
 * fixture file's events. Both go through `POST /sim/events` of a running mjsim.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { readEmitEvent } from '../core/emit-input.js';
import { EVENT_TYPES } from '../core/event-types.js';
import { parseJson, stringifyJson, type JsonValue } from '../core/json.js';
import { expected, UsageError } from './arguments.js';
import { call, CliError, EXIT, printJson, run, withClientOptions, type ClientOptions } from './client.js';
import { plural } from '../core/plural.js';

/** The installed package's root (this file is dist/cli/events.js), which ships `fixtures/`. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The file `replay` reads: `path` as given (relative to the working directory) when it exists there; else a
 * relative `fixtures/…` path is read from the package's own `fixtures/`, so the docs' `npx mjsim replay
 * fixtures/samples/bounce.json` works in a project that installed mjsim.
 *
 * @example
 * fixturePath('fixtures/samples/bounce.json') // 'node_modules/mailjet-webhook-simulator/fixtures/samples/bounce.json' in a consumer project
 */
export function fixturePath(path: string): string {
  if (existsSync(path) || isAbsolute(path) || !/^(\.\/)?fixtures[\\/]/.test(path)) return path;
  const shipped = join(PACKAGE_ROOT, path);
  return existsSync(shipped) ? shipped : path;
}

/**
 * The event `mjsim emit <type> --email … --field name=value …` posts, read flag by flag with the one emit
 * schema (core/emit-input.ts), so that a problem names the flag the user typed.
 *
 * @example
 * emitEventOfFlags('open', { field: ['MessageID=abc'] }) // throws: --field MessageID=abc: "MessageID" must be a whole number …
 */
export function emitEventOfFlags(type: string, flags: { email?: string; field?: readonly string[] }): Record<string, unknown> {
  const event: Record<string, unknown> = { event: type };
  const check = (flag: string, next: Record<string, unknown>) => {
    const read = readEmitEvent(next);
    if (!read.ok) throw new UsageError(`${flag}: ${read.problem}`);
    Object.assign(event, next);
  };
  check('emit <type>', event);
  if (flags.email) check('--email', { ...event, email: flags.email });
  for (const field of flags.field ?? []) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw expected('--field', 'name=value', field);
    const raw = field.slice(eq + 1);
    // parseJson keeps a MessageID such as 576460765503091529 exact (a bigint, sent as a bare integer).
    // Only JSON number syntax is a number: "007" stays the string it is.
    const value = /^(true|false|-?(0|[1-9]\d*)(\.\d+)?)$/.test(raw) ? parseJson(raw) : raw;
    check(`--field ${field}`, { ...event, [field.slice(0, eq)]: value });
  }
  return event;
}

/** `emit <type>`: an event type, as the emit schema reads it. */
const eventTypeArg = (text: string) => {
  if (!readEmitEvent({ event: text }).ok) throw expected('emit <type>', `one of ${EVENT_TYPES.join(', ')}`, text);
  return text;
};

/**
 * Adds `emit` and `replay`.
 *
 * @example
 * registerEventCommands(program); // $ mjsim emit bounce --email a@example.com --field hard_bounce=true
 */
export function registerEventCommands(program: Command): void {
  withClientOptions(
    program
      .command('emit')
      .argument('<type>', `the event type: ${EVENT_TYPES.join(', ')}`, eventTypeArg)
      .description('inject an event (sent, open, click, bounce, spam, blocked, unsub)'),
  )
    .option('--email <address>', 'recipient address')
    .option('--field <name=value>', 'any payload field; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print JSON')
    .action(
      run(async (type: string, options: ClientOptions & { email?: string; field?: string[] }) => {
        const event = emitEventOfFlags(type, options);
        const data = (await call(options, 'POST', '/sim/events', event)) as { events: Record<string, unknown>[]; outcomes?: { note: string }[] };
        // Says what will happen (delivered when due, a Version 2 group waiting for the clock, suppressed), not just "emitted".
        const outcome = data.outcomes?.[0]?.note;
        console.log(options.json ? stringifyJson(data) : `${type} for ${data.events[0]?.email} (MessageID ${data.events[0]?.MessageID}): ${outcome ?? 'emitted'}`);
      }),
    );

  withClientOptions(program.command('replay <id|file>').description('send a delivery\'s events again, or post a fixture file\'s events'))
    .option('--now', 'for a file: drop each event\'s "time" so it gets the clock\'s time')
    .option('--json', 'print JSON')
    .action(
      run(async (id: string, options: ClientOptions & { now?: boolean }) => {
        if (!/^\d+$/.test(id)) return replayFile(id, options);
        const data = (await call(options, 'POST', `/sim/deliveries/${encodeURIComponent(id)}/replay`)) as { deliveries: number[] };
        console.log(options.json ? stringifyJson(data) : `replayed as delivery ${data.deliveries.join(', ')}`);
      }),
    );

  /** Posts a fixture file (one event object or an array) to `POST /sim/events`; given fields are kept. */
  async function replayFile(given: string, options: ClientOptions & { now?: boolean }): Promise<void> {
    const path = fixturePath(given);
    let events: JsonValue;
    try {
      events = parseJson(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CliError(`cannot read ${path}: ${(error as Error).message} (give a delivery ID or a JSON file of events)`, EXIT.usage);
    }
    const list = (Array.isArray(events) ? events : [events]).map((event) => {
      if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new CliError(`${path}: every event must be a JSON object`, EXIT.usage);
      if (!options.now) return event;
      const { time: _time, ...rest } = event as Record<string, JsonValue>;
      return rest;
    });
    // One event goes as the object it is, so an error about it does not speak of "Event 0".
    const data = (await call(options, 'POST', '/sim/events', Array.isArray(events) ? list : list[0])) as { count: number; events: { event: string; email: string }[] };
    if (options.json) return printJson(data);
    console.log(`replayed ${plural(data.count, 'event')} from ${path}: ${data.events.map((event) => `${event.event} ${event.email}`).join(', ')}`);
  }
}
