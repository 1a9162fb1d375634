import { CommentsExtension } from '@blocknote/core/comments';
import { useBlockNoteEditor, useExtension } from '@blocknote/react';
import { TextSelection } from 'prosemirror-state';
import { useCallback } from 'react';
import { useMessages } from '../../../i18n.tsx';
import { docsMessages } from '../docs.messages.ts';
import { CommentComposer, type CommentBlocks } from './CommentComposer.tsx';
import { useEditorFeatures } from './editor-features.ts';

/**
 * The card under the selected text where a discussion starts (BlockNote's floating composer, drawn here:
 * its own creates editors that add <style> elements, which the CSP refuses). The server creates the thread
 * and marks the text, also for a commenter whose editor is read only.
 */
export function NewThreadCard() {
  const t = useMessages(docsMessages);
  const editor = useBlockNoteEditor();
  const comments = useExtension(CommentsExtension);
  const features = useEditorFeatures();

  const submit = useCallback(
    async (body: CommentBlocks) => {
      await comments.createThread({ initialComment: { body } });
      comments.stopPendingComment();
      // The selection collapses to its end, as after BlockNote's own composer.
      editor.transact((tr) => tr.setSelection(TextSelection.create(tr.doc, tr.selection.to)));
      features.onThreadCreated();
    },
    [comments, editor, features],
  );

  return (
    <div className="bureau-docs-thread bureau-docs-thread--floating">
      <CommentComposer
        label={t.newComment}
        submitLabel={t.comment}
        autoFocus
        canMention={features.canMention}
        onSubmit={submit}
        onCancel={() => {
          comments.stopPendingComment();
          editor.focus();
        }}
      />
    </div>
  );
}
