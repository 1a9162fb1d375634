import { CommentsExtension } from '@blocknote/core/comments';
import { filterSuggestionItems } from '@blocknote/core/extensions';
import { BlockNoteView } from '@blocknote/mantine';
import {
  FloatingComposerController,
  FormattingToolbarController,
  getDefaultReactSlashMenuItems,
  SuggestionMenuController,
  useCreateBlockNote,
  useExtensionState,
} from '@blocknote/react';
import { useEffect, useId, useMemo, useState, type MouseEvent } from 'react';
import { useNavigate } from 'react-router';
import type { SensitivityLevel } from '../../../api/types.ts';
import { useLocale, useMessages } from '../../../i18n.tsx';
import { writingTasks, type WritingTask } from '../../assistant/assistant.api.ts';
import { ActionsMenu } from '../ActionsMenu.tsx';
import type { ConnectionState, Presence } from '../collab-state.ts';
import { resolveCommentAuthors, uploadDocumentFile } from '../docs.api.ts';
import { docsMessages } from '../docs.messages.ts';
import { AlbertDialog } from './AlbertDialog.tsx';
import { insertAfterTarget, pageTarget, replaceTarget, selectionTarget, type AlbertTarget } from './albert-edit.ts';
import { createThreadStore, visibleComments } from './comments.ts';
import { DiscussionsPanel } from './Discussions.tsx';
import { DocsFormattingToolbar } from './DocsFormattingToolbar.tsx';
import { DocumentLinkDialog } from './DocumentLinkDialog.tsx';
import { EditorFeaturesContext, type EditorFeatures } from './editor-features.ts';
import { dsfrEditorTheme } from './editor-theme.ts';
import { EditorFrame } from './EditorFrame.tsx';
import { NewThreadCard } from './NewThreadCard.tsx';
import { pageEditorOptions } from './page-editor-options.ts';
import { usePageSession, type PageSession } from './page-session.ts';

export interface CollaborativeEditorProps {
  documentId: string;
  /** Readers (and commenters) see the page live but do not change it; the server refuses their updates too. */
  canEdit: boolean;
  /** Commenters (and editors) start and answer discussions, also on a read-only page. */
  canComment: boolean;
  /** Albert on the selection or the page (agents who may edit). */
  canUseAlbert: boolean;
  /** « @ » in a comment searches the directory (agents). */
  canMention: boolean;
  /** The page's sensitivity label (which models Albert may use for it). */
  label: SensitivityLevel;
  /** A discussion to show (a notification's link, `?discussion=`). */
  discussionId?: string | undefined;
  /** The person, and how the others see them: their name and colour. */
  user: { id: string; name: string; colour: string };
  csrfToken: string | null;
  onConnectionChange: (state: ConnectionState) => void;
  onPresenceChange: (people: Presence[]) => void;
}

/**
 * A page edited by several people at once: a Yjs document kept in sync with the server by Hocuspocus
 * (the document's name is the page's id), shown and edited by BlockNote. Says how the connection goes
 * and who else is there; provider and document are destroyed when the page closes. Beside the text: its
 * discussions (comments anchored to pieces of it, with mentions), and Albert on the selection or the page.
 */
export function CollaborativeEditor(props: CollaborativeEditorProps) {
  const t = useMessages(docsMessages);
  const session = usePageSession(props.documentId, props, { withDiscussions: true });

  if (!session) return <p className="bureau-loading">{t.editorLoading}</p>;
  return <EditorView session={session} {...props} />;
}

interface AlbertRequest {
  task: WritingTask;
  target: AlbertTarget;
}

