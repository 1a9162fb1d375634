import type { ServerBlockNoteEditor } from '@blocknote/server-util';

let loading: Promise<ServerBlockNoteEditor> | undefined;

/**
 * BlockNote's server editor, created at the first conversion rather than at boot: loading BlockNote,
 * ProseMirror and jsdom and creating the editor takes about a tenth of a second, and most requests
 * never convert anything. One editor serves the whole process (its conversions keep no state).
 */
export function blockNoteEditor(): Promise<ServerBlockNoteEditor> {
  loading ??= Promise.all([
    import('@blocknote/server-util'),
    import('@blocknote/core'),
    import('@blocknote/core/comments'),
  ])
    .then(([{ ServerBlockNoteEditor: Editor }, { createExtension }, { CommentMark }]) =>
      // The `comment` mark is part of a page's content (comments are anchored by it): an editor without it
      // would drop the commented text when reading the page.
      Editor.create({
        extensions: [createExtension(() => ({ key: 'bureauCommentMarks', tiptapExtensions: [CommentMark] }))()],
      }),
    )
    .catch((error: unknown) => {
      // A failed load (a missing package...) is retried at the next conversion instead of being cached.
      loading = undefined;
      throw error;
    });
  return loading;
}

let domQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `work`, which uses one of the editor's HTML or Markdown conversions, after every earlier one has
 * finished. Those conversions set the process's global `window` and `document` to jsdom's for their
 * duration and put the previous ones back when they end: two of them interleaved would leave jsdom's
 * globals in place for the rest of the process.
 */
export function withDomEditor<T>(work: (editor: ServerBlockNoteEditor) => Promise<T>): Promise<T> {
  const run = domQueue.then(async () => work(await blockNoteEditor()));
  domQueue = run.catch(() => undefined);
  return run;
}
