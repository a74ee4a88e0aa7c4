/** The recovery holders' command line: variant, endpoint, bucket, object, ttl (ms). */
export function holderArgs(): {
  variant: string;
  endpoint: string;
  bucket: string;
  object: string;
  ttl: number;
} {
  const [variant, endpoint, bucket, object, ttl] = process.argv.slice(2);
  if (!variant || !endpoint || !bucket || !object || !ttl)
    throw new Error('usage: holder.mjs variant endpoint bucket object ttl');
  return { variant, endpoint, bucket, object, ttl: Number(ttl) };
}

/** Says "held" and stays alive (a lease's timer is unref'd) until killed; leaves after a minute regardless. */
export function holdUntilKilled(): void {
  process.stdout.write('held\n');
  setTimeout(() => process.exit(0), 60_000);
}
