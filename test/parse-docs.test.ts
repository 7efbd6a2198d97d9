/**
 * The curl examples of docs/parse-api.md run as printed (only the server, the key pair and the mail file are
 * this test's): registering a route the way Mailjet's guide does, then delivering a mail through /sim/inbound.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { KEY, SECRET, type TestSim } from './helpers/sim.js';
import type { Receiver } from './helpers/receiver.js';
import { useSimAndReceiver } from './helpers/sim-and-receiver.js';

let sim: TestSim;
let receiver: Receiver;
useSimAndReceiver((pair) => ({ sim, receiver } = pair));

const page = readFileSync(new URL('../docs/parse-api.md', import.meta.url), 'utf8');
const shellBlocks = [...page.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);

it('registers a route and delivers a mail with the curl lines of docs/parse-api.md', async () => {
  expect(shellBlocks).toHaveLength(2);
  const local = (block: string) =>
    block
      .replaceAll('http://127.0.0.1:7355', sim.server.url)
      .replaceAll('K1:S1', `${KEY}:${SECRET}`)
      .replaceAll('https://user:pass@app.example.com/mailjet/inbound', `${receiver.url}/mailjet/inbound`)
      .replaceAll('@mail.eml', `@${fileURLToPath(new URL('../fixtures/inbound/support-request.eml', import.meta.url))}`);
  const registered = await promisify(execFile)('bash', ['-c', local(shellBlocks[0] as string)]);
  const route = (JSON.parse(registered.stdout) as { Data: { Email: string }[] }).Data[0];
  expect(route?.Email).toMatch(/^[\w-]{16}@parse-in1\.mailjet\.com$/);
  const delivered = await promisify(execFile)('bash', ['-c', local(shellBlocks[1] as string).replace('support@acme.example', route?.Email as string)]);
  expect(JSON.parse(delivered.stdout)).toMatchObject({ accepted: 1, sender: 'jane@customer.example', recipients: [route?.Email] });
  const [request] = await receiver.waitFor(1);
  expect(JSON.parse(request?.body ?? '')).toMatchObject({ Subject: 'Where is my order? ✓' });
});
