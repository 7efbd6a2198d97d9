/**
 * Who can see and drive the dashboard: loopback clients asking for a loopback host see every account;
 * anyone else needs an account's key pair (Basic) and sees that account only; actions need the header.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';
import { basic, OTHER_KEY, OTHER_SECRET, startTestSim, T0, type TestSim } from './helpers/sim.js';

/** A GET with a chosen Host header (fetch does not let a caller set one). */
function getWithHost(url: string, host: string): Promise<{ status: number; challenge: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] });
    });
    req.on('error', reject);
  });
}

describe('dashboard access over loopback', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim();
  });
  afterEach(() => sim.close());

  it('opens without a prompt for 127.0.0.1 and localhost, showing every account', async () => {
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: 'http://127.0.0.1:9/first' } });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', as: 'other', json: { EventType: 'open', Url: 'http://127.0.0.1:9/second' } });
    for (const base of [sim.server.url, sim.server.url.replace('127.0.0.1', 'localhost')]) {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('every account');
      expect(html).toContain('/first');
      expect(html).toContain('/second');
    }
  });

  it('asks for credentials when the Host header is not a loopback name (DNS rebinding)', async () => {
    expect(await getWithHost(`${sim.server.url}/`, 'attacker.example')).toEqual({ status: 401, challenge: expect.stringContaining('Basic') });
    expect((await getWithHost(`${sim.server.url}/dashboard/panels`, 'attacker.example:80')).status).toBe(401);
    expect((await getWithHost(`${sim.server.url}/`, `127.0.0.1:${sim.server.port}`)).status).toBe(200);
  });

  it('refuses actions without the X-Mjsim-Dashboard header', async () => {
    const res = await fetch(`${sim.server.url}/dashboard/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":"30s"}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid-input', message: expect.stringContaining('x-mjsim-dashboard') } });
    expect(sim.server.clock.now()).toBe(T0);
  });
});

describe('dashboard access from another machine', () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildTestApp();
  });
  afterEach(() => t.close());

  it('answers 401 with a Basic challenge, so the browser prompts', async () => {
    for (const path of ['/', '/dashboard/panels', '/dashboard/stream']) {
      const res = await t.call('GET', path, { as: 'none' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic');
    }
    const wrong = await t.app.request('/', { headers: { authorization: basic(OTHER_KEY, 'wrong') } });
    expect(wrong.status).toBe(401);
  });

  it('shows only the authenticated account and lets it act only on its own objects', async () => {
    await t.create({ EventType: 'open', Url: 'http://127.0.0.1:9/mine' });
    const theirs = await t.create({ EventType: 'open', Url: 'http://127.0.0.1:9/theirs', Status: 'dead' }, 'other');
    const html = await (await t.call('GET', '/')).text();
    expect(html).toContain(`account ${t.account.id}`);
    expect(html).toContain('/mine');
    expect(html).not.toContain('/theirs');
    const reactivate = await t.call('POST', `/dashboard/callback-urls/${theirs.ID}/reactivate`, { headers: { 'x-mjsim-dashboard': '1' } });
    expect(reactivate.status).toBe(404);
    const asOwner = await t.app.request(`/dashboard/callback-urls/${theirs.ID}/reactivate`, {
      method: 'POST',
      headers: { authorization: basic(OTHER_KEY, OTHER_SECRET), 'x-mjsim-dashboard': '1' },
    });
    expect(asOwner.status).toBe(200);
  });
});

describe('dashboard headers against framing and sniffing', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim();
  });
  afterEach(() => sim.close());

  it('sends Content-Security-Policy (frame-ancestors none), X-Frame-Options DENY and nosniff on the page, its parts and the prompt', async () => {
    const answers = [
      await fetch(`${sim.server.url}/`),
      await fetch(`${sim.server.url}/dashboard/panels`),
      await fetch(`${sim.server.url}/dashboard/app.js`),
      await fetch(`${sim.server.url}/dashboard/check.js`),
      await new Promise<Response>((resolve, reject) => {
        // Not a loopback Host: the access prompt (401) carries the headers too.
        const req = http.get(`${sim.server.url}/`, { headers: { host: 'mjsim.example' } }, (res) => {
          res.resume();
          resolve(new Response(null, { status: res.statusCode, headers: res.headers as Record<string, string> }));
        });
        req.on('error', reject);
      }),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 401]);
    for (const res of answers) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it("allows each of the page's inline style sheets by its hash, and has no inline script", async () => {
    const res = await fetch(`${sim.server.url}/`);
    const csp = res.headers.get('content-security-policy')!;
    const html = await res.text();
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]!);
    expect(styles.length).toBeGreaterThan(0);
    for (const style of styles) expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });
});