function EditorView(props: CollaborativeEditorProps & { session: PageSession }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const navigate = useNavigate();
  const panelId = useId();
  const [isLinking, setLinking] = useState(false);
  const [albert, setAlbert] = useState<AlbertRequest | undefined>();
  const [albertNotice, setAlbertNotice] = useState('');
  const [isPanelOpen, setPanelOpen] = useState(props.discussionId !== undefined);
  const { session, documentId, csrfToken, canEdit, canComment, discussionId } = props;
  const { id: userId, name: userName, colour: userColour } = props.user;

  // The page's discussions: read live from their Yjs document, written through the server (permissions).
  const threadStore = useMemo(
    () => createThreadStore({ documentId, discussions: session.discussions, userId, csrfToken, canEdit, canComment }),
    [documentId, session, userId, csrfToken, canEdit, canComment],
  );

  const editor = useCreateBlockNote(
    {
      ...pageEditorOptions({
        session,
        locale,
        label: t.editorLabel,
        user: { name: userName, colour: userColour },
        threadStore,
        resolveUsers: resolveCommentAuthors,
      }),
      uploadFile: (file: File) => uploadDocumentFile(documentId, file, csrfToken),
    },
    // A new editor for another page, person, role or language; the text itself lives in the Yjs document.
    [session, documentId, csrfToken, userName, userColour, locale, t.editorLabel, threadStore],
  );

  // Text with a discussion clicked, a discussion started, a notification's link: the discussions show.
  const selectedThreadId = useExtensionState(CommentsExtension, {
    editor,
    selector: (state) => state.selectedThreadId,
  });
  useEffect(() => {
    if (selectedThreadId) setPanelOpen(true);
  }, [selectedThreadId]);
  useEffect(() => {
    if (discussionId) setPanelOpen(true);
  }, [discussionId]);
  const openCount = useOpenThreadCount(threadStore);

  const features: EditorFeatures = {
    canComment,
    canMention: props.canMention,
    canUseAlbert: props.canUseAlbert,
    askAlbert: (task) => {
      const target = selectionTarget(editor);
      if (target) setAlbert({ task, target });
    },
    onThreadCreated: () => setPanelOpen(true),
  };

  const linkItem = {
    title: t.linkItemTitle,
    subtext: t.linkItemSubtext,
    aliases: t.linkItemAliases,
    group: t.linkItemGroup,
    icon: <span className="fr-icon-links-line fr-icon--sm" aria-hidden="true" />,
    onItemClick: () => setLinking(true),
  };

  /** Links to other pages open in the app (read only: an editable page's links open from the link toolbar). */
  function onClick(event: MouseEvent<HTMLDivElement>): void {
    if (props.canEdit || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href^="/documents/"]') : null;
    const href = link?.getAttribute('href');
    if (!href) return;
    event.preventDefault();
    void navigate(href);
  }

  function closeAlbert(): void {
    setAlbert(undefined);
    editor.focus();
  }

  return (
    <EditorFeaturesContext.Provider value={features}>
      <EditorFrame>
        <div className="bureau-docs-editor__toolbar" role="group" aria-label={t.pageTools}>
          {props.canUseAlbert && (
            <ActionsMenu
              label={t.albertOnPage}
              text={t.albertOnPage}
              actions={writingTasks.map((task) => ({
                label: t.albertTasksOnPage[task],
                icon: 'ri-robot-2-line',
                onSelect: () => {
                  const target = pageTarget(editor);
                  if (target.markdown) {
                    setAlbertNotice('');
                    setAlbert({ task, target });
                  } else setAlbertNotice(t.albertEmptyPage);
                },
              }))}
            />
          )}
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-discuss-line fr-btn--icon-left"
            aria-expanded={isPanelOpen}
            aria-controls={panelId}
            onClick={() => setPanelOpen((open) => !open)}
          >
            {t.discussionsButton(openCount)}
          </button>
          <p role="status" className="fr-text--sm fr-mb-0 bureau-docs-status">
            {albertNotice}
          </p>
        </div>
        <div className={`bureau-docs-editor__layout${isPanelOpen ? ' has-panel' : ''}`}>
          <div className="bureau-docs-editor__page" onClick={onClick}>
            <BlockNoteView
              editor={editor}
              editable={canEdit}
              theme={dsfrEditorTheme}
              slashMenu={false}
              formattingToolbar={false}
              comments={false}
            >
              <SuggestionMenuController
                triggerCharacter="/"
                getItems={(query) =>
                  Promise.resolve(filterSuggestionItems([...getDefaultReactSlashMenuItems(editor), linkItem], query))
                }
              />
              {(canEdit || canComment) && <FormattingToolbarController formattingToolbar={DocsFormattingToolbar} />}
              {canComment && <FloatingComposerController floatingComposer={NewThreadCard} />}
            </BlockNoteView>
          </div>
          {isPanelOpen && (
            <DiscussionsPanel
              id={panelId}
              editor={editor}
              userId={userId}
              canComment={canComment}
              canMention={props.canMention}
              discussionId={discussionId}
            />
          )}
        </div>
        {isLinking && (
          <DocumentLinkDialog
            excludeId={documentId}
            onClose={() => setLinking(false)}
            onChoose={(page) => {
              editor.insertInlineContent([{ type: 'link', href: `/documents/${page.id}`, content: page.title }, ' ']);
              setLinking(false);
            }}
          />
        )}
        {albert && (
          <AlbertDialog
            task={albert.task}
            scope={albert.target.scope}
            text={albert.target.markdown}
            documentId={documentId}
            label={props.label}
            csrfToken={csrfToken}
            onReplace={(markdown) => {
              if (!replaceTarget(editor, albert.target, markdown)) return t.albertSelectionGone;
              closeAlbert();
              return undefined;
            }}
            onInsertAfter={(markdown) => {
              insertAfterTarget(editor, albert.target, markdown);
              closeAlbert();
            }}
            onClose={closeAlbert}
          />
        )}
      </EditorFrame>
    </EditorFeaturesContext.Provider>
  );
}

type ThreadStore = ReturnType<typeof createThreadStore>;

function openCountOf(threads: ReturnType<ThreadStore['getThreads']>): number {
  return [...threads.values()].filter((thread) => !thread.resolved && visibleComments(thread).length > 0).length;
}

/** How many discussions of the page are open (for the button that shows them). */
function useOpenThreadCount(threadStore: ThreadStore): number {
  const [count, setCount] = useState(() => openCountOf(threadStore.getThreads()));
  useEffect(() => {
    setCount(openCountOf(threadStore.getThreads()));
    return threadStore.subscribe((threads) => setCount(openCountOf(threads)));
  }, [threadStore]);
  return count;
}
