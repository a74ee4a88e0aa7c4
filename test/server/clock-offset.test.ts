import { describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/server/control-client.js';
import { MAX_CLOCK_OFFSET_MS } from '../../src/server/clock-offset.js';
import { startServer } from '../../src/server/start-server.js';
import { insertMedia, objectUrl, request } from './support.js';

describe('clock offset bounds', () => {
  it('refuses an offset beyond a year from every door: the option, setClockOffset, the control endpoint', async () => {
    await expect(startServer({ clockOffsetMs: 1e20 })).rejects.toThrow(
      /clockOffsetMs must be .* \(a year either way/,
    );
    await using server = await startServer({ buckets: ['clock'] });
    expect(() => server.setClockOffset(MAX_CLOCK_OFFSET_MS + 1)).toThrow(RangeError);
    expect(() => server.setClockOffset(Number.NaN)).toThrow(RangeError);
    await expect(new ControlClient(server.url).setClockOffset(1e20)).rejects.toThrow(/400 offsetMs must be/);
    expect(server.engine.clockOffsetMs).toBe(0);
  });

  it.each([
    ['ahead', MAX_CLOCK_OFFSET_MS],
    ['behind', -MAX_CLOCK_OFFSET_MS],
  ])(
    'at the bound (%s), GET and LIST answer and generations stay 16-digit microseconds',
    async (_way, offset) => {
      await using server = await startServer({ buckets: ['clock'] });
      server.setClockOffset(offset);
      const inserted = await insertMedia(server.url, 'clock', 'o');
      expect(inserted.status).toBe(200);
      expect(inserted.json.generation).toMatch(/^\d{16}$/);
      expect((await request(objectUrl(server.url, 'clock', 'o'))).status).toBe(200);
      expect((await request(`${server.url}/storage/v1/b/clock/o`)).status).toBe(200);
      // The lock's own requests: a precondition on that generation is accepted, not a 400.
      const pinned = await request(
        objectUrl(server.url, 'clock', 'o', `ifGenerationMatch=${String(inserted.json.generation)}`),
        {
          method: 'DELETE',
        },
      );
      expect(pinned.status).toBe(204);
    },
  );
});
