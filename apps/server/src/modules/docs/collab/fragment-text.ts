import * as Y from 'yjs';

/** Block content nodes whose text ends a line (BlockNote's block types, table cells). */
function textOf(node: Y.XmlText): string {
  let text = '';
  const delta: Array<{ insert?: unknown }> = node.toDelta() as Array<{ insert?: unknown }>;
  for (const part of delta) {
    if (typeof part.insert === 'string') text += part.insert;
  }
  return text;
}

/**
 * The plain text of a page's blocks, one line per block (and per table cell), read straight from the Yjs
 * XML tree: fast enough to run at every store of a page (search indexing), with no editor loaded.
 */
export function fragmentText(fragment: Y.XmlFragment, maxLength = 100_000): string {
  const lines: string[] = [];
  let length = 0;
  const visit = (node: Y.XmlElement | Y.XmlText | Y.XmlHook | Y.XmlFragment): void => {
    if (length > maxLength) return;
    if (node instanceof Y.XmlText) {
      const text = textOf(node);
      if (text.trim().length > 0) {
        lines.push(text);
        length += text.length + 1;
      }
      return;
    }
    if (node instanceof Y.XmlHook) return;
    if (node instanceof Y.XmlElement) {
      // Captions and names of images and files are attributes.
      for (const attribute of ['caption', 'name']) {
        const value: unknown = node.getAttribute(attribute);
        if (typeof value === 'string' && value.trim().length > 0) lines.push(value);
      }
    }
    for (const child of node.toArray()) visit(child);
  };
  visit(fragment);
  return lines.join('\n').slice(0, maxLength);
}

/** Replaces a fragment's content by a copy of another's (restoring a version into the live page). */
export function replaceFragment(target: Y.XmlFragment, source: Y.XmlFragment): void {
  if (target.length > 0) target.delete(0, target.length);
  const copies = source.toArray().map((node) => (node as Y.XmlElement | Y.XmlText).clone());
  if (copies.length > 0) target.insert(0, copies);
}

/**
 * Appends a copy of another fragment's blocks at the end of a page (BlockNote keeps a page's blocks in one
 * `blockGroup`: the copies go into it; a page still empty gets the source's group whole).
 */
export function appendFragment(target: Y.XmlFragment, source: Y.XmlFragment): void {
  const sourceGroup = source.get(0);
  if (!(sourceGroup instanceof Y.XmlElement)) return;
  const targetGroup = target.get(0);
  if (!(targetGroup instanceof Y.XmlElement)) {
    target.insert(target.length, [sourceGroup.clone()]);
    return;
  }
  const copies = sourceGroup.toArray().map((node) => (node as Y.XmlElement | Y.XmlText).clone());
  if (copies.length > 0) targetGroup.insert(targetGroup.length, copies);
}

/**
 * A copy of a page's content alone (a duplicate, a page made from a template): its blocks, without its
 * discussions (the `threads` map) nor the marks anchoring them, which belong to the original page.
 */
export function contentOnlyState(state: Uint8Array, fragmentName: string): Uint8Array {
  const source = new Y.Doc();
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(source, state);
    const target = copy.getXmlFragment(fragmentName);
    replaceFragment(target, source.getXmlFragment(fragmentName));
    const visit = (node: Y.XmlElement | Y.XmlText | Y.XmlHook | Y.XmlFragment): void => {
      if (node instanceof Y.XmlText) {
        let index = 0;
        for (const part of node.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>) {
          const length = typeof part.insert === 'string' ? part.insert.length : 1;
          const comments = Object.keys(part.attributes ?? {}).filter(
            (key) => key === 'comment' || key.startsWith('comment--'),
          );
          if (comments.length > 0) node.format(index, length, Object.fromEntries(comments.map((key) => [key, null])));
          index += length;
        }
      } else if (!(node instanceof Y.XmlHook)) {
        for (const child of node.toArray()) visit(child);
      }
    };
    visit(target);
    return Y.encodeStateAsUpdate(copy);
  } finally {
    source.destroy();
    copy.destroy();
  }
}
