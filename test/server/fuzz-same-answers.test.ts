/**
 * A property-based test (fast-check): the same operations, with any names, metadata, preconditions
 * and list parameters, get the same answer from the server over HTTP as from `MemoryStore` in process
 * (the HTTP layer adds no behaviour of its own to the engine's, and loses none), and never a 500.
 * The run count keeps it to a few seconds; a failure prints the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors/storage-error.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { serverForFile, type RawAnswer } from './support.js';

const BUCKET = 'fuzz';
const { server: running, send } = serverForFile({ buckets: [BUCKET] });

/** A precondition value: symbolic ones resolve against each side's own live object. */
const conditionValue = fc.oneof(
  fc.constantFrom(
    'live',
    'livePlus1',
    'meta',
    '0',
    '1',
    '-1',
    '00',
    '1e3',
    ' 1',
    '',
    '123456789012345678901',
  ),
  fc.string({ maxLength: 6 }),
);
const preconditions = fc.record(
  {
    ifGenerationMatch: conditionValue,
    ifGenerationNotMatch: conditionValue,
    ifMetagenerationMatch: conditionValue,
    ifMetagenerationNotMatch: conditionValue,
  },
  { requiredKeys: [] },
);
/** Names that collide often, and names that test the rules (length, dots, newlines, escapes). */
const objectName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'a/b', 'a/c', 'b/', 'ünï ☃') },
  fc.constantFrom('.', '..', 'x'.repeat(1025), 'line\nbreak', '%41', 'q?x=1', 'h#f', '__proto__'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
);
const metadataKey = fc.oneof(
  fc.constantFrom('owner', '__proto__', 'constructor', 'k'),
  fc.string({ maxLength: 6 }),
);
const metadataValue = fc.oneof(fc.string({ maxLength: 10 }), fc.constant('v'.repeat(5000)));
const metadata = fc.dictionary(metadataKey, metadataValue, { maxKeys: 3 });

type Op =
  | {
      kind: 'insert';
      name: string;
      body: string;
      metadata: Record<string, string>;
      pre: Record<string, string>;
      eol: string;
      quote: string;
    }
  | { kind: 'get' | 'delete'; name: string; pre: Record<string, string> }
  | { kind: 'patch'; name: string; metadata: Record<string, string | null>; pre: Record<string, string> }
  | { kind: 'list'; prefix: string; maxResults: number | undefined; pageToken: string | undefined };

const operation: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    name: fc.oneof(objectName, fc.constant('')),
    body: fc.string({ maxLength: 20 }),
    metadata,
    pre: preconditions,
    eol: fc.constantFrom('\r\n', '\n'),
    quote: fc.constantFrom('', '"', "'"),
  }),
  fc.record({
    kind: fc.constantFrom('get' as const, 'delete' as const),
    name: objectName,
    pre: preconditions,
  }),
  fc.record({
    kind: fc.constant('patch' as const),
    name: objectName,
    metadata: fc.dictionary(metadataKey, fc.option(metadataValue, { nil: null }), { maxKeys: 3 }),
    pre: preconditions,
  }),
  fc.record({
    kind: fc.constant('list' as const),
    prefix: fc.oneof(fc.constantFrom('', 'a', 'a/', 'b'), fc.string({ maxLength: 3 })),
    maxResults: fc.option(fc.integer({ min: -2, max: 3 }), { nil: undefined }),
    pageToken: fc.option(fc.oneof(fc.constantFrom('YQ', 'YS9i', '!!', ''), fc.string({ maxLength: 4 })), {
      nil: undefined,
    }),
  }),
);

/** A side's view of the live object, to resolve symbolic preconditions against. */
type Live = (name: string) => { generation: bigint; metageneration: bigint } | undefined;

function resolve(pre: Record<string, string>, live: ReturnType<Live>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(pre)) {
    if (value === 'live') out[key] = String(live?.generation ?? 0n);
    else if (value === 'livePlus1') out[key] = String((live?.generation ?? 0n) + 1n);
    else if (value === 'meta') out[key] = String(live?.metageneration ?? 1n);
    else out[key] = value;
  }
  return out;
}

/** What both sides are compared on: the status, and the fields that do not depend on the clock. */
type Outcome =
  | { status: number; object?: { name: string; metageneration: string; metadata: unknown; size?: string } }
  | {
      status: number;
      names: string[];
      next: string | undefined;
    };

