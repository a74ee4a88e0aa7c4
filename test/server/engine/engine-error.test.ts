import { describe, expect, it } from 'vitest';
import { EngineError, invalid, notFound } from '../../../src/server/engine/engine-error.js';

describe('EngineError', () => {
  it('carries status, reason and message, and is an Error', () => {
    const error = new EngineError(429, 'rateLimitExceeded', 'slow down');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'EngineError', status: 429, reason: 'rateLimitExceeded' });
    expect(error.message).toBe('slow down');
  });

  it('notFound is 404 notFound naming what is missing', () => {
    expect(notFound('bucket')).toMatchObject({ status: 404, reason: 'notFound', message: 'No such bucket.' });
    expect(notFound('object').message).toBe('No such object.');
  });

  it('invalid is 400 invalid with the given message', () => {
    expect(invalid('Bad thing.')).toMatchObject({ status: 400, reason: 'invalid', message: 'Bad thing.' });
  });
});
