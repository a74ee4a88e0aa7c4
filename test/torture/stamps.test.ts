import { describe, expect, it } from 'vitest';
import { Lock } from '../../src/lock/lock.js';
import { startServer } from '../../src/server/start-server.js';
import { collectGrants } from '../../torture/check/grants.js';
import type { HistoryEvent, OrchestratorEvent, Unstamped } from '../../torture/history.js';
import { stampServer } from '../../torture/stamps.js';

describe('torture: server-side stamps', () => {
  it("record a real lease's grant, refreshes and release in server order, and a stranger's patch apart", async () => {
    await using server = await startServer({ buckets: ['torture'] });
    const events: HistoryEvent[] = [];
    const refused: number[] = [];
    let seq = 0;
    const record = (event: Unstamped<OrchestratorEvent>): void =>
      void events.push({ t: 0, mono: seq, src: 'o', seq: seq++, ...event });
    stampServer(server.engine, 'torture', record, {
      lockRefused: (_lock, _op, status) => refused.push(status),
    });
    const lock = new Lock('gs://torture/locks/lock-1', {
      endpoint: server.url,
      ttl: 1000,
      refreshInterval: 100,
    });
    const lease = await lock.acquire();
    const owner = server.engine.getBucket('torture').objects.get('locks/lock-1')?.metadata['gcs-lock-owner'];
    await new Promise((resolve) => setTimeout(resolve, 250)); // two refreshes or so
    server.engine.patchObject('torture', 'locks/lock-1', { metadata: { 'torture-label': 'x' } });
    await new Promise((resolve) => setTimeout(resolve, 250)); // the next refresh is refused: 412
    await lease.release();
    server.engine.insertObject('torture', 'counters/lock-1', {
      data: Buffer.from('{}'),
      metadata: { value: '1', token: lease.token, writer: 'w0.0.0' },
    });

    const stamps = events.filter((event) => event.type === 'server-lock');
    expect(stamps[0]).toMatchObject({ op: 'insert', lock: 'lock-1' });
    expect(stamps.some((event) => event.changed.includes('torture-label'))).toBe(true);
    expect(owner).toBeDefined();
    expect(JSON.stringify(events)).not.toContain(owner); // a hash of it, never the owner token itself
    expect(refused).toContain(412);
    const grants = collectGrants(events, () => expect.fail('no violation expected'));
    const [grant] = grants.get('lock-1') ?? [];
    expect(grant).toMatchObject({ token: lease.token, tookOver: false });
    expect(grant!.commits.length).toBeGreaterThan(1);
    expect(['deleted', 'released']).toContain(grant!.endKind);
    expect(events.find((event) => event.type === 'server-counter')).toMatchObject({
      lock: 'lock-1',
      value: 1,
      token: lease.token,
      writer: 'w0.0.0',
    });
  });
});
