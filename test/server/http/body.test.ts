import { describe, expect, it } from 'vitest';
import { objectFields, parseJsonObject, parseMultipart } from '../../../src/server/http/body.js';
import { HttpError } from '../../../src/server/http/errors.js';

const multipart = (boundary: string, parts: Array<[string, string]>): Buffer =>
  Buffer.from(
    parts.map(([type, data]) => `--${boundary}\r\nContent-Type: ${type}\r\n\r\n${data}\r\n`).join('') +
      `--${boundary}--\r\n`,
  );

describe('parseMultipart', () => {
  it('splits metadata and media, keeping CRLFs inside the data', () => {
    const body = multipart('xyz', [
      ['application/json', '{"name":"a"}'],
      ['text/plain', 'line one\r\nline two'],
    ]);
    const [meta, media] = parseMultipart('multipart/related; boundary="xyz"', body);
    expect(meta).toEqual({ type: 'application/json', data: Buffer.from('{"name":"a"}') });
    expect(media?.data.toString()).toBe('line one\r\nline two');
    expect(media?.type).toBe('text/plain');
  });

  it('rejects a body without a boundary or with the wrong number of parts', () => {
    expect(() => parseMultipart('application/json', Buffer.from('{}'))).toThrow(HttpError);
    expect(() =>
      parseMultipart('multipart/related; boundary=b', multipart('b', [['text/plain', 'x']])),
    ).toThrow(/two parts/);
  });
});

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
});
