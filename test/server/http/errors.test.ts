import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/server/engine/engine-error.js';
import { errorReply, HttpError, reasonFor, toErrorReply } from '../../../src/server/http/errors.js';

describe('GCS error replies', () => {
  it('have GCS shape, with the reason GCS gives for the status', () => {
    expect(errorReply(429).json).toEqual({
      error: {
        code: 429,
        message: expect.any(String) as string,
        errors: [{ domain: 'global', reason: 'rateLimitExceeded', message: expect.any(String) as string }],
      },
    });
    expect([reasonFor(412), reasonFor(503), reasonFor(500), reasonFor(599)]).toEqual([
      'conditionNotMet',
      'backendError',
      'internalError',
      'backendError',
    ]);
  });

  it('a 304 has no body', () => {
    expect(errorReply(304)).toEqual({ status: 304 });
  });

  it('engine and HTTP errors keep their status and reason; anything else is a 500', () => {
    expect(toErrorReply(new EngineError(412, 'conditionNotMet', 'no')).status).toBe(412);
    expect(toErrorReply(new HttpError(400, 'bad', 'parseError')).json).toMatchObject({
      error: { errors: [{ reason: 'parseError', message: 'bad' }] },
    });
    expect(toErrorReply(new Error('boom'))).toMatchObject({ status: 500, json: { error: { code: 500 } } });
  });
});
