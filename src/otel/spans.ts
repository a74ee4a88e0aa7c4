import { context, SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import type { LockEvent } from '../core/events.js';

type Event<T extends LockEvent['type']> = Extract<LockEvent, { type: T }>;

/** At most this many notes (contended, queued, retrying) are kept on one acquire span. */
const MAX_NOTES = 32;

/**
 * Spans rebuilt from lock events, with the times the events carry: an acquire span from the moment
 * `acquire()` began (`waitedMs` before the grant) to the grant, with what happened meanwhile as span
 * events; a release span from the release request (when the store is timed) to its outcome; a span
 * per loss. They start in the context active when the event is emitted, which is the caller's
 * `acquire()` or `release()` call, so they nest under the caller's own spans. Attributes carry the
 * lock URL and the fencing token (public), never an owner token: events do not contain one.
 */
export class LockSpans {
  readonly #tracer: Tracer;
  readonly #base: Attributes;
  /** Per lock URL: what happened while waiting, for the next acquire span. */
  readonly #notes = new Map<string, Array<{ name: string; time: number; attributes: Attributes }>>();
  /** Per lock URL: when the current release request began (from the timed store). */
  readonly #releasing = new Map<string, number>();

  constructor(tracer: Tracer, base: Attributes) {
    this.#tracer = tracer;
    this.#base = base;
  }

  note(event: Event<'contended'> | Event<'queued'> | Event<'retrying'>): void {
    const notes = this.#notes.get(event.url) ?? [];
    if (notes.length >= MAX_NOTES) return;
    const attributes: Attributes =
      event.type === 'contended'
        ? { 'gcs_lock.holder.token': event.holder.token, 'gcs_lock.holder.host': event.holder.host ?? '' }
        : event.type === 'queued'
          ? { 'gcs_lock.queue.position': event.position }
          : { 'gcs_lock.status': event.error.status ?? 'transport', 'gcs_lock.attempt': event.attempt };
    notes.push({ name: event.type, time: Date.now(), attributes });
    this.#notes.set(event.url, notes);
  }

  acquired(event: Event<'acquired'>, now: number): void {
    const span = this.#tracer.startSpan(
      'gcs-lock acquire',
      {
        kind: SpanKind.INTERNAL,
        startTime: now - event.waitedMs,
        attributes: {
          ...this.#base,
          'gcs_lock.lock': event.url,
          'gcs_lock.token': event.token,
          'gcs_lock.took_over': event.tookOver,
          'gcs_lock.handed_over': event.handedOver,
        },
      },
      context.active(),
    );
    for (const note of this.#notes.get(event.url) ?? []) span.addEvent(note.name, note.attributes, note.time);
    this.#notes.delete(event.url);
    span.end(now);
  }

  releasing(url: string, startedAt: number): void {
    this.#releasing.set(url, startedAt);
  }

  released(event: Event<'released'> | Event<'release-failed'>): void {
    const now = Date.now();
    const started = this.#releasing.get(event.url);
    this.#releasing.delete(event.url);
    const span = this.#tracer.startSpan(
      'gcs-lock release',
      {
        kind: SpanKind.INTERNAL,
        startTime: started !== undefined && started <= now ? started : now,
        attributes: {
          ...this.#base,
          'gcs_lock.lock': event.url,
          'gcs_lock.token': event.token,
          ...(event.type === 'released'
            ? { 'gcs_lock.handed_off': event.handedOff, 'gcs_lock.already_lost': event.alreadyLost }
            : { 'gcs_lock.expires_in_ms': event.expiresInMs }),
        },
      },
      context.active(),
    );
    if (event.type === 'release-failed') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message });
    }
    span.end(now);
  }

  lost(event: Event<'lost'>): void {
    const span = this.#tracer.startSpan(
      'gcs-lock lost',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          ...this.#base,
          'gcs_lock.lock': event.url,
          'gcs_lock.token': event.token,
          'gcs_lock.loss.reason': event.error.reason,
        },
      },
      context.active(),
    );
    span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.message });
    span.end();
  }
}
