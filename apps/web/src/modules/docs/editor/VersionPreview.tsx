import { BlockNoteEditor, type PartialBlock } from '@blocknote/core';
import { en as blockNoteEn, fr as blockNoteFr } from '@blocknote/core/locales';
import { BlockNoteView } from '@blocknote/mantine';
import { useMemo } from 'react';
import { useLocale, useMessages } from '../../../i18n.tsx';
import { docsMessages } from '../docs.messages.ts';
import { dsfrEditorTheme } from './editor-theme.ts';
import { EditorFrame, cspSafeEditorOptions } from './EditorFrame.tsx';

/** A version of a page, read only: its BlockNote blocks in the same view as the page's editor. */
export function VersionPreview({ blocks }: { blocks: unknown[] }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const editor = useMemo(() => {
    if (blocks.length === 0) return null;
    try {
      return BlockNoteEditor.create({
        dictionary: locale === 'fr' ? blockNoteFr : blockNoteEn,
        initialContent: blocks as PartialBlock[],
        domAttributes: { editor: { 'aria-label': t.editorLabel } },
        ...cspSafeEditorOptions,
      });
    } catch {
      // Blocks this editor cannot read (a newer schema, damaged content): said rather than crashing.
      return undefined;
    }
  }, [blocks, locale, t.editorLabel]);
  if (editor === null) return <p>{t.emptyVersion}</p>;
  if (editor === undefined) return <p>{t.versionUnreadable}</p>;
  return (
    <EditorFrame>
      <BlockNoteView editor={editor} editable={false} theme={dsfrEditorTheme} />
    </EditorFrame>
  );
}
