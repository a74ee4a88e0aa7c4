import { EngineError } from '../engine/engine-error.js';
import type { Reply } from './reply.js';

/** The `errors[0].reason` GCS sends with each status, for errors that do not name their own. */
const REASONS: Record<number, string> = {
  400: 'invalid',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  405: 'methodNotAllowed',
  408: 'requestTimeout',
  409: 'conflict',
  411: 'lengthRequired',
  412: 'conditionNotMet',
  413: 'uploadTooLarge',
  429: 'rateLimitExceeded',
  499: 'clientClosedRequest',
  500: 'internalError',
  502: 'badGateway',
  503: 'backendError',
  504: 'gatewayTimeout',
};

const MESSAGES: Record<number, string> = {
  429: 'The rate of change requests to the object exceeds the rate limit. Please reduce the rate of create, update, and delete requests.',
  500: 'Internal Error. Please retry.',
  502: 'Bad Gateway.',
  503: 'We encountered an internal error. Please try again.',
  504: 'Gateway Timeout.',
};

/** The reason GCS gives for `status` when nothing more specific is known. */
export function reasonFor(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'backendError' : 'invalid');
}

/**
 * GCS's error body: `{"error":{"code","message","errors":[{"domain","reason","message"}]}}`.
 * A 304 carries no body at all (HTTP forbids one), exactly as GCS answers a failed `*NotMatch`.
 */
export function errorReply(
  status: number,
  reason = reasonFor(status),
  message = MESSAGES[status] ?? reason,
): Reply {
  if (status === 304) return { status };
  return {
    status,
    json: { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } },
  };
}

/** Any thrown value as GCS would report it; anything unexpected is a 500, never a crash. */
export function toErrorReply(error: unknown): Reply {
  if (error instanceof EngineError) return errorReply(error.status, error.reason, error.message);
  if (error instanceof HttpError) return errorReply(error.status, error.reason, error.message);
  return errorReply(500, 'internalError', 'Internal Error. Please retry.');
}

/** A refusal decided by the HTTP layer itself (bad JSON, unknown upload session...). */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly reason: string;

  constructor(status: number, message: string, reason = reasonFor(status)) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}
