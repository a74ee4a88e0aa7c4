import { checkClockOffset } from './clock-offset.js';
import type { RateLimit } from './engine/rate-limiter.js';
import type { StorageEngine } from './engine/engine.js';
import type { FaultPlan, FaultRule } from './fault-plan.js';
import { parseJsonObject } from './http/body.js';
import { HttpError } from './http/errors.js';
import { jsonReply, type Reply } from './http/reply.js';

/** What the control endpoint can change: the running server's knobs. */
export interface ControlTarget {
  engine: StorageEngine;
  faults: FaultPlan;
  setClockOffset(ms: number): void;
  setRateLimit(limit: RateLimit | false): void;
  rateLimit(): RateLimit | false;
  /** Deletes every object and upload session, clears fault rules and zeroes the delivered counts. */
  reset(): void;
  /** Why saving the state to its data directory last failed, if it did and has not recovered. */
  persistenceFailure(): Error | undefined;
}

/**
 * The HTTP control endpoint, under `/_gcs-lock/` (no GCS path starts with `/_`), so tests in another
 * process (the CLI's emulator, a CI job) can steer the server:
 *
 * | method and path | body | answer |
 * |---|---|---|
 * | `GET health` | | `{ok, now}`; `ok: false` and `persistence` when saving the state fails |
 * | `GET faults` | | `{rules, delivered}` |
 * | `POST faults` | a `FaultRule` | `{id}` |
 * | `DELETE faults` / `DELETE faults/ID` | | `{removed}` |
 * | `GET clock` / `PUT clock` | `{offsetMs}` | `{offsetMs, now}` |
 * | `GET rate-limit` / `PUT rate-limit` | `{perSecond, burst}` or `false` | `{rateLimit}` |
 * | `DELETE rate-limit` | | `{rateLimit: false}` |
 * | `POST reset` | | `{ok}` |
 * | `PUT buckets/NAME/denied-permissions` | `{permissions: [...]}` | `{bucket, deniedPermissions}` |
 *
 * Control requests are never faulted. `path` comes without the prefix.
 */
export function handleControl(target: ControlTarget, path: string, method: string, body: Buffer): Reply {
  const { engine, faults } = target;
  const key = `${method} ${path.replace(/\/$/, '')}`;
  if (key === 'GET health') {
    const failure = target.persistenceFailure();
    const now = new Date(engine.now()).toISOString();
    return jsonReply(failure ? { ok: false, now, persistence: failure.message } : { ok: true, now });
  }
  if (key === 'GET faults') return jsonReply({ rules: faults.rules(), delivered: { ...faults.delivered } });
  if (key === 'POST faults') {
    try {
      return jsonReply({ id: faults.add(parseJsonObject(body) as unknown as FaultRule) });
    } catch (error) {
      if (error instanceof TypeError) throw new HttpError(400, error.message);
      throw error;
    }
  }
  if (key === 'DELETE faults') {
    const removed = faults.rules().length;
    faults.clear();
    return jsonReply({ removed });
  }
  if (method === 'DELETE' && path.startsWith('faults/')) {
    return jsonReply({ removed: faults.remove(decodeSegment(path.slice('faults/'.length))) ? 1 : 0 });
  }
  if (key === 'GET clock') return clockReply(engine);
  if (key === 'PUT clock') {
    const { offsetMs } = parseJsonObject(body);
    try {
      target.setClockOffset(checkClockOffset('offsetMs', offsetMs));
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    return clockReply(engine);
  }
  if (key === 'GET rate-limit') return jsonReply({ rateLimit: target.rateLimit() });
  if (key === 'PUT rate-limit') {
    target.setRateLimit(parseRateLimit(body));
    return jsonReply({ rateLimit: target.rateLimit() });
  }
  if (key === 'DELETE rate-limit') {
    target.setRateLimit(false);
    return jsonReply({ rateLimit: false });
  }
  if (key === 'POST reset') {
    target.reset();
    return jsonReply({ ok: true });
  }
  const denied = /^buckets\/([^/]+)\/denied-permissions\/?$/.exec(path);
  if (denied && method === 'PUT') return setDeniedPermissions(engine, decodeSegment(denied[1]!), body);
  throw new HttpError(404, `No control operation ${key}.`, 'notFound');
}

/** A percent-encoded path segment; a malformed escape is the caller's 400, not our 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Invalid percent-encoding in control path: ${JSON.stringify(segment)}.`);
  }
}

const clockReply = (engine: StorageEngine): Reply =>
  jsonReply({ offsetMs: engine.clockOffsetMs, now: new Date(engine.now()).toISOString() });

function parseRateLimit(body: Buffer): RateLimit | false {
  if (body.toString('utf8').trim() === 'false') return false;
  const { perSecond, burst } = parseJsonObject(body);
  if (typeof perSecond !== 'number' || !(perSecond > 0) || typeof burst !== 'number' || !(burst >= 1)) {
    throw new HttpError(400, 'A rate limit is {"perSecond": > 0, "burst": >= 1}, or false.');
  }
  return { perSecond, burst };
}

/** Which permissions a bucket refuses from now on (`[]` grants all again); the engine checks the names. */
function setDeniedPermissions(engine: StorageEngine, bucket: string, body: Buffer): Reply {
  const { permissions } = parseJsonObject(body);
  if (!Array.isArray(permissions)) {
    throw new HttpError(400, 'The body is {"permissions": ["storage.objects.delete", ...]}.');
  }
  const { settings } = engine.setDeniedPermissions(bucket, permissions as string[]);
  return jsonReply({ bucket, deniedPermissions: settings.deniedPermissions });
}
