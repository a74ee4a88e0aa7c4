import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortReason, monotonicNow, sleep, timeoutSignal } from '../../src/util/clock.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('monotonicNow', () => {
  it('reads performance.now() at call time, so fake timers drive it', () => {
    const start = monotonicNow();
    vi.advanceTimersByTime(1234);
    expect(monotonicNow() - start).toBe(1234);
  });

  it('ignores a wall clock stepped back: it never goes back', () => {
    const start = monotonicNow();
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(monotonicNow()).toBe(start);
    vi.advanceTimersByTime(10);
    expect(monotonicNow()).toBe(start + 10);
  });

  it('counts a suspend: the wall clock ran on while the monotonic clock stood still', () => {
    const start = monotonicNow();
    // After a suspend, CLOCK_MONOTONIC has not moved; the wall clock has.
    vi.setSystemTime(Date.now() + 90_000);
    expect(monotonicNow() - start).toBe(90_000);
  });

  it('counts a suspend that follows a backward step of the wall clock', () => {
    const start = monotonicNow();
    vi.setSystemTime(Date.now() - 3_600_000);
    monotonicNow();
    vi.setSystemTime(Date.now() + 60_000);
    expect(monotonicNow() - start).toBe(60_000);
  });
});

describe('sleep', () => {
  it('resolves after ms, not before', async () => {
    let done = false;
    const pending = sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);
  });

  it('treats a negative delay as zero', async () => {
    const pending = sleep(-50);
    await vi.advanceTimersByTimeAsync(0);
    await expect(pending).resolves.toBeUndefined();
  });

  it('rejects at once with the reason when the signal aborts, and clears its timer', async () => {
    const controller = new AbortController();
    const outcome = sleep(60_000, controller.signal).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects without a timer when the signal is already aborted', async () => {
    const reason = new Error('already');
    await expect(sleep(1000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a non-Error reason becomes an AbortError', async () => {
    const controller = new AbortController();
    const outcome = sleep(1000, controller.signal).catch((e: unknown) => e);
    controller.abort('just a string');
    const error = (await outcome) as DOMException;
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe('AbortError');
  });

  it('stops listening to the signal once it has resolved', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const pending = sleep(10, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    await pending;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort(new Error('late'));
  });
});

describe('abortReason', () => {
  it('keeps an Error reason as it is', () => {
    const reason = new TypeError('x');
    expect(abortReason(AbortSignal.abort(reason))).toBe(reason);
  });

  it('wraps anything else in an AbortError', () => {
    const error = abortReason(AbortSignal.abort(42));
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'AbortError', message: 'This operation was aborted' });
  });
});

describe('timeoutSignal', () => {
  it('aborts after ms with a TimeoutError carrying the message', () => {
    const { signal } = timeoutSignal(5000, 'request took too long');
    vi.advanceTimersByTime(4999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    const reason = signal.reason as DOMException;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError', message: 'request took too long' });
  });

  it("aborts with the parent's reason when the parent aborts first", () => {
    const parent = new AbortController();
    const { signal, clear } = timeoutSignal(5000, 'x', parent.signal);
    const reason = new Error('caller gave up');
    parent.abort(reason);
    expect(signal.reason).toBe(reason);
    clear();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never aborts once cleared, and leaves no timer behind', () => {
    const { signal, clear } = timeoutSignal(5000, 'x');
    expect(vi.getTimerCount()).toBe(1);
    clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(signal.aborted).toBe(false);
  });

  it('treats a negative delay as zero', () => {
    const { signal } = timeoutSignal(-1, 'x');
    vi.advanceTimersByTime(0);
    expect(signal.aborted).toBe(true);
  });

  it('unrefs its timer so it never keeps the process alive', () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const { clear } = timeoutSignal(60_000, 'x');
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    clear();
  });
});
