import { describe, expect, it } from 'vitest';
import { printable, printableLines } from '../../src/util/printable.js';

describe('printable', () => {
  it('leaves ordinary text alone, accents and emoji included', () => {
    for (const text of ['nightly report', 'box-1.example.com', 'café «déploiement» 🚀', 'a\\b', '']) {
      expect(printable(text)).toBe(text);
    }
  });

  it.each([
    ['\x1b[2J', '\\x1b[2J'], // clear screen
    ['\x1b]0;owned\x07', '\\x1b]0;owned\\x07'], // window title (OSC)
    ['a\nreleased', 'a\\nreleased'],
    ['\r\t\0', '\\r\\t\\x00'],
    ['\x7f', '\\x7f'], // DEL
    ['\x9b2J', '\\x9b2J'], // C1 CSI
    ['\u0085', '\\x85'], // C1 NEL, a line break for some terminals
    ['abc\u202edcba', 'abc\\u{202e}dcba'], // right-to-left override
    [
      '\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d',
      '\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{202a}\\u{202b}\\u{202c}\\u{202d}',
    ],
    ['\u200e\u200f\u061c', '\\u{200e}\\u{200f}\\u{61c}'],
    ['\u2028\u2029', '\\u{2028}\\u{2029}'],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(printable(raw)).toBe(escaped);
  });

  it('escapes every C0, DEL and C1 code point, and nothing printable between them', () => {
    for (let code = 0; code <= 0xa0; code++) {
      const char = String.fromCharCode(code);
      const unsafe = code < 0x20 || (code >= 0x7f && code <= 0x9f);
      expect(printable(char) !== char).toBe(unsafe);
    }
  });

  it('printableLines keeps our own line breaks and escapes the rest', () => {
    expect(printableLines('failed\nCheck the network.\x1b[31m\r')).toBe(
      'failed\nCheck the network.\\x1b[31m\\r',
    );
  });
});
