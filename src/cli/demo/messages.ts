/**
 * What a demo worker tells the demo over IPC. Times are epoch ms with sub-ms resolution
 * (`performance.timeOrigin + performance.now()`), comparable across processes on one machine.
 */
export type WorkerMessage =
  | { type: 'waiting'; holder: string | undefined; token: string }
  | { type: 'acquired'; token: string; start: number; tookOver: boolean; previousToken: string | undefined }
  | { type: 'released'; token: string; start: number; end: number }
  | { type: 'lost'; token: string; start: number; end: number; reason: string }
  | { type: 'crashing'; token: string }
  | { type: 'done' };

/** Now, as an epoch time in ms with sub-ms resolution, on a clock shared by the demo's processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
