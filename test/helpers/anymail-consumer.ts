/**
 * django-anymail's MailjetInboundWebhookView in a real Python process (test/anymail/parse_consumer.py): the
 * third-party Parse API consumer of the Done-when tests. Needs Debian's python3-django-anymail.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../anymail/parse_consumer.py', import.meta.url));

/** Why the anymail tests cannot run here, or undefined when they can. */
export function anymailMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import anymail.webhooks.mailjet, django'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'django-anymail is not installed (apt-get install python3-django-anymail); skipping the anymail Parse API tests';
}

/** What anymail recovered from one Parse API POST. */
export interface AnymailInbound {
  esp_name: string;
  subject: string;
  /** Addresses as [display name, address]. */
  from: [string, string] | null;
  to: [string, string][];
  cc: [string, string][];
  date: string | null;
  text: string | null;
  html: string | null;
  attachments: { filename: string | null; content_type: string; content: string }[];
  inlines: Record<string, { content_type: string; content: string }>;
  envelope_sender: string | null;
  envelope_recipient: string | null;
  spam_score: number | null;
}

export interface AnymailConsumer {
  /** The view's URL, with anymail's Basic credentials in the userinfo (as Mailjet advises). */
  readonly url: string;
  /** Resolves with the next inbound message anymail hands to its `inbound` signal. */
  next(timeoutMs?: number): Promise<AnymailInbound>;
  close(): Promise<void>;
}

/** Starts the consumer and waits until it listens. @example const consumer = await startAnymailConsumer(); */
export async function startAnymailConsumer(): Promise<AnymailConsumer> {
  const child: ChildProcess = spawn(PYTHON, [SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const received: AnymailInbound[] = [];
  const waiters: ((message: AnymailInbound) => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('PORT ')) resolve(Number(line.slice(5)));
      if (line.startsWith('INBOUND ')) {
        const message = JSON.parse(line.slice(8)) as AnymailInbound;
        const waiter = waiters.shift();
        if (waiter) waiter(message);
        else received.push(message);
      }
    });
    child.once('exit', (code) => reject(new Error(`the anymail consumer exited (${code}): ${stderr}`)));
  });
  return {
    url: `http://mjsim:secret@127.0.0.1:${port}/anymail/mailjet/inbound/`,
    next(timeoutMs = 15_000) {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no inbound message reached anymail in ${timeoutMs} ms; its stderr: ${stderr}`)), timeoutMs);
        waiters.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
