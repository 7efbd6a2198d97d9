/**
 * `mjsim check --parse`: a Parse API consumer probed with Mailjet's inbound-mail JSON, each case judged with
 * what Mailjet would do. The consumer is examples/parse-consumer (Basic auth, 200 when it files the mail).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConsumer, type Consumer } from '../examples/parse-consumer/consumer.js';
import { checkParseConsumer } from '../src/index.js';
import { BIN } from './helpers/cli.js';

let consumer: Consumer;
beforeEach(async () => {
  consumer = await startConsumer({ user: 'mailjet', password: 's3cret' });
});
afterEach(() => consumer.close());

describe('check --parse', () => {
  it('passes a consumer that files every mail and refuses wrong credentials', async () => {
    const report = await checkParseConsumer(consumer.url, { timeout: '5s' });
    expect(report.results.map((result) => [result.id, result.verdict])).toEqual([
      ['parse-plain', 'pass'],
      ['parse-multipart', 'pass'],
      ['parse-reply', 'pass'],
      ['parse-10mib', 'pass'],
      ['parse-unknown-fields', 'pass'],
      ['credentials-right', 'pass'],
      ['credentials-wrong', 'pass'],
      ['credentials-none', 'pass'],
      ['latency', expect.any(String)],
    ]);
    expect(consumer.tickets.map((ticket) => ticket.subject)).toContain('Re: mjsim check');
    expect(consumer.tickets.find((ticket) => ticket.subject === 'Re: mjsim check')?.conversation).toBe('mjsim-check');
    expect(consumer.tickets.find((ticket) => ticket.subject === 'mjsim check: 10 MiB')?.attachments[0]?.bytes.length).toBe(10 * 1024 * 1024);
  });

  it('fails a URL whose password is wrong, saying what Mailjet would do, from the CLI (exit 1)', async () => {
    const wrong = consumer.url.replace(':s3cret@', ':nope@');
    const run = await promisify(execFile)(process.execPath, [BIN, 'check', '--parse', wrong, '--timeout', '5s']).then(
      () => ({ code: 0, stdout: '' }),
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/parse-plain/);
    expect(run.stdout).toMatch(/401/);
    expect(run.stdout).toMatch(/gives this mail up \(the route stays active\)/);
    expect(run.stdout).not.toMatch(/suspends the URL/);
  });
});
