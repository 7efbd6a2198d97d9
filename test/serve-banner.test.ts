/**
 * The banner says where mjsim really listens (issue 18, defect 14): on every interface (`--host 0.0.0.0`, as
 * in the container) it names that bind and a URL that reaches it from this machine, not 127.0.0.1 alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mjsim-banner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('--host 0.0.0.0: "listening on 0.0.0.0:PORT (every interface; from this machine: http://127.0.0.1:PORT)", and that URL answers', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MJSIM_')));
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--clock', 'manual', '--db', join(dir, 'banner.db')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    let out = '';
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const found = /listening on (.*)\n/.exec(out);
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const [, port] = /^0\.0\.0\.0:(\d+) /.exec(match[1]!) ?? [];
    expect(match[1]).toBe(`0.0.0.0:${port} (every interface; from this machine: http://127.0.0.1:${port})`);
    expect((await fetch(`http://127.0.0.1:${port}/sim/health`)).status).toBe(200);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
});
