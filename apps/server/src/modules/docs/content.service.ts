import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { docsFragmentName, docsLimits, type DocsExportFormat, type DocsVersion } from '@bureau/contracts';
import * as Y from 'yjs';
import type { AuditActor } from '../../platform/audit/audit-log.ts';
import type { Subject } from '../../platform/authz/subject.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Database } from '../../platform/db/database.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logging.ts';
import type { CollabServer } from './collab/collab-server.ts';
import type { CollabStore } from './collab/collab-store.ts';
import { appendFragment, fragmentText, replaceFragment } from './collab/fragment-text.ts';
import { withDomEditor } from './conversion/blocknote-editor.ts';
import type { DocsBlock } from './conversion/index.ts';
import { docsErrors } from './docs.errors.ts';
import type { DocsRepository, DocsVersionRow, VersionKind } from './docs.repository.ts';
import type { DocsService, DocsUser } from './docs.service.ts';

export interface ContentServiceDependencies {
  readonly database: Database;
  readonly repository: DocsRepository;
  readonly store: CollabStore;
  readonly docs: DocsService;
  readonly blobs: BlobStore;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly publicUrl: string;
  readonly displayNames: (userIds: readonly string[]) => Promise<Map<string, string>>;
}

/** An automatic version is kept when the last one is older than this, at a store of the page. */
const automaticVersionIntervalMs = 10 * 60_000;
const collabTokenLifetimeMs = 10 * 60_000;
const maxFileBytes = 20 * 1024 * 1024;
/** Types a browser may show inline from our origin without risk (no HTML, no SVG scripts). */
const inlineTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'application/pdf']);
const fileUrlPattern = /^\/api\/docs\/([0-9a-f-]{36})\/files\/([0-9a-f-]{36})$/i;

/** The converters load BlockNote's server editor (and jsdom): only when a page is converted. */
const conversion = () => import('./conversion/index.ts');

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function docWithFragmentOf(state: Uint8Array): Y.Doc {
  const document = new Y.Doc();
  Y.applyUpdate(document, state);
  return document;
}

/**
 * A page's content beyond the tree: what happens when it is stored (search, automatic versions), its
 * versions, the files inserted in it, collaboration tokens, exports and imports.
 */
