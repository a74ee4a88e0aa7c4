import { describe, expect, it } from 'vitest';
import { objectFields, parseJsonObject } from '../../../src/server/http/body.js';
import { HttpError } from '../../../src/server/http/errors.js';

describe('JSON bodies', () => {
  it('parses objects; an empty body is {}; anything else is 400 parseError', () => {
    expect(parseJsonObject(Buffer.from(''))).toEqual({});
    expect(parseJsonObject(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    for (const bad of ['[1]', 'null', '{oops']) {
      expect(() => parseJsonObject(Buffer.from(bad))).toThrow(
        expect.objectContaining({ status: 400, reason: 'parseError' }),
      );
    }
  });

  it('objectFields keeps name, contentType and metadata, dropping null metadata values', () => {
    expect(objectFields({ name: 'n', contentType: 't', metadata: { a: 'b', c: null }, other: 1 })).toEqual({
      name: 'n',
      contentType: 't',
      metadata: { a: 'b' },
    });
    expect(() => objectFields({ metadata: 'nope' })).toThrow(HttpError);
  });

  it('keeps a metadata key named __proto__ as a key (assignment would have dropped it)', () => {
    const fields = objectFields(
      JSON.parse('{"metadata":{"__proto__":"x","a":"b"}}') as Record<string, unknown>,
    );
    expect(Object.keys(fields.metadata ?? {})).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(fields.metadata)).toBe(Object.prototype);
  });
});
