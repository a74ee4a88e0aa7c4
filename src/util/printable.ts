/**
 * Text that reaches a terminal comes partly from others: a holder's host name and description, an
 * object's name, a server's error message. Raw, they can move the cursor, clear the screen, retitle
 * the window, forge a line (a newline followed by "released"), or reverse what follows them (bidi
 * overrides, as in "Trojan Source"). These helpers make such text inert, visibly: each control
 * character becomes an escape a person can read (`\x1b`, `\n`, `\u{202e}`), and everything else is
 * left alone, so ordinary names and descriptions print exactly as written.
 */

// C0 controls (NUL to US), DEL, C1 controls (0x80 to 0x9f), the bidi controls (ALM, LRM, RLM,
// LRE..RLO, LRI..PDI), and the line and paragraph separators (U+2028/9), which some terminals and
// most editors treat as line breaks. Matching control characters is the point here.
/* eslint-disable no-control-regex */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
// The same without "\n": for text whose line breaks are ours (a message followed by a hint).
const UNSAFE_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * `text` with every control character escaped, line breaks included: for one field of a line
 * (a host name, a description, an object name) that must not break or rewrite the line around it.
 *
 * @example
 * ```ts
 * printable('box\x1b[2J\nreleased'); // 'box\\x1b[2J\\nreleased'
 * printable('nightly report'); // 'nightly report'
 * ```
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/**
 * `text` with every control character escaped except `\n`: for a whole message whose line breaks
 * are our own. Fields from others should have gone through `printable` already; this is the last
 * line of defence at the point where output is written.
 *
 * @example
 * ```ts
 * printableLines('gcs-lock: failed\nCheck the network.\x07'); // 'gcs-lock: failed\nCheck the network.\\x07'
 * ```
 */
export function printableLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escape);
}
