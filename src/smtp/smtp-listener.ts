/**
 * The SMTP relay's listener: Nodemailer's `smtp-server` speaks the protocol (EHLO, AUTH PLAIN/LOGIN, SIZE,
 * 8BITMIME, PIPELINING, SMTPUTF8, ENHANCEDSTATUSCODES; STARTTLS only with a certificate), and the relay's
 * handlers (relay-handlers.ts) decide. A second port serves implicit TLS when asked (Mailjet's 465).
 *
 * The ports are bound at once, but smtp-server and the relay's handlers load with the first connection
 * (which waits for them, before the greeting): `mjsim serve` listens sooner without them (bench:start).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SMTPServer, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { RelayDeps } from './relay-handlers.js';

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
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 300_000;
  const deadlines = new Map<string, NodeJS.Timeout>();
  const plainPort = createServer();
  const port = await listen(plainPort, options.port, options.host);
  const securePort = options.smtpsPort !== null && options.tls ? createServer() : undefined;
  let smtpsPort: number | null = null;
  try {
    if (securePort) smtpsPort = await listen(securePort, options.smtpsPort as number, options.host);
  } catch (error) {
    await closePort(plainPort);
    throw error;
  }
  const ports = securePort ? [plainPort, securePort] : [plainPort];
  let relay: Promise<SMTPServer[]> | undefined;
  let current: SMTPServer[] = [];
  const load = async (): Promise<SMTPServer[]> => {
    const [{ SMTPServer }, { relayHandlers, SMTP_MAX_SIZE }] = await Promise.all([import('smtp-server'), import('./relay-handlers.js')]);
    const handlers = relayHandlers(deps);
    const build = (secure: boolean, bound: Server): SMTPServer => {
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
      adopt(server, bound);
      return server;
    };
    current = securePort ? [build(false, plainPort), build(true, securePort)] : [build(false, plainPort)];
    return current;
  };
  // Connections that came before the relay loaded, handed over once it has.
  const waiting = new Set<Socket>();
  const ignore = () => undefined;
  ports.forEach((bound, i) => {
    // An error accepting a client is that client's; the relay keeps serving the others.
    bound.on('error', ignore);
    bound.on('connection', (socket: Socket) => {
      socket.on('error', ignore);
      waiting.add(socket);
      relay ??= load();
      relay.then(
        (servers) => {
          waiting.delete(socket);
          socket.off('error', ignore);
          if (!socket.destroyed) handOver(servers[i] as SMTPServer, socket);
        },
        (error: unknown) => {
          console.error('mjsim: the SMTP relay could not load', error);
          socket.destroy();
        },
      );
    });
  });
  const loaded = async (): Promise<SMTPServer[]> => (relay ? relay.catch(() => []) : []);
  return {
    port,
    smtpsPort,
    connections: () => waiting.size + current.reduce((sum, server) => sum + server.connections.size, 0),
    async close(graceMs = 1_000) {
      for (const timer of deadlines.values()) clearTimeout(timer);
      deadlines.clear();
      const relayServers = await loaded();
      for (const socket of waiting) socket.destroy();
      if (relayServers.length === 0) {
        await Promise.all(ports.map(closePort));
        return;
      }
      // smtp-server reads its grace at close time; 0 would mean its 30 s default.
      for (const server of relayServers) (server as unknown as { options: { closeTimeout: number } }).options.closeTimeout = Math.max(1, graceMs);
      await Promise.all(relayServers.map(close));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closePort(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Makes `server` serve the port `bound` holds: its own net server (never listening) keeps the connection
 * handler that a socket from `bound` is handed to, and `bound` takes its place, so that closing the relay
 * stops the port and waits for the port's connections, as smtp-server's close expects of its own server.
 */
function adopt(server: SMTPServer, bound: Server): void {
  const internals = server as unknown as Adopted;
  internals.ownServer = internals.server;
  internals.server = bound;
}

type Adopted = { server: Server; ownServer: Server };

/** Gives an adopted relay a client of its port, as its own net server would have. */
function handOver(server: SMTPServer, socket: Socket): void {
  (server as unknown as Adopted).ownServer.emit('connection', socket);
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
