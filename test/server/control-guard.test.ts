/**
 * The control endpoint against what a web page could make a browser send: a CSRF-style simple request
 * (text/plain, no custom header), a request from a foreign Origin, and a DNS-rebinding request that
 * arrives under the attacker's host name; and against callers without the token when there is one.
 */
import { describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/server/control-client.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { rawRequest } from './support.js';

interface Raw {
  status: number;
  reason: string | undefined;
  message: string;
}

/** One control request with exactly these headers (Host included, which fetch would not let us set). */
async function control(
  server: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Raw> {
  const answer = await rawRequest(server.port, method, `/_gcs-lock/${path}`, headers, body);
  const json = (answer.body ? JSON.parse(answer.body) : {}) as {
    error?: { message: string; errors: Array<{ reason: string }> };
  };
  return { status: answer.status, reason: json.error?.errors[0]?.reason, message: json.error?.message ?? '' };
}

const ALLOWED = { 'x-gcs-lock-control': '1', 'content-type': 'application/json' };

describe('control endpoint: what a browser could be made to send is refused', () => {
  it('a simple cross-site request (text/plain, no custom header) cannot reset the server', async () => {
    await using server = await startServer({ buckets: ['guard'] });
    server.engine.insertObject('guard', 'keep', { data: Buffer.from('x') });
    const csrf = await control(server, 'POST', 'reset', { 'content-type': 'text/plain' }, '{}');
    expect(csrf).toMatchObject({ status: 403, reason: 'forbidden' });
    expect(csrf.message).toMatch(/x-gcs-lock-control/);
    const noJson = await control(
      server,
      'POST',
      'faults',
      { 'x-gcs-lock-control': '1', 'content-type': 'text/plain' },
      '{"kind":"reset"}',
    );
    expect(noJson).toMatchObject({ status: 415 });
    expect(server.engine.getBucket('guard').objects.size).toBe(1);
    expect(server.faults.rules()).toEqual([]);
    expect((await control(server, 'POST', 'reset', ALLOWED, '{}')).status).toBe(200);
    expect(server.engine.getBucket('guard').objects.size).toBe(0);
  });

  it('refuses a foreign Origin, even with the header, and a Host name that is not local (DNS rebinding)', async () => {
    await using server = await startServer();
    const fromPage = await control(server, 'GET', 'faults', { ...ALLOWED, origin: 'http://evil.example' });
    expect(fromPage).toMatchObject({ status: 403, reason: 'forbidden' });
    const rebound = await control(server, 'GET', 'faults', {
      ...ALLOWED,
      host: `evil.example:${server.port}`,
    });
    expect(rebound).toMatchObject({ status: 403, reason: 'forbidden' });
    expect(rebound.message).toMatch(/DNS rebinding/);
    for (const host of [
      `localhost:${server.port}`,
      `127.0.0.1:${server.port}`,
      `[::1]:${server.port}`,
      'app.localhost',
    ]) {
      expect((await control(server, 'GET', 'health', { ...ALLOWED, host })).status).toBe(200);
    }
    const sameOrigin = {
      ...ALLOWED,
      origin: `http://127.0.0.1:${server.port}`,
      host: `127.0.0.1:${server.port}`,
    };
    expect((await control(server, 'GET', 'health', sameOrigin)).status).toBe(200);
  });

  it('with a token: refused without it (401) or with another (403), never echoing it; any Host with it', async () => {
    const token = 'sekret-token-123';
    await using server = await startServer({ control: { token } });
    const missing = await control(server, 'GET', 'faults', ALLOWED);
    expect(missing).toMatchObject({ status: 401, reason: 'required' });
    const wrong = await control(server, 'GET', 'faults', { ...ALLOWED, authorization: 'Bearer guess' });
    expect(wrong).toMatchObject({ status: 403 });
    expect(JSON.stringify([missing, wrong])).not.toContain(token);
    const named = { ...ALLOWED, authorization: `Bearer ${token}`, host: `emulator.internal:${server.port}` };
    expect((await control(server, 'GET', 'faults', named)).status).toBe(200);
    await new ControlClient(server.url, { token }).addFault({ kind: 'reset', count: 1 });
    expect(server.faults.rules()).toHaveLength(1);
    await expect(new ControlClient(server.url, { token: 'nope' }).reset()).rejects.toThrow(/403/);
  });

  it('does not exist when turned off: its paths are 404 like any path GCS does not serve', async () => {
    await using server = await startServer({ control: false });
    const answer = await control(server, 'POST', 'reset', ALLOWED, '{}');
    expect(answer).toMatchObject({ status: 404, reason: 'notFound' });
    await expect(new ControlClient(server.url).faults()).rejects.toThrow(/404/);
  });

  it('answers a malformed percent-escape in a control path with 400, not 500', async () => {
    await using server = await startServer();
    const answer = await control(server, 'DELETE', 'faults/%E0%A4%A', ALLOWED);
    expect(answer).toMatchObject({ status: 400, reason: 'invalid' });
    expect(answer.message).toMatch(/percent-encoding/);
    const bucket = await control(
      server,
      'PUT',
      'buckets/%zz/denied-permissions',
      ALLOWED,
      '{"permissions":[]}',
    );
    expect(bucket).toMatchObject({ status: 400, reason: 'invalid' });
  });
});
