/**
 * The SMTP relay's listener: Nodemailer's `smtp-server` speaks the protocol (EHLO, AUTH PLAIN/LOGIN, SIZE,
 * 8BITMIME, PIPELINING, SMTPUTF8, ENHANCEDSTATUSCODES; STARTTLS only with a certificate), and the relay's
 * handlers (relay-handlers.ts) decide. A second port serves implicit TLS when asked (Mailjet's 465).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { relayHandlers, SMTP_MAX_SIZE, type RelayDeps } from './relay-handlers.js';

/** How the relay listens. Timeouts are real time (ms). */
export interface SmtpListenOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS port (needs `tls`); null for none. */
  readonly smtpsPort: number | null;
  /**
   * The HTTPS side's certificate and key (PEM, as tls/ makes or reads them): offered by STARTTLS and used on
   * the implicit-TLS port. Spelled out here so the relay does not import the HTTPS side.
   */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** A connection silent this long is closed with 421. Default 60 s. */
  readonly idleTimeoutMs?: number;
  /** A connection is closed with 421 when it has not finished a mail for this long (slow or byte-by-byte talkers). Default 5 min. */
  readonly sessionTimeoutMs?: number;
  /** Most connections at once; more get 421. Default 2,000. */
  readonly maxClients?: number;
}

/** A running relay. */
export interface SmtpListener {
  readonly port: number;
  readonly smtpsPort: number | null;
  /** Connections open now (both ports). */
  connections(): number;
  /** Stops taking connections; open ones get `graceMs` (default 1 s) to finish their mail, then 421 and close. */
  close(graceMs?: number): Promise<void>;
}

/** A reply text that starts with its own enhanced status code keeps it (smtp-server would add its default). */
const OWN_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

/** smtp-server's connection, for the one private method the relay wraps (`send`). */
interface Connection {
  session: SMTPServerSession;
  send(code: number, data?: string | string[], context?: string | false): void;
}

/**
 * Starts the relay on `options.port` (and `options.smtpsPort`).
 *
 * @example
 * const smtp = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, smtpsPort: null, tls: undefined });
 * smtp.port // 40123
 */
export async function startSmtpListener(deps: RelayDeps, options: SmtpListenOptions): Promise<SmtpListener> {
  const handlers = relayHandlers(deps);
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 300_000;
  const deadlines = new Map<string, NodeJS.Timeout>();
  const build = (secure: boolean): SMTPServer => {
    let server: SMTPServer;
    const connectionOf = (session: SMTPServerSession): Connection | undefined => {
      for (const connection of server.connections as Set<Connection>) if (connection.session === session) return connection;
      return undefined;
    };
    // Slow talkers: the idle timeout restarts with every byte, so a deadline per mail bounds the rest.
    const arm = (session: SMTPServerSession) => {
      clearTimeout(deadlines.get(session.id));
      const timer = setTimeout(() => connectionOf(session)?.send(421, '4.4.2 Session time limit reached: finish a mail sooner; closing connection'), sessionTimeoutMs);
      timer.unref();
      deadlines.set(session.id, timer);
    };
    const settings: SMTPServerOptions & { hideREQUIRETLS: boolean } = {
      name: 'in-v3.mjsim.local',
      banner: 'mjsim SMTP relay (Mailjet-compatible): AUTH with your API key and secret key',
      secure,
      ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
      // STARTTLS only with a certificate: clients upgrade whenever it is offered, then verify it.
      disabledCommands: options.tls ? [] : ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN'],
      // The relay answers unauthenticated MAIL itself (530, or inbound mail to a parse route).
      authOptional: true,
      allowInsecureAuth: true,
      size: SMTP_MAX_SIZE,
      hideDSN: true,
      hideENHANCEDSTATUSCODES: false,
      hideREQUIRETLS: true,
      disableReverseLookup: true,
      socketTimeout: options.idleTimeoutMs ?? 60_000,
      closeTimeout: 1_000,
      maxClients: options.maxClients ?? 2_000,
      logger: false,
      onConnect(session, done) {
        const connection = connectionOf(session);
        if (connection) {
          const send = connection.send.bind(connection);
          connection.send = (code, data, context) => send(code, data, typeof data === 'string' && OWN_ENHANCED_CODE.test(data) ? false : context);
        }
        arm(session);
        done();
      },
      onClose(session) {
        clearTimeout(deadlines.get(session.id));
        deadlines.delete(session.id);
      },
      onAuth: handlers.onAuth,
      onMailFrom: handlers.onMailFrom,
      onRcptTo: handlers.onRcptTo,
      onData(stream, session, done) {
        handlers.onData(stream, session, (error, message) => {
          arm(session);
          done(error, message);
        });
      },
    };
    server = new SMTPServer(settings);
    // A client's socket error is its own; the relay keeps serving the others.
    server.on('error', () => undefined);
    return server;
  };
  const plain = build(false);
  const port = await listen(plain, options.port, options.host);
  const secure = options.smtpsPort !== null && options.tls ? build(true) : undefined;
  let smtpsPort: number | null = null;
  try {
    if (secure) smtpsPort = await listen(secure, options.smtpsPort as number, options.host);
  } catch (error) {
    await close(plain);
    throw error;
  }
  const servers = secure ? [plain, secure] : [plain];
  return {
    port,
    smtpsPort,
    connections: () => servers.reduce((sum, server) => sum + server.connections.size, 0),
    async close(graceMs = 1_000) {
      for (const timer of deadlines.values()) clearTimeout(timer);
      deadlines.clear();
      // smtp-server reads its grace at close time; 0 would mean its 30 s default.
      for (const server of servers) (server as unknown as { options: { closeTimeout: number } }).options.closeTimeout = Math.max(1, graceMs);
      await Promise.all(servers.map(close));
    },
  };
}

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const net = server.server;
    net.once('error', reject);
    server.listen(port, host, () => {
      net.off('error', reject);
      resolve((net.address() as AddressInfo).port);
    });
  });
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
