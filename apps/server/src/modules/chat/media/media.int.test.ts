import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../../app.ts';
import { createManualClock, type ManualClock } from '../../../platform/clock.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../testing/test-database.ts';
import { InjectMatrixClient, testPassword } from '../testing/matrix-test-client.ts';
import type { ChatMediaTables } from './media.tables.ts';

const publicUrl = 'http://bureau.test';
const system = { system: true, label: 'test' };
const sandbox = /^sandbox; default-src 'none'/;

interface RawResponse {
  status: number;
  headers: Record<string, string | number | string[] | undefined>;
  body: Buffer;
  json: Record<string, unknown>;
}

async function setUp(env: Record<string, string> = {}, clock?: ManualClock) {
  const environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error', ...env });
  const app = await buildApp(environment.config, clock ? { clock } : {});
  await app.migrate();
  const directory = app.identity.directory;
  await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
  await directory.createUser({ email: 'alice@min.gouv.fr', password: testPassword, displayName: 'Alice' }, system);
  await directory.createUser({ email: 'bob@min.gouv.fr', password: testPassword, displayName: 'Bob' }, system);
  const alice = await new InjectMatrixClient(app).loginWithEmail('alice@min.gouv.fr');
  const bob = await new InjectMatrixClient(app).loginWithEmail('bob@min.gouv.fr');
  return { environment, app, alice, bob };
}

/** A request with raw bytes (InjectMatrixClient only sends JSON). */
async function raw(
  app: BureauApp,
  method: 'GET' | 'HEAD' | 'POST' | 'PUT',
  url: string,
  options: { token?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const response = await app.http.inject({
    method,
    url,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.body !== undefined ? { payload: options.body } : {}),
  });
  const body = response.rawPayload;
  let json: Record<string, unknown> = {};
  if (String(response.headers['content-type'] ?? '').startsWith('application/json')) {
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  }
  return { status: response.statusCode, headers: response.headers, body, json };
}

function mediaPath(contentUri: unknown): string {
  expect(contentUri).toMatch(/^mxc:\/\/bureau\.test\/[A-Za-z0-9_-]+$/);
  return String(contentUri).slice('mxc://'.length);
}

