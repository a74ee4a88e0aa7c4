import { expect, it } from 'vitest';
import { ControlClient } from '../../src/server/control-client.js';
import { startServer } from '../../src/server/start-server.js';
import { insertMedia } from './support.js';

it('drives a server through its control endpoint', async () => {
  await using server = await startServer({ buckets: ['client'] });
  const control = new ControlClient(`${server.url}/`);
  const id = await control.addFault({ kind: 'error', status: 500, ops: ['insert'], count: 1 });
  expect((await control.faults()).rules.map((rule) => rule.id)).toEqual([id]);
  expect((await insertMedia(server.url, 'client', 'x')).status).toBe(500);
  expect((await control.faults()).delivered.error).toBe(1);

  await control.addFault({ kind: 'reset' });
  expect(await control.clearFaults()).toBe(1);

  await control.setClockOffset(-60_000);
  expect(server.engine.clockOffsetMs).toBe(-60_000);

  await control.setRateLimit({ perSecond: 0.001, burst: 1 });
  expect((await insertMedia(server.url, 'client', 'y')).status).toBe(200);
  expect((await insertMedia(server.url, 'client', 'y')).status).toBe(429);
  await control.setRateLimit(false);
  expect((await insertMedia(server.url, 'client', 'y')).status).toBe(200);

  await control.reset();
  expect(server.engine.listObjects('client').items).toEqual([]);
  await expect(control.addFault({ kind: 'nope' as 'reset' })).rejects.toThrow(/400/);
});
