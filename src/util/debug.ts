/**
 * The debug log: off unless `GCS_LOCK_DEBUG=1` or `NODE_DEBUG` names `gcs-lock`. Lines go to stderr.
 * Callers pass only public facts (URLs, fencing tokens, statuses, timings), never owner tokens or
 * credentials.
 */
export type DebugLog = (message: string) => void;

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = env['GCS_LOCK_DEBUG'];
  if (flag !== undefined && flag !== '' && flag !== '0' && flag !== 'false') return true;
  return (env['NODE_DEBUG'] ?? '').split(/[\s,]+/).some((name) => name.toLowerCase() === 'gcs-lock');
}

const noop: DebugLog = () => {};

export function createDebugLog(scope: string, env: NodeJS.ProcessEnv = process.env): DebugLog {
  if (!debugEnabled(env)) return noop;
  return (message) => {
    process.stderr.write(`gcs-lock ${process.pid} ${new Date().toISOString()} ${scope} ${message}\n`);
  };
}
