/**
 * GCS conformance for `objects.compose` (the one multi-object precondition), `testIamPermissions` and
 * the bucket resource, over raw HTTP: runs against a local server, or real GCS as gcs-conformance.test.ts says.
 */
import { describe, expect, it } from 'vitest';
import { crc32cBase64 } from '../../src/server/engine/crc32c.js';
import { REMOTE, bucket, call, created, name, objectPath, useTarget, type Json } from './target.js';

useTarget();

function compose(destination: string, sources: Json[], query = '', extra: Json = {}) {
  return call('POST', `${objectPath(destination)}/compose${query ? `?${query}` : ''}`, {
    body: JSON.stringify({ sourceObjects: sources, destination: { contentType: 'text/plain' }, ...extra }),
    type: 'application/json',
  });
}

describe('objects.compose', () => {
  it('concatenates: a composite with crc32c of the whole, componentCount, and no md5Hash', async () => {
    const [a, b] = [name('compose/a'), name('compose/b')];
    await created(a);
    await created(b);
    const out = name('compose/out');
    const answer = await compose(out, [{ name: a }, { name: b }], '', {
      destination: { contentType: 'text/plain', metadata: { by: 'conformance' } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      name: out,
      componentCount: 2,
      metageneration: '1',
      metadata: { by: 'conformance' },
    });
    expect(answer.body.crc32c).toBe(crc32cBase64(Buffer.from('datadata')));
    expect(answer.body.md5Hash).toBeUndefined();
    expect((await call('GET', objectPath(out, 'alt=media'))).text).toBe('datadata');
    const again = await compose(name('compose/out2'), [{ name: out }, { name: a }]);
    expect(again.body.componentCount).toBe(3);
  });

  it('a source pinned with objectPreconditions.ifGenerationMatch: 412 once it changed, nothing written', async () => {
    const fence = name('compose/fence');
    const first = await created(fence);
    const pinned = [{ name: fence, objectPreconditions: { ifGenerationMatch: first.generation as string } }];
    const out = name('compose/fenced');
    expect((await compose(out, pinned)).status).toBe(200);
    const before = (await call('GET', objectPath(out))).body;
    await created(fence);
    const refused = await compose(out, pinned);
    expect(refused.status).toBe(412);
    expect((await call('GET', objectPath(out))).body.generation).toBe(before.generation);
  });

  it("the destination's ifGenerationMatch (query) holds or nothing is written: 412", async () => {
    const source = name('compose/src');
    await created(source);
    const out = name('compose/once');
    expect((await compose(out, [{ name: source }], 'ifGenerationMatch=0')).status).toBe(200);
    expect((await compose(out, [{ name: source }], 'ifGenerationMatch=0')).status).toBe(412);
  });

  it('a missing source is 404; more than 32 sources is 400', async () => {
    const source = name('compose/present');
    await created(source);
    const missing = await compose(name('compose/x'), [{ name: source }, { name: name('compose/absent') }]);
    expect(missing.status).toBe(404);
    const many = Array.from({ length: 33 }, () => ({ name: source }));
    expect((await compose(name('compose/y'), many)).status).toBe(400);
    expect((await call('GET', objectPath(name('compose/y')))).status).toBe(404);
  });
});

describe('buckets: get and testIamPermissions', () => {
  it('GET answers the bucket resource with its settings', async () => {
    const answer = await call('GET', `/storage/v1/b/${bucket}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ kind: 'storage#bucket', name: bucket });
    expect(answer.body.metageneration).toMatch(/^\d+$/);
    expect(typeof answer.body.location).toBe('string');
    expect(typeof answer.body.storageClass).toBe('string');
    expect(typeof answer.body.etag).toBe('string');
  });

  it('testIamPermissions answers which of the named permissions the caller holds', async () => {
    const query = ['storage.objects.create', 'storage.objects.get'].map((p) => `permissions=${p}`).join('&');
    const answer = await call('GET', `/storage/v1/b/${bucket}/iam/testPermissions?${query}`);
    expect(answer.status).toBe(200);
    expect(answer.body.kind).toBe('storage#testIamPermissionsResponse');
    // Whoever can run this suite creates and reads objects.
    expect(answer.body.permissions).toEqual(
      expect.arrayContaining(['storage.objects.create', 'storage.objects.get']),
    );
    if (!REMOTE) expect(answer.body.permissions).toHaveLength(2);
  });
});
