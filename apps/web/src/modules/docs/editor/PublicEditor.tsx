import { BlockNoteView } from '@blocknote/mantine';
import { useCreateBlockNote } from '@blocknote/react';
import { useMemo } from 'react';
import { useLocale, useMessages } from '../../../i18n.tsx';
import type { ConnectionState } from '../collab-state.ts';
import { docsMessages } from '../docs.messages.ts';
import { visitorColour } from '../user-colour.ts';
import { createThreadStore } from './comments.ts';
import { dsfrEditorTheme } from './editor-theme.ts';
import { EditorFrame } from './EditorFrame.tsx';
import { pageEditorOptions } from './page-editor-options.ts';
import { usePageSession, type PageSession } from './page-session.ts';

export interface PublicEditorProps {
  documentId: string;
  onConnectionChange: (state: ConnectionState) => void;
}

/**
 * A page as a visitor following its public link reads it: live (the `/collab` connection of someone not
 * signed in is read only), and nothing else — no toolbar, menu, discussion or Albert. The others see the
 * visitor as « Visiteur ».
 */
export function PublicEditor(props: PublicEditorProps) {
  const t = useMessages(docsMessages);
  // A visitor may not open the page's discussions: the server gives them to signed-in readers only.
  const session = usePageSession(props.documentId, props, { withDiscussions: false });
  if (!session) return <p className="bureau-loading">{t.editorLoading}</p>;
  return <PublicEditorView documentId={props.documentId} session={session} />;
}

/** A visitor sees no discussion: there is nobody to name their authors to. */
function noAuthors(): Promise<[]> {
  return Promise.resolve([]);
}

function PublicEditorView({ documentId, session }: { documentId: string; session: PageSession }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  // The comments' mark is part of the content: the editor knows it, through a store that can do nothing.
  const threadStore = useMemo(
    () =>
      createThreadStore({
        documentId,
        discussions: session.discussions,
        userId: '',
        csrfToken: null,
        canEdit: false,
        canComment: false,
      }),
    [documentId, session],
  );
  const editor = useCreateBlockNote(
    pageEditorOptions({
      session,
      locale,
      label: t.editorLabel,
      user: { name: t.visitor, colour: visitorColour },
      threadStore,
      resolveUsers: noAuthors,
    }),
    [session, locale, t.editorLabel, t.visitor, threadStore],
  );
  return (
    <EditorFrame>
      <div className="bureau-docs-editor__page bureau-docs-editor__page--public">
        <BlockNoteView
          editor={editor}
          editable={false}
          theme={dsfrEditorTheme}
          formattingToolbar={false}
          linkToolbar={false}
          slashMenu={false}
          sideMenu={false}
          filePanel={false}
          tableHandles={false}
          emojiPicker={false}
          comments={false}
        />
      </div>
    </EditorFrame>
  );
}
