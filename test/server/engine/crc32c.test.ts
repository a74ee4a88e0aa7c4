import { describe, expect, it } from 'vitest';
import { crc32c, crc32cBase64 } from '../../../src/server/engine/crc32c.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('crc32c', () => {
  it('matches the standard check value: "123456789" is 0xE3069283', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
  });

  it('matches RFC 3720 (iSCSI) test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('is 0 for empty input and always an unsigned 32-bit number', () => {
    expect(crc32c(new Uint8Array())).toBe(0);
    for (const text of ['a', 'hello world', '\u{1f600}'.repeat(50)]) {
      const value = crc32c(bytes(text));
      expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff).toBe(true);
    }
  });

  it('accepts a Buffer like any Uint8Array', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('crc32cBase64', () => {
  it('is the big-endian value in base64, as GCS reports it', () => {
    expect(crc32cBase64(bytes('123456789'))).toBe('4waSgw==');
    expect(Buffer.from(crc32cBase64(bytes('123456789')), 'base64').toString('hex')).toBe('e3069283');
  });

  it('is "AAAAAA==" for empty input', () => {
    expect(crc32cBase64(new Uint8Array())).toBe('AAAAAA==');
  });

  it('matches GCS for "hello world"', () => {
    // gsutil hash of a file holding "hello world" (no newline): crc32c yZRlqg==.
    expect(crc32cBase64(bytes('hello world'))).toBe('yZRlqg==');
  });
});
