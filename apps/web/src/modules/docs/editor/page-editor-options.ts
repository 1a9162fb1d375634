import { CommentsExtension } from '@blocknote/core/comments';
import { en as blockNoteEn, fr as blockNoteFr } from '@blocknote/core/locales';
import type { Locale } from '../../../i18n.tsx';
import { docsFragmentName } from '../docs.api.ts';
import { cspSafeEditorOptions, renderCursor } from './EditorFrame.tsx';
import type { PageSession } from './page-session.ts';

type CommentsOptions = Parameters<typeof CommentsExtension>[0];

/**
 * What every live editor of a page is created with, whoever opens it (its editors, its readers, a
 * visitor following a public link): the page's Yjs fragment, the person's cursor, the tables' options
 * and the comments' mark, which are part of the content's schema (an editor that did not know the mark
 * would drop the commented text from its view).
 */
export function pageEditorOptions(input: {
  session: PageSession;
  locale: Locale;
  /** The editor's accessible name. */
  label: string;
  /** How the others see the person: their name and colour (cursor, list of people present). */
  user: { name: string; colour: string };
  threadStore: CommentsOptions['threadStore'];
  resolveUsers: CommentsOptions['resolveUsers'];
}) {
  return {
    dictionary: input.locale === 'fr' ? blockNoteFr : blockNoteEn,
    collaboration: {
      // BlockNote reads the provider's awareness only (the cursors and names of the others).
      provider: { awareness: input.session.provider.awareness ?? undefined },
      fragment: input.session.doc.getXmlFragment(docsFragmentName),
      user: { name: input.user.name, color: input.user.colour },
      renderCursor,
      showCursorLabels: 'activity' as const,
    },
    tables: { splitCells: true, cellBackgroundColor: true, cellTextColor: true, headers: true },
    domAttributes: {
      editor: { 'aria-label': input.label, role: 'textbox', 'aria-multiline': 'true' },
    },
    ...cspSafeEditorOptions,
    extensions: [
      ...cspSafeEditorOptions.extensions,
      CommentsExtension({ threadStore: input.threadStore, resolveUsers: input.resolveUsers }),
    ],
  };
}
