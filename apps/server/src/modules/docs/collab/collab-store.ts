import * as Y from 'yjs';
import type { Database } from '../../../platform/db/database.ts';
import type { IdGenerator } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { DocsRepository, DocsUpdateRow } from '../docs.repository.ts';

export interface CollabStoreDependencies {
  readonly database: Database;
  readonly repository: DocsRepository;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  readonly logger: Logger;
}

interface PendingAppend {
  readonly row: DocsUpdateRow;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Where the content of each page lives: a compacted Yjs state (`docs_content`) plus the updates received
 * since (`docs_updates`), each written before the server acknowledges it to its sender, so that a kill -9
 * loses no acknowledged edit. Yjs updates commute and apply idempotently: the order of the rows does not
 * matter, and a row already covered by the compacted state is harmless.
 *
 * Appends arriving in the same turn of the event loop are written in one transaction (group commit): under
 * load, one commit carries the keystrokes of many editors.
 */
export function createCollabStore(deps: CollabStoreDependencies) {
  const { database, repository } = deps;
  let pending: PendingAppend[] = [];
  let flushScheduled = false;
  /** Updates appended per page since its last compaction (this process's count). */
  const appendedSinceCompaction = new Map<string, number>();

  async function flush(): Promise<void> {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      await database.transaction(async (context) => {
        await repository.insertUpdates(
          batch.map((entry) => entry.row),
          context.executor,
        );
      });
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  return {
    /**
     * Stores one update durably; resolves once committed. The update must have been checked with
     * `isValidUpdate` (a malformed row would make the page unreadable).
     */
    append(documentId: string, data: Uint8Array): Promise<void> {
      appendedSinceCompaction.set(documentId, (appendedSinceCompaction.get(documentId) ?? 0) + 1);
      return new Promise<void>((resolve, reject) => {
        pending.push({
          row: { document_id: documentId, id: deps.newId(), data, created_at: deps.now().toISOString() },
          resolve,
          reject,
        });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(() => void flush());
        }
      });
    },

    /** How many updates this process stored for the page since it last compacted it. */
    appendedSinceCompaction: (documentId: string) => appendedSinceCompaction.get(documentId) ?? 0,

    /** Applies the page's stored content to `document` (empty for a new page). */
    async loadInto(documentId: string, document: Y.Doc, executor = database.executor): Promise<void> {
      const [content, updates] = await Promise.all([
        repository.findContent(documentId, executor),
        repository.listUpdates(documentId, executor),
      ]);
      const parts = [...(content ? [content.state] : []), ...updates.map((update) => update.data)];
      if (parts.length === 0) return;
      try {
        Y.applyUpdate(document, parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts));
      } catch (error) {
        // One bad row must not make the page unreadable: apply them one by one, skipping what fails.
        deps.logger.error({ err: error, documentId }, 'docs: stored content does not merge, applying it piecewise');
        for (const part of parts) {
          try {
            Y.applyUpdate(document, part);
          } catch (partError) {
            deps.logger.error({ err: partError, documentId }, 'docs: a stored update was skipped');
          }
        }
      }
    },

    /** The page's whole content as one Yjs update (for exports, versions, copies) without loading an editor. */
    async stateOf(documentId: string, executor = database.executor): Promise<Uint8Array> {
      const document = new Y.Doc();
      try {
        await this.loadInto(documentId, document, executor);
        return Y.encodeStateAsUpdate(document);
      } finally {
        document.destroy();
      }
    },

    /**
     * Folds the stored updates into the compacted state: the live document's state merged with every row
     * read (a row still in flight, stored but not yet applied, is kept by the merge), then those rows deleted.
     */
    async compact(documentId: string, liveState: Uint8Array | null): Promise<{ sizeBytes: number }> {
      appendedSinceCompaction.set(documentId, 0);
      return database.transaction(async (context) => {
        const [content, updates] = await Promise.all([
          repository.findContent(documentId, context.executor),
          repository.listUpdates(documentId, context.executor),
        ]);
        const parts = [
          ...(liveState ? [liveState] : content ? [content.state] : []),
          ...updates.map((update) => update.data),
        ];
        if (updates.length === 0 && liveState === null) return { sizeBytes: content?.size_bytes ?? 0 };
        const state = parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
        await repository.upsertContent(
          { document_id: documentId, state, size_bytes: state.byteLength, updated_at: deps.now().toISOString() },
          context.executor,
        );
        await repository.deleteUpdates(
          documentId,
          updates.map((update) => update.id),
          context.executor,
        );
        return { sizeBytes: state.byteLength };
      });
    },

    /** Replaces the page's content by a state (a new page from a template, an import, a copy). */
    async write(documentId: string, state: Uint8Array, executor = database.executor): Promise<void> {
      await repository.upsertContent(
        { document_id: documentId, state, size_bytes: state.byteLength, updated_at: deps.now().toISOString() },
        executor,
      );
    },

    /** Writes what is pending now (shutdown). */
    flush,
  };
}

export type CollabStore = ReturnType<typeof createCollabStore>;

/** Whether bytes are a well-formed Yjs update (decoding reads every struct without applying anything). */
export function isValidUpdate(data: Uint8Array): boolean {
  try {
    Y.decodeUpdate(data);
    return true;
  } catch {
    return false;
  }
}

/** An update that changes nothing (`Y.encodeStateAsUpdate` of an empty document: no structs, no deletions). */
export function isEmptyUpdate(data: Uint8Array): boolean {
  return data.byteLength <= 2 && data.every((byte) => byte === 0);
}
