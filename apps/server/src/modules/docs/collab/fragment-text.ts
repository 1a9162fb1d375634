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
