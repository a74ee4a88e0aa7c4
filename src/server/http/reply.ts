/**
 * What a handler answers, before it is written to the socket. Handlers build a `Reply` instead of
 * writing to the response themselves, so the fault layer can decide afterwards whether the answer is
 * sent at all (`commit-then-drop` applies the change and throws the reply away).
 */
export interface Reply {
  status: number;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (object media). */
  data?: Buffer;
  headers?: Record<string, string>;
}

/** A JSON reply, 200 unless told. */
export const jsonReply = (json: unknown, status = 200, headers?: Record<string, string>): Reply =>
  headers ? { status, json, headers } : { status, json };
