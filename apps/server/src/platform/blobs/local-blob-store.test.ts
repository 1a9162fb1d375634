import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { createIdGenerator } from '../ids.ts';
import type { BlobStore } from './blob-store.ts';
import { createLocalBlobStore } from './local-blob-store.ts';

const MiB = 1024 * 1024;

describe(createLocalBlobStore.name, () => {
  let root: string;
  let directory: string;
  let store: BlobStore;
  const clock = createManualClock('2026-11-29T10:00:00.000Z');

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'bureau-blobs-'));
    // A directory that does not exist yet: the store creates what it needs.
    directory = join(root, 'blobs');
    store = createLocalBlobStore({ directory, clock, newId: createIdGenerator(clock) });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores content under a generated key and gives it back with its size, checksum and type', async () => {
    const info = await store.put(Readable.from([Buffer.from('Bonjour '), Buffer.from('le monde')]), {
      contentType: 'text/plain; charset=utf-8',
    });

    expect(info).toEqual({
      key: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) as unknown,
      size: 16,
      sha256: sha256('Bonjour le monde'),
      contentType: 'text/plain; charset=utf-8',
      createdAt: '2026-11-29T10:00:00.000Z',
    });
    expect(await store.head(info.key)).toEqual(info);
    const { info: read, body } = await store.get(info.key);
    expect(read).toEqual(info);
    expect(await text(body)).toBe('Bonjour le monde');
  });

  it('accepts any async iterable of bytes, an empty body, and defaults the content type', async () => {
    async function* nothing(): AsyncGenerator<Uint8Array> {}
    const info = await store.put(nothing(), { key: 'empty' });

    expect(info).toMatchObject({ key: 'empty', size: 0, sha256: sha256(''), contentType: 'application/octet-stream' });
    expect(await text((await store.get('empty')).body)).toBe('');
  });

  it('replaces the content of a given key and keeps a single data file for it', async () => {
    await store.put(Readable.from([Buffer.from('first version')]), { key: 'reports/2026/summary.txt' });
    clock.advance(1_000);
    const second = await store.put(Readable.from([Buffer.from('second')]), { key: 'reports/2026/summary.txt' });

    expect(second).toMatchObject({ size: 6, sha256: sha256('second'), createdAt: '2026-11-29T10:00:01.000Z' });
    expect(await text((await store.get('reports/2026/summary.txt')).body)).toBe('second');
    const files = await listFiles(directory);
    expect(files.filter((file) => file.endsWith('.blob'))).toHaveLength(1);
    expect(files.filter((file) => file.endsWith('.json'))).toHaveLength(1);
  });

  it('settles concurrent writes of one key on one of them, without leaving the others behind', async () => {
    const contents = ['one', 'two', 'three', 'four', 'five'];
    await Promise.all(contents.map((content) => store.put(Readable.from([Buffer.from(content)]), { key: 'shared' })));

    const stored = await text((await store.get('shared')).body);
    expect(contents).toContain(stored);
    expect(await store.head('shared')).toMatchObject({ sha256: sha256(stored) });
    expect((await listFiles(directory)).filter((file) => file.endsWith('.blob'))).toHaveLength(1);
  });

  it('lets a read that has started finish with the content it started with', async () => {
    await store.put(Readable.from([Buffer.from('old content')]), { key: 'document' });
    const { body } = await store.get('document');

    await store.put(Readable.from([Buffer.from('new content')]), { key: 'document' });
    expect(await text(body)).toBe('old content');
    const { body: again } = await store.get('document');
    await store.delete('document');
    expect(await text(again)).toBe('new content');
  });

  it('reports a missing blob: head gives undefined, get throws BLOB_NOT_FOUND, delete gives false', async () => {
    expect(await store.head('missing')).toBeUndefined();
    expect(await store.delete('missing')).toBe(false);
    const error = await store.get('missing').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BLOB_NOT_FOUND', kind: 'not_found', details: { key: 'missing' } });
  });

  it('deletes a blob once, then reports it missing, leaving no file behind', async () => {
    const { key } = await store.put(Readable.from([Buffer.from('to be deleted')]));

    expect(await store.delete(key)).toBe(true);
    expect(await store.delete(key)).toBe(false);
    expect(await store.head(key)).toBeUndefined();
    await expect(store.get(key)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    expect(await listFiles(directory)).toEqual([]);
  });

  it('rejects invalid keys with BLOB_INVALID_KEY in every method, and accepts the valid ones', async () => {
    const invalid = [
      '',
      '/a',
      'a/',
      'a//b',
      '..',
      '../a',
      'a/../b',
      '.',
      'a/./b',
      'a b',
      'é',
      'a\\b',
      'a?b',
      'x'.repeat(1025),
    ];
    for (const key of invalid) {
      await expect(store.put(Readable.from([Buffer.from('x')]), { key }), key).rejects.toMatchObject({
        code: 'BLOB_INVALID_KEY',
      });
      await expect(store.get(key), key).rejects.toMatchObject({ code: 'BLOB_INVALID_KEY' });
      await expect(store.head(key), key).rejects.toMatchObject({ code: 'BLOB_INVALID_KEY' });
      await expect(store.delete(key), key).rejects.toMatchObject({ code: 'BLOB_INVALID_KEY' });
    }
    expect(await listFiles(directory)).toEqual([]);

    for (const key of ['a', 'A.b-c_d/E.F', '.hidden/x..y', 'x'.repeat(1024)]) {
      await store.put(Readable.from([Buffer.from(key)]), { key });
      expect(await text((await store.get(key)).body)).toBe(key);
    }
  });

  it('reads byte ranges, both ends included, clamping an end past the last byte', async () => {
    const { key } = await store.put(Readable.from([Buffer.from('0123456789')]));

    const read = async (start: number, end?: number) => text((await store.get(key, { start, end })).body);
    expect(await read(2, 5)).toBe('2345');
    expect(await read(7)).toBe('789');
    expect(await read(8, 100)).toBe('89');
    expect(await read(0, 0)).toBe('0');
    const partial = await store.get(key, { start: 3 });
    partial.body.destroy();
    expect(partial.info.size).toBe(10);
    await expect(store.get(key, { start: 10 })).rejects.toMatchObject({
      code: 'BLOB_RANGE_NOT_SATISFIABLE',
      kind: 'invalid',
    });
    await expect(store.get(key, { start: 5, end: 4 })).rejects.toThrow(RangeError);
  });

  it('aborts a write over maxBytes with BLOB_TOO_LARGE, stops reading the body and keeps nothing', async () => {
    let chunksRead = 0;
    function* endless(): Generator<Buffer> {
      for (;;) {
        chunksRead += 1;
        yield Buffer.alloc(1024, 'a');
      }
    }
    const error = await store.put(Readable.from(endless()), { maxBytes: 10_000 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'BLOB_TOO_LARGE',
      kind: 'too_large',
      messages: {
        fr: 'Le fichier dépasse la taille maximale de 10000 octets.',
        en: 'The file exceeds the maximum size of 10000 bytes.',
      },
    });
    expect(chunksRead).toBeLessThan(100);
    expect(await listFiles(directory)).toEqual([]);
  });

  it('accepts a body of exactly maxBytes, and leaves the previous content when an overwrite is too large', async () => {
    await store.put(Readable.from([Buffer.alloc(100)]), { key: 'limited', maxBytes: 100 });

    await expect(
      store.put(Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), { key: 'limited', maxBytes: 100 }),
    ).rejects.toMatchObject({ code: 'BLOB_TOO_LARGE' });
    expect(await store.head('limited')).toMatchObject({ size: 100, sha256: sha256(Buffer.alloc(100)) });
    expect(await listFiles(join(directory, 'tmp'))).toEqual([]);
  });

  it('keeps nothing of a body that fails midway, and passes its error on', async () => {
    const failure = new Error('connection reset');
    let pushed = 0;
    const body = new Readable({
      read() {
        pushed += 1;
        if (pushed <= 3) this.push(randomBytes(64 * 1024));
        else this.destroy(failure);
      },
    });
    await expect(store.put(body, { key: 'broken' })).rejects.toBe(failure);

    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(1024);
      await setImmediate(); // the failure comes later, like a connection reset
      throw failure;
    }
    await expect(store.put(failing(), { key: 'broken' })).rejects.toBe(failure);

    expect(await store.head('broken')).toBeUndefined();
    expect(await listFiles(directory)).toEqual([]);
  });

  it('round-trips a 100 MiB blob in constant memory', async () => {
    const chunkSize = 64 * 1024;
    const chunkCount = (100 * MiB) / chunkSize;
    const written = createHash('sha256');
    const memory = createMemoryProbe();
    function* chunks(): Generator<Buffer> {
      for (let index = 0; index < chunkCount; index += 1) {
        const chunk = randomBytes(chunkSize);
        written.update(chunk);
        if (index % 16 === 0) memory.sample();
        yield chunk;
      }
    }

    const info = await store.put(Readable.from(chunks()), { key: 'large.bin' });
    const { body } = await store.get('large.bin');
    const read = createHash('sha256');
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      read.update(chunk);
      size += chunk.byteLength;
      if (size % MiB < chunk.byteLength) memory.sample();
    }

    const sha = written.digest('hex');
    expect(info).toMatchObject({ size: 100 * MiB, sha256: sha });
    expect(size).toBe(100 * MiB);
    expect(read.digest('hex')).toBe(sha);
    // Holding the blob would take 100 MiB; streaming holds a few 64 KiB chunks in flight.
    const { raw, settled } = memory.peakGrowth();
    const inMiB = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    console.info(
      `100 MiB round trip, peak growth over ${memory.samples()} samples: reachable rss ${inMiB(settled.rss)}, ` +
        `arrayBuffers ${inMiB(settled.arrayBuffers)}; before collection rss ${inMiB(raw.rss)}, ` +
        `arrayBuffers ${inMiB(raw.arrayBuffers)}`,
    );
    expect(settled.rss).toBeLessThan(40 * MiB);
    expect(settled.arrayBuffers).toBeLessThan(40 * MiB);
  });
});

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The files under `directory` (directories left empty do not count), relative to it. */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1));
}

