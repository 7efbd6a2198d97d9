import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { KEY, SECRET, startTestSim, type TestSim } from './helpers/sim.js';

let sim: TestSim;
beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(() => sim.close());

function mjsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--server', sim.server.url, '--api-key', `${KEY}:${SECRET}`], (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

describe('mjsim urls', () => {
  it('prints a table with credentials masked, JSON on --json, and exit code 1 on --fail-on-dead', async () => {
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'open', Url: 'http://me:pw@127.0.0.1:9/a' } });
    await sim.api('/v3/REST/eventcallbackurl', { method: 'POST', json: { EventType: 'bounce', Url: 'http://127.0.0.1:9/b', Status: 'dead' } });
    const plain = await mjsim('urls');
    expect(plain.code).toBe(0);
    expect(plain.stdout.split('\n')[0]).toMatch(/^ID\s+EventType\s+IsBackup\s+Version\s+Status\s+Url$/);
    expect(plain.stdout).toContain('http://***:***@127.0.0.1:9/a');
    expect(plain.stdout).not.toContain('pw@');

    const json = JSON.parse((await mjsim('urls', '--json', '--status', 'dead')).stdout) as { count: number; urls: { ID: number; Status: string }[] };
    expect(json).toMatchObject({ count: 1, urls: [{ Status: 'dead' }] });

    const failing = await mjsim('urls', '--fail-on-dead');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe(`mjsim: 1 callback URL dead: #${json.urls[0]!.ID}\n`);
    expect((await mjsim('urls', '--status', 'zombie')).code).toBe(2);
  });
});
