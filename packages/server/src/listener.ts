/**
 * The server's HTTP(S) listener: TLS from `TLS_CERT` and `TLS_KEY` (checked before anything
 * opens), a bound on everything a client can make it hold (connections, time to send the
 * headers and the request, idle sockets), an error naming `PORT` or `HOST` when it cannot
 * listen, and a drain on shutdown that lets the requests in flight finish.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConfigError, type StandaloneConfig } from './config.js';

/** The request headers must have arrived within this time (slow-header clients). */
export const HEADERS_TIMEOUT_MS = 30_000;
/** The whole request, headers and body, must have arrived within this time. */
export const REQUEST_TIMEOUT_MS = 300_000;
/** A keep-alive connection with no request is closed after this time. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/**
 * A socket with no bytes moving either way for this long is closed (a client that stops
 * reading its response). Event streams write a comment every 15 s; WebSocket phones have
 * their own ping and are not subject to it.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 120_000;
/** On shutdown, requests whose answer has not started get this long to finish. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** The certificate and key `TLS_CERT` and `TLS_KEY` name, checked; null without TLS. */
export function readTlsFiles(config: StandaloneConfig): TlsFiles | null {
  if (!config.TLS_CERT || !config.TLS_KEY) return null;
  const problems: string[] = [];
  const read = (name: string, path: string): Buffer | null => {
    try {
      return readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.push(`${name}: cannot read ${path} (${code}): give the path of a PEM file`);
      return null;
    }
  };
  const cert = read('TLS_CERT', config.TLS_CERT);
  const key = read('TLS_KEY', config.TLS_KEY);
  const check = (name: string, what: string, parse: () => unknown) => {
    try {
      parse();
      return true;
    } catch (error) {
      problems.push(`${name}: not ${what} (${(error as Error).message})`);
      return false;
    }
  };
  if (
    cert &&
    key &&
    check('TLS_CERT', 'a PEM certificate', () => new X509Certificate(cert)) &&
    check('TLS_KEY', 'an unencrypted PEM private key', () => createPrivateKey(key))
  ) {
    check('TLS_KEY', 'the private key of the TLS_CERT certificate', () =>
      createSecureContext({ cert, key }),
    );
  }
  if (problems.length > 0 || !cert || !key) throw new ConfigError(problems);
  return { cert, key };
}

export interface Listener {
  server: http.Server;
  /** Listens on `PORT` and `HOST`; the port it got. */
  listen(): Promise<number>;
  /**
   * Stops taking connections, closes the idle ones, and waits (at most `DRAIN_TIMEOUT_MS`)
   * for the requests whose answer has not started. Streams already answering are left to
   * the gateway's stop.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Closes every connection left and resolves when the server is closed. */
  close(): Promise<void>;
}

export function createListener(
  config: StandaloneConfig,
  tls: TlsFiles | null,
  app: http.RequestListener,
): Listener {
  const server: http.Server = tls ? https.createServer(tls, app) : http.createServer(app);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.setTimeout(IDLE_SOCKET_TIMEOUT_MS);
  server.maxConnections = config.TEXTPORT_MAX_CONNECTIONS;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const inFlight = new Set<http.ServerResponse>();
  server.on('request', (_req, res: http.ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  let closed: Promise<void> | null = null;
  const stopListening = () => {
    closed ??= new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
    return closed;
  };
  return {
    server,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((error: unknown) => {
        throw listenError(config, error);
      });
      return (server.address() as AddressInfo).port;
    },
    async drain(timeoutMs = DRAIN_TIMEOUT_MS) {
      void stopListening();
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      const waiting = () => [...inFlight].some((res) => !res.headersSent);
      while (waiting() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      const done = stopListening();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

/** A listen error as the configuration problem behind it, naming PORT or HOST. */
function listenError(config: StandaloneConfig, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.HOST}:${config.PORT}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError([
      `PORT: ${where} is already in use: stop what listens there or choose another PORT`,
    ]);
  }
  if (code === 'EACCES') {
    return new ConfigError([
      `PORT: ${config.PORT} needs privileges to listen on: choose a port above 1023 (a proxy or the container maps 80 or 443 to it)`,
    ]);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConfigError([
      `HOST: ${config.HOST} is not an address of this machine (${code}): use 0.0.0.0, :: or one of its addresses`,
    ]);
  }
  return error;
}
