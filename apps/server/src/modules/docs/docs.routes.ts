import {
  appendMarkdownRequestSchema,
  createDocumentRequestSchema,
  createSpaceRequestSchema,
  createVersionRequestSchema,
  docsLimits,
  docsShareRequestSchema,
  duplicateDocumentRequestSchema,
  exportDocumentQuerySchema,
  moveDocumentRequestSchema,
  setTemplateRequestSchema,
  updateDocumentRequestSchema,
  updateSpaceRequestSchema,
} from '@bureau/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Subject } from '../../platform/authz/subject.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import { actorOf, identityErrors, requireAuthentication } from '../identity/index.ts';
import type { ContentService } from './content.service.ts';
import type { DocsService, DocsUser } from './docs.service.ts';

export interface DocsRoutesDependencies {
  readonly docs: DocsService;
  readonly content: ContentService;
  readonly subjectOf: (request: FastifyRequest) => Promise<Subject>;
  /** Deletes blobs of pages deleted for good (after the commit). */
  readonly deleteBlobs: (keys: readonly string[]) => Promise<void>;
}

const hidden = { schema: { hide: true } };
const idParams = z.object({ id: z.uuid() });
const grantParams = z.object({ id: z.uuid(), grantId: z.uuid() });
const pageQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(docsLimits.pageMax).optional(),
});
const treeQuery = pageQuery.extend({ parentId: z.uuid().optional() });
const importQuery = z.object({
  spaceId: z.uuid(),
  parentId: z.uuid().optional(),
  name: z.string().trim().min(1).max(255),
});
const fileQuery = z.object({ name: z.string().trim().min(1).max(255) });
const maxFileBytes = 20 * 1024 * 1024;

function docsUserOf(request: FastifyRequest): DocsUser {
  const { user } = requireAuthentication(request);
  return {
    id: user.id,
    displayName: user.display_name,
    organisationId: user.organisation_id,
    kind: user.kind === 'external' ? 'external' : 'agent',
  };
}