/**
 * Samples the process's memory against what it used when the probe was made. V8 frees dead buffers when
 * its heuristics say so, which lets tens of MiB of chunks already written pile up and would make a bound
 * on raw memory flaky. So each sample first runs a minor collection (cheap: it only scans the young
 * generation, where the short-lived chunks are) and measures what is still reachable, which is what a
 * store holding on to the body would grow; the raw peak is kept for the record.
 */
function createMemoryProbe() {
  const collect = exposeGarbageCollector();
  collect({ type: 'major' });
  const baseline = process.memoryUsage();
  const raw = { rss: 0, arrayBuffers: 0 };
  const settled = { rss: 0, arrayBuffers: 0 };
  const record = (peak: typeof raw) => {
    const { rss, arrayBuffers } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss - baseline.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, arrayBuffers - baseline.arrayBuffers);
  };
  let count = 0;
  return {
    sample() {
      record(raw);
      collect({ type: 'minor' });
      record(settled);
      count += 1;
    },
    peakGrowth: () => ({ raw, settled }),
    samples: () => count,
  };
}

/** The `gc` function of V8, which the test runner does not expose (the way jest-leak-detector gets it). */
function exposeGarbageCollector(): NodeJS.GCFunction {
  if (globalThis.gc) return globalThis.gc;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as NodeJS.GCFunction;
  setFlagsFromString('--no-expose-gc');
  return gc;
}
