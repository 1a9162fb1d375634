import type { PartialBlock } from '@blocknote/core';
import { en as blockNoteEn, fr as blockNoteFr } from '@blocknote/core/locales';
import { BlockNoteView } from '@blocknote/mantine';
import { SuggestionMenuController, useCreateBlockNote, useEditorState } from '@blocknote/react';
import { useCallback, useEffect, useId, useState } from 'react';
import { api } from '../../../api/client.ts';
import type { DirectoryEntry, Page } from '../../../api/types.ts';
import { useLocale, useMessages } from '../../../i18n.tsx';
import { docsMessages } from '../docs.messages.ts';
import { commentSchema, mentionHref } from './comments.ts';
import { dsfrEditorTheme } from './editor-theme.ts';
import { cspSafeEditorOptions } from './EditorFrame.tsx';

/** The blocks of a comment, as its editor holds them and the thread store sends them. */
export type CommentBlocks = PartialBlock<typeof commentSchema.blockSchema>[];

/**
 * A comment being written (a new discussion, a reply) or changed: a small BlockNote editor (paragraphs,
 * bold, italic, links) where « @ » offers people of the directory and inserts a link to their card, which
 * the server turns into a notification for them. Ctrl+Enter (⌘+Enter) sends it.
 */
export function CommentComposer(props: {
  /** The field's accessible name and visible label. */
  label: string;
  submitLabel: string;
  initialBody?: CommentBlocks;
  autoFocus?: boolean;
  /** Whether « @ » searches the directory (agents; external partners cannot browse it). */
  canMention: boolean;
  /** Sends the comment; rejects when it could not be saved (the text stays). */
  onSubmit: (body: CommentBlocks) => Promise<void>;
  onCancel?: () => void;
}) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const labelId = useId();
  const hintId = useId();
  const [isPending, setPending] = useState(false);
  const [hasFailed, setFailed] = useState(false);
  const dictionary = locale === 'fr' ? blockNoteFr : blockNoteEn;

  const editor = useCreateBlockNote(
    {
      schema: commentSchema,
      trailingBlock: false,
      dictionary: { ...dictionary, placeholders: { ...dictionary.placeholders, default: t.commentPlaceholder } },
      ...(props.initialBody && props.initialBody.length > 0 ? { initialContent: props.initialBody } : {}),
      domAttributes: {
        editor: {
          'aria-labelledby': labelId,
          'aria-describedby': hintId,
          role: 'textbox',
          'aria-multiline': 'true',
        },
      },
      ...cspSafeEditorOptions,
    },
    [locale],
  );
  const isEmpty = useEditorState({ editor, selector: ({ editor: current }) => current.isEmpty });
  const { autoFocus, onSubmit, canMention } = props;

  useEffect(() => {
    if (autoFocus) editor.focus();
  }, [autoFocus, editor]);

  const submit = useCallback(async () => {
    if (editor.isEmpty || isPending) return;
    setPending(true);
    setFailed(false);
    try {
      await onSubmit(editor.document);
      editor.removeBlocks(editor.document);
    } catch {
      setFailed(true);
    } finally {
      setPending(false);
    }
  }, [editor, isPending, onSubmit]);

  const getPeople = useCallback(
    async (query: string) => {
      if (!canMention) return [];
      const people = await api<Page<DirectoryEntry>>('/api/directory/users', {
        query: { search: query.trim(), limit: 8 },
      });
      return people.items.map((person) => ({
        title: person.displayName,
        subtext: person.email,
        icon: <span className="fr-icon-user-line fr-icon--sm" aria-hidden="true" />,
        onItemClick: () =>
          editor.insertInlineContent([
            { type: 'link', href: mentionHref(person.id), content: `@${person.displayName}` },
            ' ',
          ]),
      }));
    },
    [canMention, editor],
  );

  return (
    <div
      className="bureau-docs-composer"
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void submit();
        }
      }}
    >
      <p id={labelId} className="fr-label fr-text--sm fr-mb-1v">
        {props.label}
      </p>
      <p id={hintId} className="fr-hint-text fr-mb-1v">
        {canMention ? t.commentHintMentions : t.commentHint}
      </p>
      <div className="bureau-docs-composer__field">
        <BlockNoteView
          editor={editor}
          theme={dsfrEditorTheme}
          sideMenu={false}
          slashMenu={false}
          formattingToolbar={false}
          linkToolbar={false}
          filePanel={false}
          tableHandles={false}
          emojiPicker={false}
          comments={false}
        >
          {canMention && <SuggestionMenuController triggerCharacter="@" getItems={getPeople} />}
        </BlockNoteView>
      </div>
      {hasFailed && (
        <p className="fr-message fr-message--error fr-mt-1v" role="alert">
          {t.commentFailed}
        </p>
      )}
      <div className="bureau-docs-composer__actions">
        {props.onCancel && (
          <button type="button" className="fr-btn fr-btn--sm fr-btn--tertiary" onClick={props.onCancel}>
            {t.cancel}
          </button>
        )}
        <button
          type="button"
          className="fr-btn fr-btn--sm"
          disabled={isEmpty || isPending}
          onClick={() => void submit()}
        >
          {props.submitLabel}
        </button>
      </div>
    </div>
  );
}
