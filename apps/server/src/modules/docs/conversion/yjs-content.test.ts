import { docsFragmentName } from '@bureau/contracts';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { blocksFromMarkdown, outline, samplePageMarkdown } from './testing/fixtures.ts';
import { blocksToYDocUpdate, replaceFragmentContent, yDocToBlocks } from './yjs-content.ts';

function docFromUpdate(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

describe(blocksToYDocUpdate.name, () => {
  it('makes an update that recreates the blocks in the document-store fragment', async () => {
    const blocks = await blocksFromMarkdown(samplePageMarkdown);

    const doc = docFromUpdate(await blocksToYDocUpdate(blocks));

    expect(doc.getXmlFragment(docsFragmentName).length).toBeGreaterThan(0);
    expect(outline(await yDocToBlocks(doc))).toEqual(outline(blocks));
  });

  it('fills in what partial blocks leave out', async () => {
    const doc = docFromUpdate(await blocksToYDocUpdate([{ type: 'heading', content: 'Titre' }, { content: 'Texte' }]));

    const blocks = await yDocToBlocks(doc);

    expect(outline(blocks)).toEqual(['h1 Titre', 'p Texte']);
    expect(blocks[0]?.id).toEqual(expect.any(String));
  });
});

describe(yDocToBlocks.name, () => {
  it('reads an empty document as no blocks', async () => {
    expect(await yDocToBlocks(new Y.Doc())).toEqual([]);
  });
});

describe(replaceFragmentContent.name, () => {
  it('replaces a live document’s content in one transaction that other replicas apply as one update', async () => {
    const live = docFromUpdate(await blocksToYDocUpdate([{ type: 'paragraph', content: 'Version actuelle' }]));
    const replica = docFromUpdate(Y.encodeStateAsUpdate(live));
    const updates: Uint8Array[] = [];
    live.on('update', (update: Uint8Array) => updates.push(update));

    await replaceFragmentContent(live, [
      { type: 'heading', content: 'Version restaurée' },
      { type: 'bulletListItem', content: 'Point un' },
    ]);
    for (const update of updates) Y.applyUpdate(replica, update);

    expect(updates).toHaveLength(1);
    expect(outline(await yDocToBlocks(live))).toEqual(['h1 Version restaurée', '- Point un']);
    expect(outline(await yDocToBlocks(replica))).toEqual(['h1 Version restaurée', '- Point un']);
  });

  it('leaves the document untouched when a block is invalid', async () => {
    const live = docFromUpdate(await blocksToYDocUpdate([{ type: 'paragraph', content: 'Intact' }]));

    await expect(replaceFragmentContent(live, [{ type: 'inexistant' as 'paragraph', content: 'x' }])).rejects.toThrow();

    expect(outline(await yDocToBlocks(live))).toEqual(['p Intact']);
  });
});
