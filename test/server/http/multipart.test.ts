import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/server/http/errors.js';
import { multipartBoundary, parseMultipart } from '../../../src/server/http/multipart.js';

/** A two-part body as clients build it: `eol` between lines, optional preamble and epilogue. */
function body(
  boundary: string,
  eol: string,
  media: string,
  extra: { preamble?: string; epilogue?: string } = {},
): Buffer {
  return Buffer.from(
    (extra.preamble ?? '') +
      `--${boundary}${eol}Content-Type: application/json${eol}MIME-Version: 1.0${eol}${eol}{"name":"n"}${eol}` +
      `--${boundary}${eol}Content-Type: text/plain${eol}${eol}${media}${eol}` +
      `--${boundary}--${eol}` +
      (extra.epilogue ?? ''),
  );
}

describe('multipartBoundary', () => {
  it('reads a token, a double-quoted and a single-quoted boundary (gcloud sends the last)', () => {
    expect(multipartBoundary('multipart/related; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/related; boundary="a b=c"')).toBe('a b=c');
    expect(multipartBoundary("multipart/related; boundary='===============7963406554493245726=='")).toBe(
      '===============7963406554493245726==',
    );
    expect(multipartBoundary('Multipart/Related;boundary=x; charset=utf-8')).toBe('x');
  });

  it('refuses another media type or a missing boundary, naming what it got', () => {
    expect(() => multipartBoundary('application/json')).toThrow(/multipart\/related.*application\/json/);
    expect(() => multipartBoundary('multipart/related')).toThrow(HttpError);
    expect(() => multipartBoundary('multipart/related-x; boundary=b')).toThrow(HttpError);
  });
});

describe('parseMultipart', () => {
  it.each([
    ['CRLF', '\r\n'],
    ['bare LF, as gcloud sends', '\n'],
  ])(
    'splits metadata and media with %s line breaks; the break before a delimiter is not data',
    (_name, eol) => {
      const [meta, media] = parseMultipart(
        'multipart/related; boundary=b',
        body('b', eol, `line one${eol}line two${eol}`),
      );
      expect(meta).toEqual({ type: 'application/json', data: Buffer.from('{"name":"n"}') });
      // The media's own trailing line break stays: only the one that belongs to the delimiter goes.
      expect(media).toEqual({ type: 'text/plain', data: Buffer.from(`line one${eol}line two${eol}`) });
    },
  );

  it('is exactly the bytes gcloud 528 sends for `gcloud storage cp`', () => {
    const boundary = '===============7963406554493245726==';
    const sent = Buffer.from(
      `--${boundary}\nContent-Type: application/json\nMIME-Version: 1.0\n\n` +
        '{"bucket": "bkt", "contentType": "text/plain", "name": "small.txt"}\n' +
        `--${boundary}\nContent-Type: text/plain\nMIME-Version: 1.0\nContent-Transfer-Encoding: binary\n\n` +
        `hello\n\n--${boundary}--\n`,
    );
    const [meta, media] = parseMultipart(`multipart/related; boundary='${boundary}'`, sent);
    expect(JSON.parse(meta!.data.toString())).toMatchObject({ name: 'small.txt' });
    expect(media?.data.toString()).toBe('hello\n');
  });

  it('ignores a preamble and an epilogue', () => {
    const parts = parseMultipart(
      'multipart/related; boundary=b',
      body('b', '\r\n', 'x', { preamble: 'This is a preamble\r\n', epilogue: 'and an epilogue\r\n' }),
    );
    expect(parts.map((part) => part.data.toString())).toEqual(['{"name":"n"}', 'x']);
  });

  it('keeps binary data, and the boundary string inside data when it does not start a line', () => {
    const media = Buffer.concat([
      Buffer.from([0, 13, 10, 13]),
      Buffer.from(' --b inside'),
      Buffer.from([255]),
    ]);
    const raw = Buffer.concat([
      Buffer.from('--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\n\r\n'),
      media,
      Buffer.from('\r\n--b--'),
    ]);
    const [, part] = parseMultipart('multipart/related; boundary=b', raw);
    expect(part?.data.equals(media)).toBe(true);
    expect(part?.type).toBe('application/octet-stream'); // no Content-Type header in the part
  });

  it('refuses a body with a part count other than two, or without its closing boundary', () => {
    const one = Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n');
    expect(() => parseMultipart('multipart/related; boundary=b', one)).toThrow(/exactly two parts.*has 1/);
    const unclosed = Buffer.from('--b\r\n\r\n{}\r\n--b\r\n\r\ndata');
    expect(() => parseMultipart('multipart/related; boundary=b', unclosed)).toThrow(/closing boundary/);
    expect(() => parseMultipart('multipart/related; boundary=b', Buffer.from('no parts at all'))).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});
