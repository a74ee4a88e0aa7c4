import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http/errors.js';

/** The header every control request carries. A web page cannot send it without a CORS preflight. */
export const CONTROL_HEADER = 'x-gcs-lock-control';

/** Who may use the control endpoint: any local caller that sends the header, or only holders of a token. */
export interface ControlAccess {
  /** When set, control requests must carry `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** The host the server listens on: a name it may also be addressed by. */
  listenHost: string;
}

/**
 * Refuses control requests that a browser could have been tricked into sending (CSRF) or that reach
 * the server under a name an attacker controls (DNS rebinding):
 * - the `X-GCS-Lock-Control` header must be present: browsers send custom headers only after a CORS
 *   preflight, and this server grants none;
 * - requests with a body must be `application/json`, which a form or a `no-cors` fetch cannot send;
 * - an `Origin` header must be the server's own (a page elsewhere is refused, even on localhost);
 * - without a token, `Host` must be an IP address, `localhost` (or `*.localhost`) or the listen host:
 *   a rebinding attack reaches us under its own domain name, and is refused here;
 * - with a token, `Authorization: Bearer <token>` must match (compared in constant time); then any
 *   Host is accepted, since an attacker who does not know the token gets nowhere.
 * Every refusal is 401/403/415 in GCS's error shape and never echoes the token.
 */
export function admitControlRequest(req: IncomingMessage, access: ControlAccess): void {
  if (typeof req.headers[CONTROL_HEADER] !== 'string' || req.headers[CONTROL_HEADER] === '') {
    throw new HttpError(
      403,
      `Control requests need the header ${CONTROL_HEADER}: 1 (ControlClient sends it).`,
      'forbidden',
    );
  }
  const host = req.headers.host ?? '';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    throw new HttpError(
      403,
      `Control requests from a web page (Origin ${JSON.stringify(origin)}) are refused.`,
      'forbidden',
    );
  }
  if (access.token === undefined) {
    if (!isLocalName(hostname(host), access.listenHost)) {
      throw new HttpError(
        403,
        `Control requests must address the server by IP address or localhost, not ${JSON.stringify(host)} ` +
          '(a DNS rebinding guard); to reach it under another name, start it with a control token.',
        'forbidden',
      );
    }
  } else {
    checkToken(req.headers.authorization, access.token);
  }
  const method = req.method ?? 'GET';
  if (
    method !== 'GET' &&
    method !== 'DELETE' &&
    !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')
  ) {
    throw new HttpError(
      415,
      `Control ${method} requests must be Content-Type: application/json.`,
      'unsupportedMediaType',
    );
  }
}

function checkToken(authorization: string | undefined, token: string): void {
  const sent = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (sent === undefined) {
    throw new HttpError(
      401,
      'This server requires a control token: Authorization: Bearer <token>.',
      'required',
    );
  }
  // Digests first: timingSafeEqual needs equal lengths, and the token's length must not leak either.
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(sent), digest(token))) {
    throw new HttpError(403, 'The control token does not match.', 'forbidden');
  }
}

/** `host:port`, `[v6]:port` or a bare host, without the port and brackets, lower-cased. */
function hostname(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d*$/, '').toLowerCase();
}

/** IP literals cannot be rebound; `localhost` names resolve locally by RFC 6761. */
function isLocalName(name: string, listenHost: string): boolean {
  if (name === '') return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return name === listenHost.toLowerCase();
}
