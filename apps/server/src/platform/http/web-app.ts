import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
// Brings in the `schema.hide` option (keeps these routes out of the API docs).
import type {} from '@fastify/swagger';

/** Cache-Control of the content-hashed build files under `assets/`: they never change. */
const immutableCacheControl = 'public, max-age=31536000, immutable';
/** Cache-Control of everything else (index.html...): always revalidated, so a new build shows at once. */
const revalidateCacheControl = 'no-cache';

/** Paths the web app never answers: they belong to the APIs, the probes, or are build files. */
const reservedPrefixes = ['/api', '/_matrix', '/v1', '/healthz', '/readyz', '/metrics', '/assets', '/.well-known'];

/**
 * Whether `url` (a request URL, with or without query string) can be a page of the web app, whose
 * client-side router then shows it. API, Matrix, probe and metrics paths, and the build's `assets/`,
 * are not: an unknown one of those is a plain "not found".
 */
export function isWebAppPath(url: string): boolean {
  const rawPathname = url.split(/[?#]/, 1)[0] ?? '';
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPathname);
  } catch {
    return false;
  }
  if (!pathname.startsWith('/') || pathname.startsWith('//')) return false;
  return !reservedPrefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** Whether an Accept header asks for an HTML page (a browser navigating), not `*\/*` or JSON. */
export function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [mediaType = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (mediaType !== 'text/html' && mediaType !== 'application/xhtml+xml') return false;
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

/**
 * Serves the web app built in `distDir` (`apps/web/dist`) at `/`: the content-hashed `assets/*` with a
 * long immutable cache, `index.html` and the other files with `no-cache`. A GET or HEAD of any other
 * path that {@link isWebAppPath} accepts, from a client asking for HTML, gets `index.html` (the web app
 * routes on the client); everything else goes to the application's not-found handler, which this
 * plugin leaves alone. When the web app has not been built, only `/` answers, with a page saying so.
 *
 * Decorates replies with `sendFile` (@fastify/static): register it once per Fastify instance.
 */
export async function registerWebApp(app: FastifyInstance, options: { distDir: string }): Promise<void> {
  const distDir = path.resolve(options.distDir);
  if (!existsSync(path.join(distDir, 'index.html'))) {
    app.log.warn({ distDir }, 'The web app has not been built: run "npm run build:web".');
    app.route({
      method: ['GET', 'HEAD'],
      url: '/',
      schema: { hide: true },
      handler: (_request, reply) =>
        reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(notBuiltPage),
    });
    return;
  }

  const assetsDir = path.join(distDir, 'assets') + path.sep;
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    // One route per file of the build (found at start-up), so that the fallback below can own `/*`.
    wildcard: false,
    decorateReply: true,
    index: ['index.html'],
    dotfiles: 'ignore',
    // The build writes `.br` and `.gz` copies (apps/web/build/precompress.ts): sent to browsers that accept
    // them, with no compression work per request.
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, filePath) => {
      reply.header('cache-control', filePath.startsWith(assetsDir) ? immutableCacheControl : revalidateCacheControl);
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: { hide: true },
    handler: (request, reply) => {
      if (!isWebAppPath(request.url) || !acceptsHtml(request.headers.accept)) return reply.callNotFound();
      return reply.sendFile('index.html');
    },
  });
}

/** Shown at `/` when `apps/web/dist` is missing. No script and no style: the CSP allows neither inline. */
const notBuiltPage = `<!doctype html>
<html lang="fr">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Bureau – application web non construite</title>
  </head>
  <body>
    <main>
      <h1>Bureau</h1>
      <p>Le serveur fonctionne, mais l’application web n’a pas encore été construite.</p>
      <p>Depuis la racine du dépôt, lancez <code>npm run build:web</code>, puis redémarrez le serveur.</p>
      <p>En attendant, l’API répond : <a href="/api/reference">documentation de l’API</a>, <a href="/healthz">état de santé</a>.</p>
    </main>
  </body>
</html>
`;