function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** The documents API (`/api/docs`); the real-time editing socket is `/collab` (collab-server.ts). */
export async function registerDocsRoutes(http: HttpServer, deps: DocsRoutesDependencies): Promise<void> {
  const { docs, content } = deps;

  // Programs' API keys act only within their scopes: `docs:read` to read, `docs:write` to change (and read).
  http.addHook('preHandler', (request, _reply, done) => {
    if (!request.url.startsWith('/api/docs')) return done();
    const credential = request.auth?.credential;
    if (credential?.kind !== 'api-key') return done();
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    const allowed = isRead
      ? credential.scopes.includes('docs:read') || credential.scopes.includes('docs:write')
      : credential.scopes.includes('docs:write');
    done(
      allowed
        ? undefined
        : identityErrors.create('IDENTITY_SCOPE_MISSING', { scope: isRead ? 'docs:read' : 'docs:write' }),
    );
  });

  // --- spaces ---
  http.get('/api/docs/spaces', hidden, async (request) => {
    const user = docsUserOf(request);
    await docs.ensurePersonalSpace(user, actorOf(request));
    return { items: await docs.listSpaces(await deps.subjectOf(request)) };
  });

  http.post('/api/docs/spaces', hidden, async (request, reply) => {
    const user = docsUserOf(request);
    const body = createSpaceRequestSchema.parse(request.body);
    const space = await docs.createSpace(await deps.subjectOf(request), user, body, actorOf(request));
    return reply.code(201).send(space);
  });

  http.get('/api/docs/spaces/:id', hidden, async (request) => {
    const { id } = idParams.parse(request.params);
    return docs.getSpace(await deps.subjectOf(request), id);
  });

  http.patch('/api/docs/spaces/:id', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const body = updateSpaceRequestSchema.parse(request.body);
    return docs.updateSpace(await deps.subjectOf(request), id, body, actorOf(request));
  });

  http.delete('/api/docs/spaces/:id', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    await deps.deleteBlobs(await docs.deleteSpace(await deps.subjectOf(request), id));
    return reply.code(204).send();
  });

  http.get('/api/docs/spaces/:id/documents', hidden, async (request) => {
    const { id } = idParams.parse(request.params);
    const query = treeQuery.parse(request.query);
    return docs.listTree(await deps.subjectOf(request), id, query.parentId ?? null, query.cursor, query.limit);
  });

  http.get('/api/docs/spaces/:id/shares', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    return { items: await docs.spaceShares(await deps.subjectOf(request), id) };
  });

  http.post('/api/docs/spaces/:id/shares', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const body = docsShareRequestSchema.parse(request.body);
    return reply.code(201).send(await docs.shareSpace(await deps.subjectOf(request), id, body, actorOf(request)));
  });

  http.delete('/api/docs/spaces/:id/shares/:grantId', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id, grantId } = grantParams.parse(request.params);
    await docs.unshareSpace(await deps.subjectOf(request), id, grantId, actorOf(request));
    return reply.code(204).send();
  });

  // --- lists of the user ---
  http.get('/api/docs/favourites', hidden, async (request) => {
    requireAuthentication(request);
    const query = pageQuery.parse(request.query);
    return docs.listFavourites(await deps.subjectOf(request), query.cursor, query.limit);
  });

  http.get('/api/docs/recent', hidden, async (request) => {
    requireAuthentication(request);
    const query = pageQuery.parse(request.query);
    return docs.listRecent(await deps.subjectOf(request), query.cursor, query.limit);
  });

  http.get('/api/docs/templates', hidden, async (request) => {
    requireAuthentication(request);
    const { spaceId } = z.object({ spaceId: z.uuid().optional() }).parse(request.query);
    return { items: await docs.listTemplates(await deps.subjectOf(request), spaceId ?? null) };
  });

  http.put('/api/docs/:id/template', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const { scope } = setTemplateRequestSchema.parse(request.body);
    return docs.setTemplate(await deps.subjectOf(request), id, scope, actorOf(request));
  });

  http.get('/api/docs/trash', hidden, async (request) => {
    requireAuthentication(request);
    const query = pageQuery.parse(request.query);
    return docs.listTrash(await deps.subjectOf(request), query.cursor, query.limit);
  });

  // --- documents ---
  http.post('/api/docs', hidden, async (request, reply) => {
    const user = docsUserOf(request);
    const body = createDocumentRequestSchema.parse(request.body);
    const subject = await deps.subjectOf(request);
    const created = await docs.createDocument(
      subject,
      user,
      {
        spaceId: body.spaceId,
        parentId: body.parentId ?? null,
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.templateId ? { templateId: body.templateId } : {}),
      },
      actorOf(request),
    );
    return reply.code(201).send(created);
  });

  http.get('/api/docs/:id', hidden, async (request) => {
    const { id } = idParams.parse(request.params);
    return docs.getDocument(await deps.subjectOf(request), id);
  });

  http.patch('/api/docs/:id', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const body = updateDocumentRequestSchema.parse(request.body);
    return docs.renameDocument(await deps.subjectOf(request), id, body.title, actorOf(request));
  });

  http.delete('/api/docs/:id', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    await docs.trashDocument(await deps.subjectOf(request), id);
    return reply.code(204).send();
  });

  http.post('/api/docs/:id/restore', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    return docs.restoreDocument(await deps.subjectOf(request), id);
  });

  http.delete('/api/docs/:id/permanently', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const blobKeys = await docs.deletePermanently(await deps.subjectOf(request), id);
    await deps.deleteBlobs(blobKeys);
    return reply.code(204).send();
  });

  http.get('/api/docs/:id/children', hidden, async (request) => {
    const { id } = idParams.parse(request.params);
    const query = pageQuery.parse(request.query);
    return docs.children(await deps.subjectOf(request), id, query.cursor, query.limit);
  });

  http.post('/api/docs/:id/move', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const body = moveDocumentRequestSchema.parse(request.body);
    return docs.moveDocument(await deps.subjectOf(request), id, body, actorOf(request));
  });

  http.post('/api/docs/:id/duplicate', hidden, async (request, reply) => {
    const user = docsUserOf(request);
    const { id } = idParams.parse(request.params);
    const body = duplicateDocumentRequestSchema.parse(request.body ?? {});
    const copy = await docs.duplicateDocument(
      await deps.subjectOf(request),
      user,
      id,
      body.withChildren,
      actorOf(request),
    );
    return reply.code(201).send(copy);
  });

  http.get('/api/docs/:id/shares', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    return { items: await docs.documentShares(await deps.subjectOf(request), id) };
  });

  http.post('/api/docs/:id/shares', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const body = docsShareRequestSchema.parse(request.body);
    return reply.code(201).send(await docs.shareDocument(await deps.subjectOf(request), id, body, actorOf(request)));
  });

  http.delete('/api/docs/:id/shares/:grantId', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id, grantId } = grantParams.parse(request.params);
    await docs.unshareDocument(await deps.subjectOf(request), id, grantId, actorOf(request));
    return reply.code(204).send();
  });

  http.put('/api/docs/:id/favourite', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    await docs.setFavourite(await deps.subjectOf(request), id, true);
    return reply.code(204).send();
  });

  http.delete('/api/docs/:id/favourite', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    await docs.setFavourite(await deps.subjectOf(request), id, false);
    return reply.code(204).send();
  });

  http.post('/api/docs/:id/collab-token', hidden, async (request) => {
    const user = docsUserOf(request);
    const { id } = idParams.parse(request.params);
    return content.createCollabToken(await deps.subjectOf(request), user, id);
  });

  http.post('/api/docs/:id/append', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const { markdown } = appendMarkdownRequestSchema.parse(request.body);
    await content.appendMarkdown(await deps.subjectOf(request), id, markdown);
    return reply.code(204).send();
  });

  // --- versions ---
  http.get('/api/docs/:id/versions', hidden, async (request) => {
    const { id } = idParams.parse(request.params);
    const query = pageQuery.parse(request.query);
    return content.listVersions(await deps.subjectOf(request), id, query.cursor);
  });

  http.post('/api/docs/:id/versions', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = idParams.parse(request.params);
    const body = createVersionRequestSchema.parse(request.body);
    return reply.code(201).send(await content.createVersion(await deps.subjectOf(request), id, body.name));
  });

  http.get('/api/docs/:id/versions/:versionId', hidden, async (request) => {
    const { id, versionId } = z.object({ id: z.uuid(), versionId: z.uuid() }).parse(request.params);
    return content.getVersion(await deps.subjectOf(request), id, versionId);
  });

  http.post('/api/docs/:id/versions/:versionId/restore', hidden, async (request) => {
    requireAuthentication(request);
    const { id, versionId } = z.object({ id: z.uuid(), versionId: z.uuid() }).parse(request.params);
    return content.restoreVersion(await deps.subjectOf(request), id, versionId);
  });

  // --- files, export ---
  http.get('/api/docs/:id/files/:fileId', hidden, async (request, reply) => {
    const { id, fileId } = z.object({ id: z.uuid(), fileId: z.uuid() }).parse(request.params);
    const file = await content.openFile(await deps.subjectOf(request), id, fileId);
    return reply
      .header('content-type', file.contentType)
      .header('content-length', file.sizeBytes)
      .header('content-disposition', contentDisposition(file.isInline ? 'inline' : 'attachment', file.fileName))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, max-age=3600')
      .send(file.body);
  });

  http.get('/api/docs/:id/export', hidden, async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const query = exportDocumentQuerySchema.parse(request.query);
    const exported = await content.exportDocument(await deps.subjectOf(request), id, query.format, query.withChildren);
    return reply
      .header('content-type', exported.contentType)
      .header('content-disposition', contentDisposition('attachment', exported.fileName))
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(exported.body));
  });

  // Raw bodies: a file as it is (its name in `?name=`, as the Matrix media API does).
  await http.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: docsLimits.importMaxBytes + 1 },
      (_request, body, parsed) => parsed(null, body),
    );

    scope.post('/api/docs/import', { ...hidden, bodyLimit: docsLimits.importMaxBytes + 1 }, async (request, reply) => {
      const user = docsUserOf(request);
      const query = importQuery.parse(request.query);
      const bytes = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
      const contentType = request.headers['content-type'];
      const created = await content.importFile(
        await deps.subjectOf(request),
        user,
        {
          spaceId: query.spaceId,
          parentId: query.parentId ?? null,
          fileName: query.name,
          ...(contentType ? { contentType } : {}),
          data: Uint8Array.from(bytes),
        },
        actorOf(request),
      );
      return reply.code(201).send(created);
    });

    scope.post('/api/docs/:id/files', { ...hidden, bodyLimit: maxFileBytes + 1 }, async (request, reply) => {
      requireAuthentication(request);
      const { id } = idParams.parse(request.params);
      const { name } = fileQuery.parse(request.query);
      const bytes = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
      const contentType = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
      const stored = await content.uploadFile(await deps.subjectOf(request), id, {
        fileName: name,
        contentType,
        data: Uint8Array.from(bytes),
      });
      return reply.code(201).send(stored);
    });
    done();
  });
}
