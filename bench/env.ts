import type { RunningServer } from '../src/server/start-server.js';
import type { WireCounter } from './wire-counter.js';

/** What every scenario runs against: the local server (20 ms a request, GCS's rate limit), behind the counter. */
export interface BenchEnv {
  server: RunningServer;
  wire: WireCounter;
  /** The counter's URL: every client talks to it, never to the server directly. */
  endpoint: string;
  bucket: string;
  quick: boolean;
  /** A fresh object name, so no scenario inherits another's spent write budget. */
  nextObject(prefix: string): string;
  log(message: string): void;
}
