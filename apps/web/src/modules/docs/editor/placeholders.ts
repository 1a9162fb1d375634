import { createExtension } from '@blocknote/core';
import { Plugin, PluginKey } from 'prosemirror-state';
import { Decoration, DecorationSet } from 'prosemirror-view';

/** The blocks that have a placeholder of their own (BlockNote's dictionary names them). */
export const placeholderBlockTypes = [
  'heading',
  'toggleListItem',
  'bulletListItem',
  'numberedListItem',
  'checkListItem',
] as const;

/** A text as a CSS string (`"…"`), for `content: var(…)`. */
function cssString(text: string): string {
  return JSON.stringify(text);
}

const pluginKey = new PluginKey('bureau-docs-placeholders');

/**
 * BlockNote's placeholders ("Type '/' for commands", "Heading"…), CSP-safe. BlockNote's own extension
 * writes its rules into a `<style>` element, which the CSP refuses: it is disabled
 * (`disableExtensions: ['placeholder']`) and this one marks the same block, the empty one holding the
 * cursor (a decoration, as BlockNote does), and hands the texts to editor.css as CSS custom properties set
 * through the CSSOM (`content: var(--bureau-docs-placeholder…)`).
 */
export const cspSafePlaceholders = createExtension(({ editor }) => ({
  key: 'bureauDocsPlaceholders',
  mount: ({ dom }) => {
    const { placeholders } = editor.dictionary;
    const defaultText = placeholders.default;
    if (defaultText) dom.style.setProperty('--bureau-docs-placeholder', cssString(defaultText));
    for (const type of placeholderBlockTypes) {
      const text = placeholders[type];
      if (text) dom.style.setProperty(`--bureau-docs-placeholder-${type}`, cssString(text));
    }
  },
  prosemirrorPlugins: [
    new Plugin({
      key: pluginKey,
      props: {
        decorations: (state) => {
          const { selection } = state;
          if (!editor.isEditable || !selection.empty || selection.$from.parent.type.spec.code) return null;
          const { $anchor } = selection;
          if ($anchor.parent.content.size !== 0) return null;
          const before = $anchor.before();
          return DecorationSet.create(state.doc, [
            Decoration.node(before, before + $anchor.parent.nodeSize, { 'data-is-empty-and-focused': 'true' }),
          ]);
        },
      },
    }),
  ],
}));