async function viaStore(store: MemoryStore, op: Op): Promise<Outcome> {
  const live: Live = (name) => store.engine.getBucket(BUCKET).objects.get(name);
  try {
    switch (op.kind) {
      case 'insert': {
        const preconditions = resolve(op.pre, live(op.name));
        const { object } = await store.insert(BUCKET, op.name, {
          body: op.body,
          metadata: op.metadata,
          contentType: 'text/plain',
          preconditions,
        });
        return {
          status: 200,
          object: {
            name: object.name,
            metageneration: object.metageneration,
            metadata: object.metadata,
            size: String(Buffer.byteLength(op.body)),
          },
        };
      }
      case 'get': {
        const { object } = await store.get(BUCKET, op.name, {
          preconditions: resolve(op.pre, live(op.name)),
        });
        if (object === null) return { status: 404 };
        return {
          status: 200,
          object: { name: object.name, metageneration: object.metageneration, metadata: object.metadata },
        };
      }
      case 'patch': {
        const { object } = await store.patchMetadata(BUCKET, op.name, op.metadata, {
          preconditions: resolve(op.pre, live(op.name)),
        });
        return {
          status: 200,
          object: { name: object.name, metageneration: object.metageneration, metadata: object.metadata },
        };
      }
      case 'delete':
        await store.delete(BUCKET, op.name, { preconditions: resolve(op.pre, live(op.name)) });
        return { status: 204 };
      case 'list': {
        const page = await store.list(BUCKET, {
          prefix: op.prefix,
          ...(op.maxResults !== undefined && { maxResults: op.maxResults }),
          ...(op.pageToken !== undefined && { pageToken: op.pageToken }),
        });
        return { status: 200, names: page.items.map((item) => item.name), next: page.nextPageToken };
      }
    }
  } catch (error) {
    if (error instanceof StorageError && error.status !== undefined) return { status: error.status };
    throw error;
  }
}

async function viaHttp(op: Op): Promise<Outcome> {
  const live: Live = (name) => running().engine.getBucket(BUCKET).objects.get(name);
  const objectPath = (name: string): string => `/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}`;
  let answer: RawAnswer;
  switch (op.kind) {
    case 'insert': {
      const query = new URLSearchParams({
        uploadType: 'multipart',
        name: op.name,
        ...resolve(op.pre, live(op.name)),
      });
      const boundary = 'fuzz==boundary';
      const e = op.eol;
      const body = Buffer.from(
        `--${boundary}${e}Content-Type: application/json${e}${e}${JSON.stringify({ metadata: op.metadata })}${e}` +
          `--${boundary}${e}Content-Type: text/plain${e}${e}${op.body}${e}--${boundary}--${e}`,
      );
      answer = await send(
        'POST',
        `/upload/storage/v1/b/${BUCKET}/o?${query.toString()}`,
        {
          'content-type': `multipart/related; boundary=${op.quote}${boundary}${op.quote}`,
        },
        body,
      );
      break;
    }
    case 'get':
    case 'delete':
      answer = await send(
        op.kind === 'get' ? 'GET' : 'DELETE',
        `${objectPath(op.name)}?${new URLSearchParams(resolve(op.pre, live(op.name))).toString()}`,
      );
      break;
    case 'patch':
      answer = await send(
        'PATCH',
        `${objectPath(op.name)}?${new URLSearchParams(resolve(op.pre, live(op.name))).toString()}`,
        { 'content-type': 'application/json' },
        Buffer.from(JSON.stringify({ metadata: op.metadata })),
      );
      break;
    case 'list': {
      const query = new URLSearchParams({ prefix: op.prefix });
      if (op.maxResults !== undefined) query.set('maxResults', String(op.maxResults));
      if (op.pageToken !== undefined) query.set('pageToken', op.pageToken);
      answer = await send('GET', `/storage/v1/b/${BUCKET}/o?${query.toString()}`);
      if (answer.status !== 200) return { status: answer.status };
      const json = JSON.parse(answer.body) as { items?: Array<{ name: string }>; nextPageToken?: string };
      return { status: 200, names: (json.items ?? []).map((item) => item.name), next: json.nextPageToken };
    }
  }
  if (answer.status !== 200) return { status: answer.status };
  const json = JSON.parse(answer.body) as {
    name: string;
    metageneration: string;
    metadata?: unknown;
    size: string;
  };
  return {
    status: 200,
    object: {
      name: json.name,
      metageneration: json.metageneration,
      metadata: json.metadata ?? {},
      ...(op.kind === 'insert' && { size: json.size }),
    },
  };
}

describe('the server and MemoryStore answer the same operations alike', () => {
  it('statuses, names, metagenerations, metadata and listings agree; the server never answers 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 8 }), async (ops) => {
        running().reset();
        const store = new MemoryStore({ buckets: [BUCKET] });
        for (const op of ops) {
          const [local, remote] = [await viaStore(store, op), await viaHttp(op)];
          expect(remote.status).toBeLessThan(500);
          expect(remote, JSON.stringify(op)).toEqual(local);
        }
      }),
      { numRuns: 150 },
    );
  });
});
