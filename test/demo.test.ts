/**
 * The demo on the manual clock: the same URLs, receiver and first batch as `npm run demo`, driven to the
 * suspension of the always-down URL without waiting on wall time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { advanceUntilSuspended } from '../src/use-cases/advance-until-suspended.js';
import { EVENT_TYPES } from '../src/core/event-types.js';
import { listAllCallbackUrls } from '../src/db/callback-urls.js';
import { runDemo, type RunningDemo } from '../src/cli/demo-run.js';

let demo: RunningDemo | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
});

describe('mjsim demo', () => {
  it('prints the dashboard address, registers its URLs, and its down URL is suspended with the backup taking over', async () => {
    const lines: string[] = [];
    let next = 0;
    const random = () => [0.9, 0.1][next++ % 2] as number; // /flaky fails every other request
    demo = await runDemo({ clock: 'manual', port: 0, trafficEveryMs: 0, statusEveryMs: 0, log: (line) => lines.push(line), random });
    expect(lines[0]!.split('\n')[0]).toBe(`mjsim demo: open ${demo.server.url}/ in a browser (Ctrl-C stops the demo)`);
    const urls = listAllCallbackUrls(demo.server.db).map((url) => [url.eventType, url.isBackup, new URL(url.url).pathname]);
    expect(urls).toEqual([
      ['sent', false, '/flaky'],
      ['open', false, '/flaky'],
      ['click', false, '/flaky'],
      ['spam', false, '/flaky'],
      ['unsub', false, '/flaky'],
      ['blocked', false, '/flaky'],
      ['bounce', false, '/down'],
      ['bounce', true, '/backup'],
    ]);
    expect(new Set(urls.map(([type]) => type))).toEqual(new Set(EVENT_TYPES));
    const generated = demo.server.db.$client.prepare('select distinct event_type as type from events').all() as { type: string }[];
    expect(new Set(generated.map((row) => row.type))).toEqual(new Set(EVENT_TYPES));
    expect((await (await fetch(demo.dashboardUrl)).text())).toContain('mjsim dashboard');

    const summary = await advanceUntilSuspended(demo.server.engine);
    await demo.server.engine.idle();
    expect(summary.stoppedBecause).toBe('suspended');
    expect(demo.receiver.counts.get('/down 503')).toBe(21);
    expect(demo.receiver.counts.get('/backup 200')).toBe(1);
    expect(demo.receiver.counts.get('/flaky 200')).toBeGreaterThanOrEqual(6);
    expect(lines.some((line) => /^!! URL #7 \(bounce\) suspended at .*: its backup takes over$/.test(line))).toBe(true);
  });
});
