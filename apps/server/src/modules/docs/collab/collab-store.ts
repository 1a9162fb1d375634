import * as Y from 'yjs';
import type { Database } from '../../../platform/db/database.ts';
import type { IdGenerator } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { DocsPart, DocsRepository, DocsUpdateRow } from '../docs.repository.ts';

const documentNamePattern = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/discussions)?$/i;

/**
 * The Yjs documents of `/collab`, by name: `<page id>` is a page's content, `<page id>/discussions` its
 * comment threads (a document of their own, which visitors of a public link cannot open).
 */
export function parseCollabDocumentName(name: string): { documentId: string; part: DocsPart } | undefined {
  const match = documentNamePattern.exec(name);
  return match ? { documentId: match[1]!, part: match[2] ? 'discussions' : 'page' } : undefined;
}

/** The `/collab` name of a page's discussions. */
export function discussionsDocumentName(documentId: string): string {
  return `${documentId}/discussions`;
}

function keyOf(name: string): { documentId: string; part: DocsPart } {
  const key = parseCollabDocumentName(name);
  if (!key) throw new Error(`docs: not a collaboration document name: ${name}`);
  return key;
}

export interface CollabStoreDependencies {
  readonly database: Database;
  readonly repository: DocsRepository;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  readonly logger: Logger;
}

interface PendingAppend {
  readonly row: DocsUpdateRow;
  resolve(id: string): void;
  reject(error: unknown): void;
}

/**
 * Where the Yjs documents of pages live (each page's content and its discussions, named as in
 * `parseCollabDocumentName`): a compacted Yjs state (`docs_content`) plus the updates received since
 * (`docs_updates`), each written before the server acknowledges it to its sender, so that a kill -9
 * loses no acknowledged edit. Yjs updates commute and apply idempotently: the order of the rows does not
 * matter, and a row already covered by the compacted state is harmless.
 *
 * Appends arriving in the same turn of the event loop are written in one statement (group commit): under
 * load, one commit carries the keystrokes of many editors. Compaction writes the live document's state and
 * deletes the rows known to be applied to it, without merging updates (a merge of a long page's history
 * blocked the event loop for tens of milliseconds).
 */
export function createCollabStore(deps: CollabStoreDependencies) {
  const { database, repository } = deps;
  let pending: PendingAppend[] = [];
  let flushScheduled = false;
  /**
   * Per page, the stored updates this process knows are in its live document (applied after they were
   * stored, or read when it was loaded): compaction deletes exactly these, since the live state holds them.
   * An update stored but not yet applied stays for the next compaction.
   */
  const appliedIds = new Map<string, Set<string>>();

  let flushing: Promise<void> | undefined;

  /**
   * Writes what is pending, one statement at a time: while one insert is in flight, new updates gather and
   * go together in the next (group commit — under load, batches grow instead of commits queueing up).
   */
  function flush(): Promise<void> {
    flushScheduled = false;
    flushing ??= (async () => {
      try {
        while (pending.length > 0) {
          const batch = pending;
          pending = [];
          try {
            // One statement, atomic on its own: no explicit transaction (on PostgreSQL, two round trips fewer).
            await repository.insertUpdates(batch.map((entry) => entry.row));
            for (const entry of batch) entry.resolve(entry.row.id);
          } catch (error) {
            for (const entry of batch) entry.reject(error);
          }
        }
      } finally {
        flushing = undefined;
      }
    })();
    return flushing;
  }

  function appliedOf(name: string): Set<string> {
    let ids = appliedIds.get(name);
    if (!ids) {
      ids = new Set();
      appliedIds.set(name, ids);
    }
    return ids;
  }

  return {
    /**
     * Stores one update durably; resolves with its row id once committed. The update must have been
     * checked with `isValidUpdate` (a malformed row would make the page unreadable).
     */
    append(name: string, data: Uint8Array): Promise<string> {
      const { documentId, part } = keyOf(name);
      return new Promise<string>((resolve, reject) => {
        pending.push({
          row: { document_id: documentId, part, id: deps.newId(), data, created_at: deps.now().toISOString() },
          resolve,
          reject,
        });
        if (!flushScheduled && !flushing) {
          flushScheduled = true;
          setImmediate(() => void flush());
        }
      });
    },

    /** Records that stored updates are now in the page's live document. */
    markApplied(name: string, ids: Iterable<string>): void {
      const applied = appliedOf(name);
      for (const id of ids) applied.add(id);
    },

    /** How many stored updates of the page wait for compaction in this process. */
    appliedCount: (name: string) => appliedIds.get(name)?.size ?? 0,

    /** Forgets what this process knew of a page it unloaded. */
    forget(name: string): void {
      appliedIds.delete(name);
    },

    /**
     * Applies the page's stored content to `document` (empty for a new page). With `isLive`, the rows read
     * are recorded as applied (the live document of the collaboration server holds them).
     */
    async loadInto(name: string, document: Y.Doc, executor = database.executor, isLive = false): Promise<void> {
      const { documentId, part } = keyOf(name);
      const [content, updates] = await Promise.all([
        repository.findContent(documentId, part, executor),
        repository.listUpdates(documentId, part, executor),
      ]);
      const parts = [...(content ? [content.state] : []), ...updates.map((update) => update.data)];
      if (isLive)
        this.markApplied(
          name,
          updates.map((update) => update.id),
        );
      if (parts.length === 0) return;
      try {
        Y.applyUpdate(document, parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts));
      } catch (error) {
        // One bad row must not make the page unreadable: apply them one by one, skipping what fails.
        deps.logger.error(
          { err: error, documentId, part },
          'docs: stored content does not merge, applying it piecewise',
        );
        for (const part of parts) {
          try {
            Y.applyUpdate(document, part);
          } catch (partError) {
            deps.logger.error({ err: partError, documentId, part }, 'docs: a stored update was skipped');
          }
        }
      }
    },

    /**
     * A document's whole state as one Yjs update (a page's content for exports, versions, copies) without
     * loading an editor.
     */
    async stateOf(name: string, executor = database.executor): Promise<Uint8Array> {
      const document = new Y.Doc();
      try {
        await this.loadInto(name, document, executor);
        return Y.encodeStateAsUpdate(document);
      } finally {
        document.destroy();
      }
    },

    /**
     * Writes the live document's state as the page's compacted content and deletes the stored updates it
     * is known to hold, in one transaction. No merge: the live state already contains them.
     */
    async compact(name: string, liveState: Uint8Array): Promise<{ sizeBytes: number }> {
      const { documentId, part } = keyOf(name);
      const applied = [...appliedOf(name)];
      await database.transaction(async (context) => {
        await repository.upsertContent(
          {
            document_id: documentId,
            part,
            state: liveState,
            size_bytes: liveState.byteLength,
            updated_at: deps.now().toISOString(),
          },
          context.executor,
        );
        await repository.deleteUpdates(documentId, applied, context.executor);
      });
      const remaining = appliedOf(name);
      for (const id of applied) remaining.delete(id);
      return { sizeBytes: liveState.byteLength };
    },

    /** Replaces the page's content by a state (a new page from a template, an import, a copy). */
    async write(documentId: string, state: Uint8Array, executor = database.executor): Promise<void> {
      await repository.upsertContent(
        {
          document_id: documentId,
          part: 'page',
          state,
          size_bytes: state.byteLength,
          updated_at: deps.now().toISOString(),
        },
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
