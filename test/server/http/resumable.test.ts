import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/start-server.js';
import { insertMedia, objectUrl, request, type Answer } from '../support.js';

const BUCKET = 'resumable';
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ buckets: [BUCKET] });
});
afterAll(async () => {
  await server.close();
});

async function open(name: string, query: Record<string, string> = {}, metadata: Record<string, string> = {}) {
  const params = new URLSearchParams({ uploadType: 'resumable', name, ...query });
  const answer = await request(`${server.url}/upload/storage/v1/b/${BUCKET}/o?${params.toString()}`, {
    method: 'POST',
    body: JSON.stringify({ metadata }),
    headers: { 'content-type': 'application/json', 'x-upload-content-type': 'text/plain' },
  });
  return { answer, location: answer.headers.get('location') ?? '' };
}

const put = (location: string, body: string, range?: string): Promise<Answer> =>
  request(location, { method: 'PUT', body, headers: range ? { 'content-range': range } : {} });

describe('resumable uploads', () => {
  it('opens a session whose Location carries upload_id on this server', async () => {
    const { answer, location } = await open('a');
    expect(answer.status).toBe(200);
    expect(location.startsWith(`${server.url}/upload/storage/v1/b/${BUCKET}/o?`)).toBe(true);
    expect(new URL(location).searchParams.get('upload_id')).toBeTruthy();
  });

  it('takes chunks with 308 and Range, tolerates a resent overlap, and completes with the resource', async () => {
    const { location } = await open('chunks', {}, { owner: 'me' });
    expect((await put(location, '', 'bytes */*')).headers.get('range')).toBeNull();
    const first = await put(location, 'hello ', 'bytes 0-5/*');
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe('bytes=0-5');
    const overlap = await put(location, 'lo wor', 'bytes 3-8/*'); // "lo " resent: only "wor" is new
    expect(overlap.headers.get('range')).toBe('bytes=0-8');
    const done = await put(location, 'ld', 'bytes 9-10/11');
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      name: 'chunks',
      size: '11',
      contentType: 'text/plain',
      metadata: { owner: 'me' },
    });
    expect((await request(objectUrl(server.url, BUCKET, 'chunks', 'alt=media'))).text).toBe('hello world');
    // A repeated final request (a retry after a lost answer) gets the same object, not a second write.
    const again = await put(location, 'ld', 'bytes 9-10/11');
    expect(again.json.generation).toBe(done.json.generation);
  });

  it('a streamed upload (bytes 0-*/*) ends with its request', async () => {
    const { location } = await open('streamed');
    const done = await put(location, 'all of it', 'bytes 0-*/*');
    expect(done.status).toBe(200);
    expect(done.json.size).toBe('9');
  });

  it('checks preconditions when the upload completes, not when it opens', async () => {
    await insertMedia(server.url, BUCKET, 'taken');
    const { answer, location } = await open('taken', { ifGenerationMatch: '0' });
    expect(answer.status).toBe(200);
    const done = await put(location, 'late');
    expect(done.status).toBe(412);
    expect(done.json.error?.errors[0]?.reason).toBe('conditionNotMet');
    expect((await request(objectUrl(server.url, BUCKET, 'taken', 'alt=media'))).text).toBe('data');
  });

  it('rejects a chunk that skips bytes, an unknown session, and a missing bucket', async () => {
    const { location } = await open('gap');
    expect((await put(location, 'xx', 'bytes 5-6/*')).status).toBe(400);
    const unknown = location.replace(/upload_id=[^&]+/, 'upload_id=nope');
    expect((await put(unknown, 'x')).status).toBe(404);
    const missing = await request(
      `${server.url}/upload/storage/v1/b/no-such-bucket/o?uploadType=resumable&name=x`,
      {
        method: 'POST',
      },
    );
    expect(missing.status).toBe(404);
  });

  it('DELETE on the session URI cancels it with 499', async () => {
    const { location } = await open('cancelled');
    expect((await request(location, { method: 'DELETE' })).status).toBe(499);
    expect((await put(location, 'x')).status).toBe(404);
  });
});

describe('resumable uploads as gcloud and the official clients send them', () => {
  it('opens sessions under the /resumable/upload prefix, as gcloud does', async () => {
    const answer = await request(
      `${server.url}/resumable/upload/storage/v1/b/${BUCKET}/o?alt=json&uploadType=resumable`,
      {
        method: 'POST',
        body: JSON.stringify({ name: 'via-prefix' }),
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(answer.status).toBe(200);
    const done = await put(answer.headers.get('location')!, 'data', 'bytes 0-3/4');
    expect(done.json).toMatchObject({ name: 'via-prefix', size: '4' });
  });

  it('answers a status query (bytes */*) with 308 and Range, then finalises on bytes */N', async () => {
    const { location } = await open('status');
    expect((await put(location, 'abc', 'bytes 0-2/*')).status).toBe(308);
    const status = await put(location, '', 'bytes */*');
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe('bytes=0-2');
    // gcloud ends an upload whose bytes all arrived with an empty PUT declaring the total.
    const done = await put(location, '', 'bytes */3');
    expect(done.status).toBe(200);
    expect(done.json.size).toBe('3');
    expect((await put(location, '', 'bytes */*')).json.generation).toBe(done.json.generation);
  });

  it('a total declared twice must agree, and a status query carries no body', async () => {
    const { location } = await open('declared');
    expect((await put(location, 'ab', 'bytes 0-1/10')).status).toBe(308);
    expect((await put(location, 'cd', 'bytes 2-3/11')).json.error?.message).toMatch(/declares 11 bytes.*10/);
    expect((await put(location, 'x', 'bytes */10')).status).toBe(400);
    expect((await put(location, 'xy', 'bytes 4-9/10')).status).toBe(400); // length does not match
  });
});