export function createContentService(deps: ContentServiceDependencies) {
  const { repository, store } = deps;
  // Set once the collaboration server exists (it needs this service's callbacks).
  let collabServer: CollabServer | undefined;

  function collab(): CollabServer {
    if (!collabServer) throw new Error('docs: the collaboration server is not started');
    return collabServer;
  }

  async function requireRole(subject: Subject, id: string, ability: 'read' | 'edit') {
    const found = await deps.docs.readableDocument(subject, id);
    if (!deps.docs.abilitiesOf(found.role)[ability]) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
    if (ability === 'edit' && found.row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
    return found;
  }

  /**
   * The page's history is for signed-in readers: a visitor of a public link reads the page as it is now, not
   * what was removed before it was published, nor who wrote each version.
   */
  async function requireHistoryReader(subject: Subject, id: string) {
    if (subject.kind === 'anonymous') throw docsErrors.create('DOCS_VERSIONS_SIGN_IN_REQUIRED');
    return requireRole(subject, id, 'read');
  }

  async function presentVersions(rows: readonly Omit<DocsVersionRow, 'state'>[]): Promise<DocsVersion[]> {
    const names = await deps.displayNames(rows.map((row) => row.created_by).filter((id): id is string => id !== null));
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      kind: row.kind,
      createdAt: row.created_at,
      createdBy: row.created_by ? { id: row.created_by, displayName: names.get(row.created_by) ?? '—' } : null,
      sizeBytes: Number(row.size_bytes),
    }));
  }

  async function insertVersion(
    documentId: string,
    kind: VersionKind,
    name: string | null,
    state: Uint8Array,
    userId: string | null,
  ) {
    const row: DocsVersionRow = {
      id: deps.newId(),
      document_id: documentId,
      kind,
      name,
      state,
      size_bytes: state.byteLength,
      created_by: userId,
      created_at: deps.now().toISOString(),
    };
    await repository.insertVersion(row);
    return row;
  }

  async function blocksOfState(state: Uint8Array): Promise<DocsBlock[]> {
    const document = docWithFragmentOf(state);
    try {
      return await (await conversion()).yDocToBlocks(document);
    } finally {
      document.destroy();
    }
  }

  async function readFile(documentId: string, fileId: string) {
    const file = await repository.findFile(documentId, fileId);
    if (!file) return undefined;
    const { body } = await deps.blobs.get(file.blob_key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { data: new Uint8Array(Buffer.concat(chunks)), contentType: file.content_type };
  }

  async function storeFile(
    documentId: string,
    input: { fileName: string; contentType: string; data: Uint8Array },
    userId: string | null,
  ): Promise<{ id: string; url: string }> {
    if (input.data.byteLength > maxFileBytes) {
      throw docsErrors.create('DOCS_DOCUMENT_TOO_LARGE', { maxMegabytes: maxFileBytes / 1024 / 1024 });
    }
    const id = deps.newId();
    const key = `docs/${documentId}/${id}`;
    await deps.blobs.put(Readable.from([Buffer.from(input.data)]), {
      key,
      contentType: input.contentType,
      maxBytes: maxFileBytes,
    });
    await repository.insertFile({
      id,
      document_id: documentId,
      blob_key: key,
      file_name: input.fileName.slice(0, 255),
      content_type: input.contentType,
      size_bytes: input.data.byteLength,
      created_by: userId,
      created_at: deps.now().toISOString(),
    });
    return { id, url: `/api/docs/${documentId}/files/${id}` };
  }

  return {
    attachCollab(server: CollabServer) {
      collabServer = server;
    },

    /**
     * After the collaboration server stored a page: the page's date and author, its text in the search
     * index, and an automatic version when the last one is old enough.
     */
    async onStored(documentId: string, document: Y.Doc, userId: string | null): Promise<void> {
      const row = await repository.findDocument(documentId);
      if (!row || row.trashed_at) return;
      const at = deps.now().toISOString();
      const changes = { updated_at: at, ...(userId ? { updated_by: userId } : {}) };
      await repository.updateDocument(documentId, changes);
      await deps.docs.indexDocument({ ...row, ...changes }, fragmentText(document.getXmlFragment(docsFragmentName)));
      const latest = await repository.latestVersion(documentId);
      if (!latest || deps.now().getTime() - new Date(latest.created_at).getTime() >= automaticVersionIntervalMs) {
        await insertVersion(documentId, 'automatic', null, Y.encodeStateAsUpdate(document), userId);
      }
    },

    /** A token for a collaboration client without the session cookie (another program, a test). */
    async createCollabToken(subject: Subject, user: DocsUser, id: string) {
      await requireRole(subject, id, 'read');
      const token = `bdt_${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(deps.now().getTime() + collabTokenLifetimeMs).toISOString();
      await repository.deleteExpiredCollabTokens(deps.now().toISOString());
      await repository.insertCollabToken({
        token_hash: hashToken(token),
        user_id: user.id,
        document_id: id,
        expires_at: expiresAt,
      });
      const url = new URL('/collab', deps.publicUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return { token, expiresAt, url: url.toString(), fragment: docsFragmentName };
    },

    /** The user a collaboration token names for this page, while it holds. */
    async collabTokenUser(token: string, documentId: string): Promise<string | undefined> {
      const row = await repository.findCollabToken(hashToken(token));
      if (!row || row.document_id !== documentId) return undefined;
      if (new Date(row.expires_at).getTime() <= deps.now().getTime()) return undefined;
      return row.user_id;
    },

    async listVersions(subject: Subject, id: string, cursor?: string) {
      await requireHistoryReader(subject, id);
      let before: { at: string; id: string } | undefined;
      if (cursor) {
        try {
          before = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at: string; id: string };
        } catch {
          throw docsErrors.create('DOCS_CURSOR_INVALID');
        }
      }
      const rows = await repository.listVersions(id, { limit: 51, ...(before ? { before } : {}) });
      const page = rows.slice(0, 50);
      const last = page.at(-1);
      return {
        items: await presentVersions(page),
        nextCursor:
          rows.length > 50 && last
            ? Buffer.from(JSON.stringify({ at: last.created_at, id: last.id })).toString('base64url')
            : null,
      };
    },

    /** Names the page's current content as a version. */
    async createVersion(subject: Subject, id: string, name: string): Promise<DocsVersion> {
      await requireRole(subject, id, 'edit');
      const row = await insertVersion(id, 'named', name, await store.stateOf(id), subject.userId);
      const [presented] = await presentVersions([row]);
      return presented!;
    },

    async getVersion(subject: Subject, id: string, versionId: string) {
      await requireHistoryReader(subject, id);
      const row = await repository.findVersion(id, versionId);
      if (!row) throw docsErrors.create('DOCS_VERSION_NOT_FOUND');
      const [version] = await presentVersions([row]);
      return { version: version!, blocks: await blocksOfState(row.state) };
    },

    /**
     * Restores a version as a new state of the live page (every editor sees it at once); the content
     * before is kept as a version first, so a restore can be undone.
     */
    async restoreVersion(subject: Subject, id: string, versionId: string): Promise<DocsVersion> {
      await requireRole(subject, id, 'edit');
      const row = await repository.findVersion(id, versionId);
      if (!row) throw docsErrors.create('DOCS_VERSION_NOT_FOUND');
      const source = docWithFragmentOf(row.state);
      let before: DocsVersionRow | undefined;
      try {
        await collab().edit(id, (live) => {
          // The state just before, kept as a version (synchronously, inside the same transaction).
          const state = Y.encodeStateAsUpdate(live);
          before = {
            id: deps.newId(),
            document_id: id,
            kind: 'before-restore',
            name: null,
            state,
            size_bytes: state.byteLength,
            created_by: subject.userId,
            created_at: deps.now().toISOString(),
          };
          replaceFragment(live.getXmlFragment(docsFragmentName), source.getXmlFragment(docsFragmentName));
        });
      } finally {
        source.destroy();
      }
      await repository.insertVersion(before!);
      const [presented] = await presentVersions([before!]);
      return presented!;
    },

    /**
     * Appends Markdown at the end of the live page (an answer of Albert inserted from the assistant): every
     * editor sees it at once.
     */
    async appendMarkdown(subject: Subject, id: string, markdown: string): Promise<void> {
      await requireRole(subject, id, 'edit');
      const { blocksToYDocUpdate } = await conversion();
      // Not as an imported file: every block is kept, a leading heading included (no title taken out).
      const blocks = await withDomEditor((editor) => editor.tryParseMarkdownToBlocks(markdown));
      const source = docWithFragmentOf(await blocksToYDocUpdate(blocks));
      try {
        await collab().edit(id, (live) => {
          appendFragment(live.getXmlFragment(docsFragmentName), source.getXmlFragment(docsFragmentName));
        });
      } finally {
        source.destroy();
      }
    },

    async uploadFile(subject: Subject, id: string, input: { fileName: string; contentType: string; data: Uint8Array }) {
      await requireRole(subject, id, 'edit');
      const { url } = await storeFile(id, input, subject.userId);
      return { url };
    },

    /** A file of a page, for its readers: inline only for types that cannot run scripts. */
    async openFile(subject: Subject, id: string, fileId: string) {
      await requireRole(subject, id, 'read');
      const file = await repository.findFile(id, fileId);
      if (!file) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      const { body } = await deps.blobs.get(file.blob_key);
      return {
        body,
        contentType: file.content_type,
        fileName: file.file_name,
        sizeBytes: Number(file.size_bytes),
        isInline: inlineTypes.has(file.content_type),
      };
    },

    /** A page (or the pages below it too, as a zip) in an office or web format. */
    async exportDocument(subject: Subject, id: string, format: DocsExportFormat, withChildren: boolean) {
      const { row } = await requireRole(subject, id, 'read');
      const { exportBlocks, safeFileName, zipEntries } = await conversion();
      const exportOne = async (documentId: string, title: string) => {
        const blocks = await blocksOfState(await store.stateOf(documentId));
        return exportBlocks(blocks, format, {
          title: title || 'Sans titre',
          resolveFile: async (url: string) => {
            const match = fileUrlPattern.exec(url.replace(/^https?:\/\/[^/]+/, ''));
            if (!match || match[1] !== documentId) return undefined;
            return readFile(documentId, match[2]!);
          },
        });
      };
      if (!withChildren) {
        const exported = await exportOne(id, row.title);
        return { ...exported, fileName: safeFileName(row.title || 'Sans titre', exported.extension) };
      }
      const entries: { path: string; body: Uint8Array }[] = [];
      const walk = async (documentId: string, title: string, folder: string) => {
        const exported = await exportOne(documentId, title);
        entries.push({
          path: `${folder}${safeFileName(title || 'Sans titre', exported.extension)}`,
          body: exported.body,
        });
        let cursor: string | undefined;
        do {
          const page = await deps.docs.children(subject, documentId, cursor, 100);
          for (const child of page.items) {
            await walk(
              child.id,
              child.title,
              `${folder}${safeFileName(title || 'Sans titre', '').replace(/\.$/, '')}/`,
            );
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      };
      await walk(id, row.title, '');
      return {
        body: zipEntries(entries),
        contentType: 'application/zip',
        extension: 'zip',
        fileName: safeFileName(row.title || 'Sans titre', 'zip'),
      };
    },

    /** Creates a page from a Markdown, HTML, DOCX or ODT file (its images stored as the page's files). */
    async importFile(
      subject: Subject,
      user: DocsUser,
      input: { spaceId: string; parentId: string | null; fileName: string; contentType?: string; data: Uint8Array },
      actor: AuditActor,
    ) {
      if (input.data.byteLength > docsLimits.importMaxBytes) {
        throw docsErrors.create('DOCS_IMPORT_TOO_LARGE', { maxMegabytes: docsLimits.importMaxBytes / 1024 / 1024 });
      }
      const { importDocument, blocksToYDocUpdate } = await conversion();
      const imported = await importDocument(input.data, input.fileName, input.contentType);
      const title = (imported.title ?? input.fileName.replace(/\.[^.]+$/, '')).slice(0, docsLimits.titleMaxLength);
      const created = await deps.docs.createDocument(
        subject,
        user,
        { spaceId: input.spaceId, parentId: input.parentId, title },
        actor,
      );
      const urls = new Map<string, string>();
      for (const file of imported.files) {
        const stored = await storeFile(created.id, file, user.id);
        urls.set(`bureau-import:${file.id}`, stored.url);
      }
      const blocks = rewriteUrls(imported.blocks, urls);
      const state = await blocksToYDocUpdate(blocks);
      await store.write(created.id, state);
      const document = docWithFragmentOf(state);
      try {
        const row = await repository.findDocument(created.id);
        if (row) await deps.docs.indexDocument(row, fragmentText(document.getXmlFragment(docsFragmentName)));
      } finally {
        document.destroy();
      }
      return created;
    },
  };
}

/** Replaces `bureau-import:` URLs of imported images by the stored files' URLs. */
function rewriteUrls<T>(blocks: T, urls: ReadonlyMap<string, string>): T {
  if (urls.size === 0) return blocks;
  return JSON.parse(
    JSON.stringify(blocks, (_key, value: unknown) =>
      typeof value === 'string' && urls.has(value) ? urls.get(value) : value,
    ),
  ) as T;
}

export type ContentService = ReturnType<typeof createContentService>;
