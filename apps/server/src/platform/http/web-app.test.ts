import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptsHtml, isWebAppPath, registerWebApp } from './web-app.ts';

const indexHtml = '<!doctype html><html lang="fr"><head><title>Bureau</title></head><body></body></html>';
const appScript = 'console.log("bureau");';
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('registerWebApp', () => {
  let root: string;
  let app: FastifyInstance | undefined;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'bureau-web-app-'));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(root, { recursive: true, force: true });
  });

  async function start(distDir: string): Promise<FastifyInstance> {
    const instance = Fastify({ logger: false });
    // Stands for the application's not-found handler, owned elsewhere.
    instance.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: { code: 'NOT_FOUND' }, path: request.url }),
    );
    instance.get('/api/instance', () => ({ name: 'Ministère des Tests' }));
    instance.get('/healthz', () => ({ status: 'ok' }));
    await registerWebApp(instance, { distDir });
    await instance.ready();
    app = instance;
    return instance;
  }

  async function builtDist(): Promise<string> {
    const dist = path.join(root, 'dist');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), indexHtml);
    await writeFile(path.join(dist, 'assets', 'app-abc123.js'), appScript);
    await writeFile(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    return dist;
  }

  it('serves index.html at / without caching', async () => {
    const server = await start(await builtDist());
    const response = await server.inject({ method: 'GET', url: '/', headers: { accept: browserAccept } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toBe(indexHtml);
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const server = await start(await builtDist());
    const response = await server.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(appScript);
  });

  it('sends the build’s Brotli or gzip copy of an asset to a browser that accepts it', async () => {
    const dist = await builtDist();
    const script = path.join(dist, 'assets', 'app-abc123.js');
    await writeFile(`${script}.br`, brotliCompressSync(appScript));
    await writeFile(`${script}.gz`, gzipSync(appScript));
    const server = await start(dist);
    const asBrotli = await server.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(asBrotli.statusCode).toBe(200);
    expect(asBrotli.headers['content-encoding']).toBe('br');
    expect(asBrotli.headers['content-type']).toMatch(/javascript/);
    expect(asBrotli.headers['vary']).toMatch(/accept-encoding/i);
    expect(asBrotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(asBrotli.rawPayload).toString()).toBe(appScript);
    const asGzip = await server.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(asGzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(asGzip.rawPayload).toString()).toBe(appScript);
    const plain = await server.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(appScript);
  });

  it('serves the other build files with revalidation', async () => {
    const server = await start(await builtDist());
    const response = await server.inject({ method: 'GET', url: '/favicon.svg' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('serves index.html for a deep link asked for by a browser', async () => {
    const server = await start(await builtDist());
    const response = await server.inject({
      method: 'GET',
      url: '/some/deep/link?tab=2',
      headers: { accept: browserAccept },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toBe(indexHtml);
  });

  it('answers HEAD for a deep link', async () => {
    const server = await start(await builtDist());
    const response = await server.inject({ method: 'HEAD', url: '/some/deep/link', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe('');
  });

  it('leaves unknown API paths to the not-found handler, even for a browser', async () => {
    const server = await start(await builtDist());
    for (const url of ['/api/unknown', '/api', '/_matrix/client/versions', '/v1/models', '/readyz', '/metrics']) {
      const response = await server.inject({ method: 'GET', url, headers: { accept: browserAccept } });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toEqual({ error: { code: 'NOT_FOUND' }, path: url });
    }
  });

  it('leaves non-HTML requests and missing assets to the not-found handler', async () => {
    const server = await start(await builtDist());
    const json = await server.inject({
      method: 'GET',
      url: '/some/deep/link',
      headers: { accept: 'application/json' },
    });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const anything = await server.inject({ method: 'GET', url: '/some/deep/link', headers: { accept: '*/*' } });
    expect(anything.statusCode).toBe(404);
    const asset = await server.inject({
      method: 'GET',
      url: '/assets/gone-0000.js',
      headers: { accept: browserAccept },
    });
    expect(asset.statusCode).toBe(404);
    expect(asset.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('does not shadow the API routes', async () => {
    const server = await start(await builtDist());
    const response = await server.inject({ method: 'GET', url: '/api/instance', headers: { accept: browserAccept } });
    expect(response.json()).toEqual({ name: 'Ministère des Tests' });
    const health = await server.inject({ method: 'GET', url: '/healthz', headers: { accept: browserAccept } });
    expect(health.json()).toEqual({ status: 'ok' });
  });

  it('answers / with a "not built" page when the build is missing', async () => {
    const server = await start(path.join(root, 'missing-dist'));
    const response = await server.inject({ method: 'GET', url: '/', headers: { accept: browserAccept } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<html lang="fr">');
    expect(response.body).toContain('npm run build:web');
    expect(response.body).not.toContain('<script');
    expect(response.body).not.toContain('<style');
    const deepLink = await server.inject({ method: 'GET', url: '/some/deep/link', headers: { accept: browserAccept } });
    expect(deepLink.statusCode).toBe(404);
  });
});

describe('isWebAppPath', () => {
  it('accepts the pages of the web app', () => {
    for (const url of ['/', '/chat', '/documents/42?view=grid', '/apiary', '/healthzone', '/metrics-dashboard']) {
      expect(isWebAppPath(url), url).toBe(true);
    }
  });

  it('refuses the API, protocol, probe and build paths', () => {
    for (const url of [
      '/api',
      '/api/',
      '/api/unknown',
      '/_matrix/client/versions',
      '/v1/chat/completions',
      '/healthz',
      '/readyz?verbose=1',
      '/metrics',
      '/assets/app.js',
      '/.well-known/matrix/server',
      '/%61pi/encoded',
      '//evil.example',
      '/%E0%A4%A',
    ]) {
      expect(isWebAppPath(url), url).toBe(false);
    }
  });
});

describe('acceptsHtml', () => {
  it('recognises browsers navigating', () => {
    expect(acceptsHtml(browserAccept)).toBe(true);
    expect(acceptsHtml('TEXT/HTML')).toBe(true);
    expect(acceptsHtml('application/xhtml+xml;q=0.5')).toBe(true);
  });

  it('refuses other clients', () => {
    expect(acceptsHtml(undefined)).toBe(false);
    expect(acceptsHtml('*/*')).toBe(false);
    expect(acceptsHtml('application/json')).toBe(false);
    expect(acceptsHtml('text/html;q=0, application/json')).toBe(false);
  });
});