async function upload(
  app: BureauApp,
  token: string,
  body: Buffer | string,
  contentType?: string,
  fileName?: string,
): Promise<RawResponse> {
  const query = fileName === undefined ? '' : `?filename=${encodeURIComponent(fileName)}`;
  return raw(app, 'POST', `/_matrix/media/v3/upload${query}`, {
    token,
    body,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
}

async function blobFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(join(dataDir, 'blobs'), { recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.endsWith('.blob'));
}

async function mediaRows(app: BureauApp) {
  return app.platform.database.executor.withTables<ChatMediaTables>().selectFrom('chat_media').selectAll().execute();
}

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 20, g: 120, b: 200, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** A PNG whose header announces `width`×`height` pixels, with (far) fewer pixels actually in it. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('Matrix media repository', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;
  let clock: ManualClock;

  // One homeserver for the whole suite (accounts are costly to set up); each test uses its own media.
  beforeAll(async () => {
    clock = createManualClock(new Date());
    ({ environment, app, alice, bob } = await setUp({ BUREAU_MATRIX_MAX_UPLOAD: String(64 * 1024) }, clock));
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('round-trips an upload: same bytes, content type, file name and safe headers', async () => {
    const text = 'Compte rendu de réunion\n';
    const uploaded = await upload(app, alice.accessToken ?? '', text, 'text/plain; charset=UTF-8', 'réunion 2026.txt');
    expect(uploaded.status).toBe(200);
    const path = mediaPath(uploaded.json['content_uri']);

    const download = await raw(app, 'GET', `/_matrix/client/v1/media/download/${path}`, { token: bob.accessToken });
    expect(download.status).toBe(200);
    expect(download.body.toString('utf8')).toBe(text);
    expect(download.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(download.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(download.headers['content-disposition']).toBe(
      `inline; filename="r_union 2026.txt"; filename*=UTF-8''r%C3%A9union%202026.txt`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-security-policy']).toMatch(sandbox);
    expect(download.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(download.headers['access-control-allow-origin']).toBe('*');

    // The file name in the path replaces the stored one (here on the deprecated path, with a token).
    const renamed = await raw(app, 'GET', `/_matrix/media/v3/download/${path}/notes.txt`, { token: alice.accessToken });
    expect(renamed.status).toBe(200);
    expect(renamed.body.toString('utf8')).toBe(text);
    expect(renamed.headers['content-disposition']).toBe('inline; filename="notes.txt"');

    // Binary content without a declared type: application/octet-stream, as an attachment, without a file name.
    const bytes = randomBytes(10_000);
    const binary = await upload(app, alice.accessToken ?? '', bytes);
    const fetched = await raw(
      app,
      'GET',
      `/_matrix/client/v1/media/download/${mediaPath(binary.json['content_uri'])}`,
      {
        token: alice.accessToken,
      },
    );
    expect(fetched.body.equals(bytes)).toBe(true);
    expect(fetched.headers['content-type']).toBe('application/octet-stream');
    expect(fetched.headers['content-disposition']).toBe('attachment');
  });

  it('stores a malformed content type as application/octet-stream and normalises valid ones', async () => {
    const malformed = await upload(app, alice.accessToken ?? '', 'abc', 'not a type');
    expect(malformed.status).toBe(200);
    const normalised = await upload(app, alice.accessToken ?? '', 'abc', 'Text/CSV ;Charset=utf-8');
    const rows = await mediaRows(app);
    const typeOf = (response: RawResponse) =>
      rows.find((row) => `mxc://${row.server_name}/${row.media_id}` === response.json['content_uri'])?.content_type;
    expect(typeOf(malformed)).toBe('application/octet-stream');
    expect(typeOf(normalised)).toBe('text/csv; charset=utf-8');
    const csv = await raw(app, 'GET', `/_matrix/media/v3/download/${mediaPath(normalised.json['content_uri'])}`, {
      token: alice.accessToken,
    });
    expect(csv.headers['content-disposition']).toBe('attachment');
  });

  it('refuses an upload over the limit with 413 M_TOO_LARGE and an empty one, storing nothing', async () => {
    const limit = 64 * 1024;
    const atLimit = await upload(app, alice.accessToken ?? '', randomBytes(limit), 'application/octet-stream');
    expect(atLimit.status).toBe(200);
    const rowsBefore = (await mediaRows(app)).length;
    const filesBefore = await blobFiles(environment.dataDir);

    const over = await upload(app, alice.accessToken ?? '', randomBytes(limit + 1), 'application/octet-stream');
    expect(over).toMatchObject({ status: 413, json: { errcode: 'M_TOO_LARGE' } });
    const empty = await upload(app, alice.accessToken ?? '', Buffer.alloc(0), 'text/plain');
    expect(empty).toMatchObject({ status: 400, json: { errcode: 'M_UNKNOWN' } });

    expect(await mediaRows(app)).toHaveLength(rowsBefore);
    expect(await blobFiles(environment.dataDir)).toEqual(filesBefore);
    const config = await alice.ok('GET', '/_matrix/client/v1/media/config');
    expect(config).toEqual({ 'm.upload.size': limit });
    expect(await alice.ok('GET', '/_matrix/media/v3/config')).toEqual({ 'm.upload.size': limit });
  });

  it('refuses an image whose bytes contradict its declared type', async () => {
    const image = await png(40, 30);
    const rowsBefore = (await mediaRows(app)).length;
    const asJpeg = await upload(app, alice.accessToken ?? '', image, 'image/jpeg');
    expect(asJpeg).toMatchObject({ status: 400, json: { errcode: 'M_UNKNOWN' } });
    expect(String(asJpeg.json['error'])).toContain('PNG');
    const script = await upload(app, alice.accessToken ?? '', '<html><script>alert(1)</script></html>', 'image/png');
    expect(script).toMatchObject({ status: 400, json: { errcode: 'M_UNKNOWN' } });
    expect(await mediaRows(app)).toHaveLength(rowsBefore);

    const honest = await upload(app, alice.accessToken ?? '', image, 'image/png', 'photo.png');
    expect(honest.status).toBe(200);
    const served = await raw(app, 'GET', `/_matrix/client/v1/media/download/${mediaPath(honest.json['content_uri'])}`, {
      token: alice.accessToken,
    });
    expect(served.body.equals(image)).toBe(true);
    expect(served.headers['content-disposition']).toBe('inline; filename="photo.png"');
  });

  it('serves SVG (and other active content) as an attachment in a sandbox', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>';
    for (const type of ['image/svg+xml', 'text/html']) {
      const uploaded = await upload(app, alice.accessToken ?? '', svg, type, 'dessin.svg');
      const served = await raw(
        app,
        'GET',
        `/_matrix/client/v1/media/download/${mediaPath(uploaded.json['content_uri'])}`,
        {
          token: alice.accessToken,
        },
      );
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toBe(type);
      expect(served.headers['content-disposition']).toBe('attachment; filename="dessin.svg"');
      expect(served.headers['content-security-policy']).toMatch(sandbox);
      expect(served.headers['content-security-policy']).toContain("script-src 'none'");
      expect(served.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('requires a token on the authenticated paths and on uploads, not on the deprecated downloads', async () => {
    const uploaded = await upload(app, alice.accessToken ?? '', 'hello', 'text/plain');
    const path = mediaPath(uploaded.json['content_uri']);
    for (const url of [
      `/_matrix/client/v1/media/download/${path}`,
      `/_matrix/client/v1/media/download/${path}/a.txt`,
      `/_matrix/client/v1/media/thumbnail/${path}?width=32&height=32`,
      '/_matrix/client/v1/media/config',
      '/_matrix/client/v1/media/preview_url?url=https%3A%2F%2Fexample.org',
    ]) {
      expect(await raw(app, 'GET', url), url).toMatchObject({ status: 401, json: { errcode: 'M_MISSING_TOKEN' } });
    }
    expect(await raw(app, 'POST', '/_matrix/media/v3/upload', { body: 'x' })).toMatchObject({
      status: 401,
      json: { errcode: 'M_MISSING_TOKEN' },
    });
    // The deprecated unauthenticated paths are frozen: a token is needed there too.
    expect(await raw(app, 'GET', `/_matrix/media/v3/download/${path}`)).toMatchObject({
      status: 404,
      json: { errcode: 'M_NOT_FOUND' },
    });
    expect(
      (await raw(app, 'GET', `/_matrix/media/v3/download/${path}`, { token: alice.accessToken ?? '' })).status,
    ).toBe(200);
  });

  it('answers 404 M_NOT_FOUND for unknown media, other servers and invalid media IDs', async () => {
    const uploaded = await upload(app, alice.accessToken ?? '', 'hello', 'text/plain');
    const mediaId = mediaPath(uploaded.json['content_uri']).split('/')[1] ?? '';
    for (const path of ['bureau.test/unknownMedia', `matrix.org/${mediaId}`, 'bureau.test/bad.id']) {
      const response = await raw(app, 'GET', `/_matrix/client/v1/media/download/${path}`, { token: alice.accessToken });
      expect(response, path).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND' } });
      const thumbnail = await raw(app, 'GET', `/_matrix/media/v3/thumbnail/${path}?width=32&height=32`);
      expect(thumbnail, path).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND' } });
    }
  });

  it('serves byte ranges and HEAD requests', async () => {
    const uploaded = await upload(app, alice.accessToken ?? '', '0123456789', 'text/plain');
    const url = `/_matrix/client/v1/media/download/${mediaPath(uploaded.json['content_uri'])}`;
    const part = await raw(app, 'GET', url, { token: alice.accessToken, headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('2345');
    expect(part.headers['content-range']).toBe('bytes 2-5/10');
    const suffix = await raw(app, 'GET', url, { token: alice.accessToken, headers: { range: 'bytes=-3' } });
    expect(suffix.body.toString()).toBe('789');
    const outside = await raw(app, 'GET', url, { token: alice.accessToken, headers: { range: 'bytes=10-' } });
    expect(outside.status).toBe(416);
    expect(outside.headers['content-range']).toBe('bytes */10');
    const head = await raw(app, 'HEAD', url, { token: alice.accessToken });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body).toHaveLength(0);
    const etag = String(head.headers['etag']);
    const notModified = await raw(app, 'GET', url, { token: alice.accessToken, headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
  });

  it('makes cached thumbnails of a real image, never upscaling, and refuses non-images', async () => {
    const image = await png(1200, 800);
    const uploaded = await upload(app, alice.accessToken ?? '', image, 'image/png');
    const path = mediaPath(uploaded.json['content_uri']);
    const mediaId = path.split('/')[1] ?? '';
    const thumbnail = (query: string) =>
      raw(app, 'GET', `/_matrix/client/v1/media/thumbnail/${path}?${query}`, { token: alice.accessToken });

    const crop = await thumbnail('width=96&height=96&method=crop');
    expect(crop.status).toBe(200);
    expect(crop.headers['content-type']).toBe('image/png');
    expect(crop.headers['content-disposition']).toBe('inline; filename="thumbnail.png"');
    expect(crop.headers['content-security-policy']).toMatch(sandbox);
    expect(await sharp(crop.body).metadata()).toMatchObject({ format: 'png', width: 96, height: 96 });

    // 300x200 is served from the recommended 320x240 "scale" thumbnail, keeping the aspect ratio.
    const scale = await thumbnail('width=300&height=200&method=scale');
    expect(await sharp(scale.body).metadata()).toMatchObject({ width: 320, height: 213 });
    const again = await thumbnail('width=320&height=240');
    expect(again.body.equals(scale.body)).toBe(true);
    const cachedRows = await app.platform.database.executor
      .withTables<ChatMediaTables>()
      .selectFrom('chat_media_thumbnails')
      .selectAll()
      .where('media_id', '=', mediaId)
      .execute();
    expect(cachedRows.map((row) => `${row.width}x${row.height}-${row.method}`).sort()).toEqual([
      '320x240-scale',
      '96x96-crop',
    ]);

    // Larger than the image: the original itself.
    const original = await thumbnail('width=2000&height=2000');
    expect(original.body.equals(image)).toBe(true);
    expect(original.headers['content-type']).toBe('image/png');

    const legacy = await raw(app, 'GET', `/_matrix/media/v3/thumbnail/${path}?width=32&height=32&method=crop`, {
      token: alice.accessToken,
    });
    expect(await sharp(legacy.body).metadata()).toMatchObject({ width: 32, height: 32 });

    expect(await thumbnail('height=32')).toMatchObject({ status: 400, json: { errcode: 'M_MISSING_PARAM' } });
    expect(await thumbnail('width=0&height=32')).toMatchObject({ status: 400, json: { errcode: 'M_INVALID_PARAM' } });
    expect(await thumbnail('width=32&height=32&method=stretch')).toMatchObject({ status: 400 });

    // A decompression bomb is refused from its header, before any pixel is decoded.
    const bomb = await upload(app, alice.accessToken ?? '', pngHeaderOnly(8000, 6000), 'image/png');
    const refusedBomb = await raw(
      app,
      'GET',
      `/_matrix/client/v1/media/thumbnail/${mediaPath(bomb.json['content_uri'])}?width=32&height=32`,
      { token: alice.accessToken },
    );
    expect(refusedBomb).toMatchObject({ status: 413, json: { errcode: 'M_TOO_LARGE' } });

    const text = await upload(app, alice.accessToken ?? '', 'not an image', 'text/plain');
    const refused = await raw(
      app,
      'GET',
      `/_matrix/client/v1/media/thumbnail/${mediaPath(text.json['content_uri'])}?width=32&height=32`,
      { token: alice.accessToken },
    );
    expect(refused).toMatchObject({ status: 400, json: { errcode: 'M_UNKNOWN' } });
    const noise = await upload(app, alice.accessToken ?? '', randomBytes(2_000));
    const undecodable = await raw(
      app,
      'GET',
      `/_matrix/client/v1/media/thumbnail/${mediaPath(noise.json['content_uri'])}?width=32&height=32`,
      { token: alice.accessToken },
    );
    expect(undecodable).toMatchObject({ status: 400, json: { errcode: 'M_UNKNOWN' } });
  });

  it('thumbnails JPEG as JPEG and animations as animated WebP only when asked', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 640, channels: 3, background: 'orange' } })
      .jpeg()
      .toBuffer();
    const jpegUpload = await upload(app, alice.accessToken ?? '', jpeg, 'image/jpeg');
    const jpegThumbnail = await raw(
      app,
      'GET',
      `/_matrix/client/v1/media/thumbnail/${mediaPath(jpegUpload.json['content_uri'])}?width=32&height=32&method=crop`,
      { token: alice.accessToken },
    );
    expect(jpegThumbnail.headers['content-type']).toBe('image/jpeg');

    const frames = await Promise.all(
      ['red', 'green', 'blue'].map((colour) =>
        sharp({ create: { width: 120, height: 80, channels: 3, background: colour } })
          .png()
          .toBuffer(),
      ),
    );
    const gif = await sharp(frames, { join: { animated: true } })
      .gif({ delay: [100, 100, 100] })
      .toBuffer();
    const gifUpload = await upload(app, alice.accessToken ?? '', gif, 'image/gif');
    const base = `/_matrix/client/v1/media/thumbnail/${mediaPath(gifUpload.json['content_uri'])}?width=96&height=96&method=crop`;
    const animated = await raw(app, 'GET', `${base}&animated=true`, { token: alice.accessToken });
    expect(animated.headers['content-type']).toBe('image/webp');
    expect(await sharp(animated.body).metadata()).toMatchObject({ format: 'webp', pages: 3 });
    const still = await raw(app, 'GET', base, { token: alice.accessToken });
    expect(still.headers['content-type']).toBe('image/png');
    expect((await sharp(still.body).metadata()).pages ?? 1).toBe(1);
  });

  it('uploads asynchronously: create, wait for the content, refuse overwrites and other users', async () => {
    const created = await alice.ok<{ content_uri: string; unused_expires_at: number }>(
      'POST',
      '/_matrix/media/v1/create',
      {},
    );
    expect(created.unused_expires_at).toBe(clock.now().getTime() + 24 * 60 * 60 * 1000);
    const path = mediaPath(created.content_uri);
    const downloadUrl = `/_matrix/client/v1/media/download/${path}`;

    const notYet = await raw(app, 'GET', `${downloadUrl}?timeout_ms=0`, { token: bob.accessToken });
    expect(notYet).toMatchObject({ status: 504, json: { errcode: 'M_NOT_YET_UPLOADED' } });

    const byBob = await raw(app, 'PUT', `/_matrix/media/v3/upload/${path}`, {
      token: bob.accessToken,
      body: 'intrus',
      headers: { 'content-type': 'text/plain' },
    });
    expect(byBob).toMatchObject({ status: 403, json: { errcode: 'M_FORBIDDEN' } });

    // A download waiting for the content gets it as soon as it is uploaded.
    const waiting = raw(app, 'GET', `${downloadUrl}?timeout_ms=10000`, { token: bob.accessToken });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const put = await raw(app, 'PUT', `/_matrix/media/v3/upload/${path}?filename=plan.txt`, {
      token: alice.accessToken,
      body: 'le plan',
      headers: { 'content-type': 'text/plain' },
    });
    expect(put).toMatchObject({ status: 200, json: {} });
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.body.toString()).toBe('le plan');
    expect(waited.headers['content-disposition']).toBe('inline; filename="plan.txt"');

    const overwrite = await raw(app, 'PUT', `/_matrix/media/v3/upload/${path}`, {
      token: alice.accessToken,
      body: 'autre chose',
      headers: { 'content-type': 'text/plain' },
    });
    expect(overwrite).toMatchObject({ status: 409, json: { errcode: 'M_CANNOT_OVERWRITE_MEDIA' } });
    const unknown = await raw(app, 'PUT', '/_matrix/media/v3/upload/bureau.test/neverCreated', {
      token: alice.accessToken,
      body: 'x',
    });
    expect(unknown).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND' } });

    // An unused media ID expires after 24 hours.
    const later = await alice.ok<{ content_uri: string }>('POST', '/_matrix/media/v1/create', {});
    clock.advance(24 * 60 * 60 * 1000 + 1);
    const expired = await raw(app, 'PUT', `/_matrix/media/v3/upload/${mediaPath(later.content_uri)}`, {
      token: alice.accessToken,
      body: 'trop tard',
    });
    expect(expired).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND' } });
  });

  it('limits the pending uploads of a user', async () => {
    for (let index = 0; index < 20; index += 1) await alice.ok('POST', '/_matrix/media/v1/create');
    const refused = await alice.request('POST', '/_matrix/media/v1/create');
    expect(refused).toMatchObject({ status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' } });
    expect((await bob.request('POST', '/_matrix/media/v1/create')).status).toBe(200);
    // Once expired, they no longer count.
    clock.advance(24 * 60 * 60 * 1000 + 1);
    expect((await alice.request('POST', '/_matrix/media/v1/create')).status).toBe(200);
  });

  it('answers URL previews with an empty preview, and leaves JSON parsing elsewhere unchanged', async () => {
    expect(await alice.ok('GET', '/_matrix/client/v1/media/preview_url?url=https%3A%2F%2Fexample.org')).toEqual({});
    expect(await alice.ok('GET', '/_matrix/media/v3/preview_url?url=https%3A%2F%2Fexample.org')).toEqual({});
    expect(await alice.request('GET', '/_matrix/client/v1/media/preview_url')).toMatchObject({
      status: 400,
      body: { errcode: 'M_MISSING_PARAM' },
    });
    const notJson = await raw(app, 'POST', '/_matrix/client/v3/createRoom', {
      token: alice.accessToken,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    expect((await alice.request('POST', 'createRoom', { name: 'Salon' })).status).toBe(200);
  });
});

describe('Matrix media uploads over real HTTP', () => {
  const limit = 8 * 1024 * 1024;
  let environment: TestEnvironment;
  let app: BureauApp;
  let alice: InjectMatrixClient;
  let baseUrl: string;

  beforeAll(async () => {
    ({ environment, app, alice } = await setUp({ BUREAU_MATRIX_MAX_UPLOAD: String(limit) }));
    baseUrl = await app.listen();
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  /**
   * Sends `chunks` (generated lazily, 64 KiB each) as an upload, chunked unless `contentLength` is given;
   * resolves with the response as soon as it arrives, even if the server answers before the body ends,
   * and reports how many chunks were written by then.
   */
  function send(
    chunkCount: number,
    contentLength?: number,
  ): Promise<{ status: number; json: Record<string, unknown>; chunksWritten: number; sha256: string }> {
    const hash = createHash('sha256');
    return new Promise((resolve, reject) => {
      let written = 0;
      let answered = false;
      const request = httpRequest(`${baseUrl}/_matrix/media/v3/upload?filename=big.bin`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.accessToken ?? ''}`,
          'content-type': 'application/octet-stream',
          ...(contentLength !== undefined ? { 'content-length': String(contentLength) } : {}),
        },
      });
      request.on('response', (response: IncomingMessage) => {
        answered = true;
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>,
            chunksWritten: written,
            sha256: hash.digest('hex'),
          }),
        );
      });
      // The server may close the connection while the body is still being written (refused uploads).
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      const writeNext = () => {
        while (written < chunkCount && !answered && !request.destroyed) {
          const chunk = randomBytes(64 * 1024);
          hash.update(chunk);
          written += 1;
          if (!request.write(chunk)) {
            request.once('drain', writeNext);
            return;
          }
        }
        if (!answered && !request.destroyed) request.end();
      };
      writeNext();
    });
  }

  it('streams an upload of exactly the limit to the blob store and back, byte for byte', async () => {
    const chunkCount = limit / (64 * 1024);
    const sent = await send(chunkCount);
    expect(sent.status).toBe(200);
    const path = mediaPath(sent.json['content_uri']);
    const response = await fetch(`${baseUrl}/_matrix/client/v1/media/download/${path}`, {
      headers: { authorization: `Bearer ${alice.accessToken ?? ''}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(limit));
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="big.bin"');
    const received = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(received).digest('hex')).toBe(sent.sha256);
  });

  it('refuses a chunked upload that runs over the limit, without reading it to its end', async () => {
    const rowsBefore = (await mediaRows(app)).length;
    const filesBefore = await blobFiles(environment.dataDir);
    const sent = await send(4 * (limit / (64 * 1024)));
    expect(sent).toMatchObject({ status: 413, json: { errcode: 'M_TOO_LARGE' } });
    expect(sent.chunksWritten).toBeLessThan(4 * (limit / (64 * 1024)));
    expect(await mediaRows(app)).toHaveLength(rowsBefore);
    expect(await blobFiles(environment.dataDir)).toEqual(filesBefore);
  });

  it('refuses at once an upload whose Content-Length is over the limit', async () => {
    const rowsBefore = (await mediaRows(app)).length;
    const declared = 1024 * 1024 * 1024;
    const sent = await send(declared / (64 * 1024), declared);
    expect(sent).toMatchObject({ status: 413, json: { errcode: 'M_TOO_LARGE' } });
    expect(sent.chunksWritten).toBeLessThan(declared / (64 * 1024) / 4);
    expect(await mediaRows(app)).toHaveLength(rowsBefore);
  });
});
