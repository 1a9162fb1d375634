import { docsFragmentName } from '@bureau/contracts';
import * as Y from 'yjs';
import { blockNoteEditor } from './blocknote-editor.ts';
import type { DocsBlock, PartialDocsBlock } from './blocks.ts';

/** The blocks of a page's Yjs document (its `document-store` fragment). */
export async function yDocToBlocks(doc: Y.Doc): Promise<DocsBlock[]> {
  const editor = await blockNoteEditor();
  return editor.yXmlFragmentToBlocks(doc.getXmlFragment(docsFragmentName));
}

/** A Yjs update that creates a page holding `blocks`, to store as the first state of a new document. */
export async function blocksToYDocUpdate(blocks: readonly PartialDocsBlock[]): Promise<Uint8Array> {
  const editor = await blockNoteEditor();
  const doc = editor.blocksToYDoc([...blocks], docsFragmentName);
  try {
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * Replaces the whole content of a live page's fragment by `blocks`, in one Yjs transaction: connected
 * editors receive a single update (one undo step, one broadcast), never a page seen empty.
 */
export async function replaceFragmentContent(doc: Y.Doc, blocks: readonly PartialDocsBlock[]): Promise<void> {
  const editor = await blockNoteEditor();
  // BlockNote writes only full blocks into an existing fragment: a round through ProseMirror fills in the
  // ids and default props a partial block leaves out (and fails on an invalid block before anything changes).
  const fullBlocks = editor._prosemirrorJSONToBlocks(editor._blocksToProsemirrorNode([...blocks]).toJSON());
  const fragment = doc.getXmlFragment(docsFragmentName);
  doc.transact(() => {
    fragment.delete(0, fragment.length);
    editor.blocksToYXmlFragment(fullBlocks, fragment);
  });
}
