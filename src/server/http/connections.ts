import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { StorageEngine } from '../engine/engine.js';
import type { ServerLimits } from '../limits.js';
import { errorReply } from './errors.js';
import { send } from './handler.js';

/** The `http.createServer` options that bound how long a client may take to send a request. */
export function timeoutOptions(limits: ServerLimits): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    // Node checks the two timeouts above on this interval (30 s by default, which would let a slow
    // client hold a connection for up to 30 s past its deadline).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

/**
 * Caps open connections at `maxConnections` and answers every client-side failure in GCS's shape:
 * a connection beyond the cap gets 503 and is closed; a request too slow to arrive gets 408
 * `requestTimeout` (Node's own timers: `headersTimeout` for slowloris headers, `requestTimeout` for
 * the whole request), a malformed one 400, an oversized header block 431. Returns the open sockets,
 * which `close()` ends.
 */
export function guardConnections(server: Server, limits: ServerLimits, engine: StorageEngine): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (sockets.size >= limits.maxConnections) {
      // Answered before its request is read: HTTP/1.1 clients take an early response as the answer.
      socket.end(
        rawReply(
          engine,
          503,
          `The server has ${limits.maxConnections} open connections, its limit (limits.maxConnections; ` +
            'the emulator: --max-connections); retry later.',
        ),
        () => socket.destroy(),
      );
      refused.add(socket);
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable || refused.has(socket)) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error.code);
    const message =
      status === 408
        ? 'The request did not arrive in time (limits.headersTimeoutMs, limits.requestTimeoutMs).'
        : status === 431
          ? 'The request headers are too large.'
          : 'Malformed HTTP request.';
    const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (response) {
      // A request whose body was still arriving: answer through its response, then drop the connection.
      send(engine, response, errorReply(status, undefined, message));
      if (response.writableFinished) socket.destroy();
      else response.once('finish', () => socket.destroy());
      return;
    }
    socket.end(rawReply(engine, status, message), () => socket.destroy());
  });
  return sockets;
}

/** Sockets over the cap: answered already, and never handed a request. */
const refused = new WeakSet<Socket>();

/** Whether a request arrived on a connection refused for being over the cap (its handler must not answer). */
export function isRefused(socket: Socket): boolean {
  return refused.has(socket);
}

function clientErrorStatus(code: string | undefined): number {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/** A whole HTTP/1.1 response with a GCS error body, for a socket that has no `ServerResponse`. */
function rawReply(engine: StorageEngine, status: number, message: string): string {
  const body = JSON.stringify(errorReply(status, undefined, message).json);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    `Date: ${new Date(engine.now()).toUTCString()}\r\n` +
    'Content-Type: application/json; charset=UTF-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}
