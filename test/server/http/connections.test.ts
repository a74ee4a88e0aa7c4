/**
 * Hostile and broken clients: slow headers (slowloris), stalled and dripping bodies, connection
 * floods, bodies for requests that are refused anyway. Each is answered in GCS's error shape and
 * holds nothing for long. No timing is asserted: the limits are made short and the tests wait.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../../src/server/start-server.js';

/** A raw TCP client: what it sent, and everything it received until the server closed the connection. */
function rawClient(port: number): { socket: Socket; received: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const received = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
  return { socket, received };
}

/** The status and GCS error reason of a raw HTTP response. */
function parse(response: string): { status: number; reason: string | undefined; close: boolean } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  let reason: string | undefined;
  try {
    reason = (JSON.parse(body) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]?.reason;
  } catch {
    reason = undefined;
  }
  return { status, reason, close: /\r\nconnection: close\r\n/i.test(response) };
}

const SHORT = { headersTimeoutMs: 200, bodyIdleTimeoutMs: 200, requestTimeoutMs: 600 };

describe('slow and stalled clients', () => {
  it('slow headers (slowloris) get 408 requestTimeout and the connection is closed', async () => {
    await using server = await startServer({ buckets: ['slow'], limits: SHORT });
    const { socket, received } = rawClient(server.port);
    socket.write('GET /storage/v1/b/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // and never the blank line
    expect(parse(await received)).toMatchObject({ status: 408, reason: 'requestTimeout' });
  });

  it('a body that stops arriving gets 408 after bodyIdleTimeoutMs, and its bytes are released', async () => {
    await using server = await startServer({
      buckets: ['slow'],
      limits: { ...SHORT, requestTimeoutMs: 60_000 },
    });
    const { socket, received } = rawClient(server.port);
    socket.write(
      'POST /upload/storage/v1/b/slow/o?uploadType=media&name=x HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Length: 1000\r\n\r\n' +
        'x'.repeat(100),
    );
    const answer = parse(await received);
    expect(answer).toMatchObject({ status: 408, reason: 'requestTimeout', close: true });
    expect(server.stats().bufferedBytes).toBe(0);
    expect(server.engine.getBucket('slow').objects.size).toBe(0);
  });

  it('a body dripped slowly enough to dodge the idle timeout still ends at requestTimeoutMs', async () => {
    await using server = await startServer({
      buckets: ['slow'],
      limits: { ...SHORT, bodyIdleTimeoutMs: 10_000 },
    });
    const { socket, received } = rawClient(server.port);
    socket.write(
      'POST /upload/storage/v1/b/slow/o?uploadType=media&name=x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n',
    );
    const drip = setInterval(() => socket.write('x'), 50);
    try {
      expect(parse(await received)).toMatchObject({ status: 408, reason: 'requestTimeout' });
    } finally {
      clearInterval(drip);
    }
  });
});

describe('connection cap', () => {
  it('answers a connection beyond maxConnections with 503 and closes it; others are served', async () => {
    await using server = await startServer({ buckets: ['capped'], limits: { maxConnections: 3 } });
    const held = Array.from({ length: 3 }, () => rawClient(server.port));
    await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))));
    // The server counts a connection when it accepts it: ask on each held one, so all three are in.
    for (const { socket } of held)
      socket.write('GET /storage/v1/b/capped HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    while (server.stats().connections < 3) await new Promise((resolve) => setTimeout(resolve, 10));

    const extra = rawClient(server.port);
    extra.socket.write('GET /storage/v1/b/capped HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(parse(await extra.received)).toMatchObject({ status: 503, reason: 'backendError', close: true });
    expect(server.stats().connections).toBe(3);

    held[0]!.socket.destroy();
    await held[0]!.received;
    while (server.stats().connections > 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const next = await fetch(`${server.url}/storage/v1/b/capped`);
    expect(next.status).toBe(200);
    for (const { socket } of held) socket.destroy();
  });
});

describe('bodies of refused requests are not held', () => {
  it('answers 404 for a path GCS does not serve without waiting for its body', async () => {
    await using server = await startServer({ buckets: ['refused'] });
    const { socket, received } = rawClient(server.port);
    // 50 MB announced, none sent: the answer can only come if the body is not awaited.
    socket.write('POST /storage/v2/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50000000\r\n\r\n');
    const text = await new Promise<string>((resolve) => {
      let seen = '';
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        if (seen.includes('}}')) resolve(seen);
      });
    });
    expect(parse(text)).toMatchObject({ status: 404, reason: 'notFound', close: true });
    socket.destroy();
    await received;
  });

  it('answers 404 for an upload to a missing bucket, and 404 for an unknown upload session, before the body', async () => {
    await using server = await startServer({ buckets: ['present'] });
    for (const path of [
      '/upload/storage/v1/b/absent/o?uploadType=multipart',
      '/upload/storage/v1/b/present/o?uploadType=resumable&upload_id=nope',
    ]) {
      const { socket, received } = rawClient(server.port);
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50000000\r\n\r\n`);
      const text = await new Promise<string>((resolve) => {
        let seen = '';
        socket.on('data', (chunk: Buffer) => {
          seen += chunk.toString('latin1');
          if (seen.includes('}}')) resolve(seen);
        });
      });
      expect(parse(text).status).toBe(404);
      socket.destroy();
      await received;
    }
  });

  it('refuses a JSON API body over 1 MiB with 413, and bad HTTP with a GCS-shaped 400', async () => {
    await using server = await startServer({ buckets: ['json'] });
    const big = await fetch(`${server.url}/storage/v1/b/json/o/x`, {
      method: 'PATCH',
      body: JSON.stringify({ metadata: { k: 'v'.repeat(2 * 1024 * 1024) } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    const { socket, received } = rawClient(server.port);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    expect(parse(await received)).toMatchObject({ status: 400, reason: 'invalid' });
  });
});
