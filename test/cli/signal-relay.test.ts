import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalRelay } from '../../src/cli/signal-relay.js';

describe('SignalRelay', () => {
  let now = 0;
  let delivered: string[];
  let skipped: string[];
  let relay: SignalRelay;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    delivered = [];
    skipped = [];
    relay = new SignalRelay({
      deliver: (signal) => delivered.push(signal),
      skip: (signal) => skipped.push(signal),
      windowMs: 250,
      now: () => now,
    });
  });
  afterEach(() => vi.useRealTimers());

  it('forwards a signal only gcs-lock got (a Ctrl-C), once, after the window', () => {
    relay.received('SIGINT');
    vi.advanceTimersByTime(249);
    expect(delivered).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(delivered).toEqual(['SIGINT']);
  });

  it('forwards two presses as two signals', () => {
    relay.received('SIGINT');
    relay.received('SIGINT');
    vi.advanceTimersByTime(250);
    expect(delivered).toEqual(['SIGINT', 'SIGINT']);
  });

  it('does not forward a signal the witness got too, whichever arrives first', () => {
    relay.received('SIGTERM');
    relay.witnessed('SIGTERM');
    relay.witnessed('SIGHUP');
    now = 100;
    relay.received('SIGHUP');
    vi.advanceTimersByTime(1000);
    expect(delivered).toEqual([]);
    expect(skipped).toEqual(['SIGTERM', 'SIGHUP']);
  });

  it('forgets a witness report older than the window', () => {
    relay.witnessed('SIGTERM');
    now = 251;
    relay.received('SIGTERM');
    vi.advanceTimersByTime(250);
    expect(delivered).toEqual(['SIGTERM']);
  });

  it('matches signals by name, and one report cancels one copy', () => {
    relay.received('SIGINT');
    relay.received('SIGINT');
    relay.witnessed('SIGTERM');
    relay.witnessed('SIGINT');
    vi.advanceTimersByTime(250);
    expect(delivered).toEqual(['SIGINT']);
  });

  it('without a witness (Windows), forwards at once', () => {
    const direct: string[] = [];
    new SignalRelay({ deliver: (signal) => direct.push(signal), windowMs: 0 }).received('SIGINT');
    expect(direct).toEqual(['SIGINT']);
  });

  it('dispose drops pending forwards', () => {
    relay.received('SIGINT');
    relay.dispose();
    vi.advanceTimersByTime(1000);
    expect(delivered).toEqual([]);
  });
});
