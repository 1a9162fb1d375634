import type { Block, BlockNoteEditor, PartialBlock } from '@blocknote/core';
import { TextSelection } from 'prosemirror-state';

/**
 * What Albert works on: the selection (its text as Markdown, and where it was), or the whole page. The
 * page keeps changing while Albert writes (others type): a selection is found again by its text before it
 * is replaced, and nothing is replaced if that text is gone.
 */
export type AlbertTarget =
  | { scope: 'page'; markdown: string }
  | {
      scope: 'selection';
      markdown: string;
      /** The selection's plain text and where it was, to find it again. */
      plain: string;
      from: number;
      to: number;
      /** The blocks it spans: « Insérer après » inserts after the last one. */
      blockIds: string[];
    };

function plainTextBetween(editor: BlockNoteEditor, from: number, to: number): string {
  const doc = editor.prosemirrorState.doc;
  if (from < 0 || to > doc.content.size || from > to) return '';
  return doc.textBetween(from, to, '\n');
}

/** The selection as Albert's target, or undefined when nothing (no text) is selected. */
export function selectionTarget(editor: BlockNoteEditor): AlbertTarget | undefined {
  const { from, to } = editor.prosemirrorState.selection;
  const plain = plainTextBetween(editor, from, to);
  if (plain.trim() === '') return undefined;
  let markdown = '';
  try {
    markdown = editor.blocksToMarkdownLossy(editor.getSelectionCutBlocks().blocks as PartialBlock[]).trim();
  } catch {
    // A selection BlockNote cannot cut (across a table): its plain text.
  }
  const blockIds = editor.getSelection()?.blocks.map((block) => block.id) ?? [editor.getTextCursorPosition().block.id];
  return { scope: 'selection', markdown: markdown || plain, plain, from, to, blockIds };
}

/** The whole page as Albert's target (its Markdown). */
export function pageTarget(editor: BlockNoteEditor): AlbertTarget {
  return { scope: 'page', markdown: editor.blocksToMarkdownLossy(editor.document).trim() };
}

/** Albert's text as blocks of the page. */
function blocksOf(editor: BlockNoteEditor, markdown: string): Block[] {
  return editor.tryParseMarkdownToBlocks(markdown);
}

/** Where the selection is now: the editor's own selection if it still holds the text, else where it was. */
function currentRange(editor: BlockNoteEditor, target: Extract<AlbertTarget, { scope: 'selection' }>) {
  const { from, to } = editor.prosemirrorState.selection;
  if (plainTextBetween(editor, from, to) === target.plain) return { from, to };
  if (plainTextBetween(editor, target.from, target.to) === target.plain) return { from: target.from, to: target.to };
  return undefined;
}

/**
 * Replaces the target by Albert's text (Markdown, inserted as blocks). One paragraph replaces the selected
 * text within its line; more blocks take the selection's place between what comes before and after it.
 * Returns false when the selected text is no longer in the page (someone changed it meanwhile).
 */
export function replaceTarget(editor: BlockNoteEditor, target: AlbertTarget, markdown: string): boolean {
  const blocks = blocksOf(editor, markdown);
  if (target.scope === 'page') {
    if (blocks.length > 0) editor.replaceBlocks(editor.document, blocks);
    return true;
  }
  const range = currentRange(editor, target);
  if (!range) return false;
  editor.focus();
  editor.transact((tr) => tr.setSelection(TextSelection.create(tr.doc, range.from, range.to)));
  const [first] = blocks;
  if (blocks.length === 1 && first?.type === 'paragraph' && Array.isArray(first.content)) {
    editor.insertInlineContent(first.content);
    return true;
  }
  editor.transact((tr) => tr.deleteSelection());
  if (blocks.length === 0) return true;
  const cursorBlock = editor.getTextCursorPosition().block;
  const isEmpty = Array.isArray(cursorBlock.content) && cursorBlock.content.length === 0;
  if (isEmpty) editor.replaceBlocks([cursorBlock], blocks);
  else editor.insertBlocks(blocks, cursorBlock, 'after');
  return true;
}

/** Inserts Albert's text (as blocks) after the selection's last block, or at the end of the page. */
export function insertAfterTarget(editor: BlockNoteEditor, target: AlbertTarget, markdown: string): void {
  const blocks = blocksOf(editor, markdown) as PartialBlock[];
  if (blocks.length === 0) return;
  const lastId = target.scope === 'selection' ? target.blockIds.at(-1) : undefined;
  const reference = (lastId ? editor.getBlock(lastId) : undefined) ?? editor.document.at(-1);
  const inserted = reference
    ? editor.insertBlocks(blocks, reference, 'after')
    : editor.replaceBlocks(editor.document, blocks).insertedBlocks;
  placeCursorAfter(editor, inserted);
}

/** The cursor at the end of what was inserted (the selection, and its toolbar, are gone). */
function placeCursorAfter(editor: BlockNoteEditor, inserted: readonly { id: string }[]): void {
  const last = inserted.at(-1);
  if (!last) return;
  try {
    editor.setTextCursorPosition(last, 'end');
  } catch {
    // A block without text (an image): the cursor stays where it was.
  }
}
