import { docsLimits } from '@bureau/contracts';
import { inlineText, tableRows, type PartialDocsBlock } from './blocks.ts';

function stringProp(block: PartialDocsBlock, name: string): string {
  const value = (block.props as Readonly<Record<string, unknown>> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

function collectLines(blocks: readonly PartialDocsBlock[], lines: string[]): void {
  for (const block of blocks) {
    switch (block.type) {
      case 'table':
        for (const row of tableRows(block.content)) {
          // One line per row keeps what a cell belongs to readable for search snippets and the assistant.
          const cells = row.map((cell) =>
            inlineText(cell.content)
              .replace(/\s*\n\s*/g, ' ')
              .trim(),
          );
          if (cells.some((cell) => cell !== '')) lines.push(cells.join(' | '));
        }
        break;
      case 'image':
      case 'video':
      case 'audio':
      case 'file': {
        const caption = stringProp(block, 'caption');
        const name = stringProp(block, 'name');
        if (caption) lines.push(caption);
        else if (name && block.type === 'file') lines.push(name);
        break;
      }
      case 'divider':
        break;
      default: {
        const text = inlineText(block.content).trim();
        if (text) lines.push(text);
      }
    }
    if (block.children?.length) collectLines(block.children, lines);
  }
}

/**
 * The text of a page, one line per block (a table row per line, its cells separated by ` | `), in reading
 * order, without formatting: what search indexes and what the assistant reads. Synchronous and fast:
 * it reads the blocks' JSON directly, without BlockNote.
 */
export function blocksToPlainText(blocks: readonly PartialDocsBlock[]): string {
  const lines: string[] = [];
  collectLines(blocks, lines);
  return lines.join('\n');
}

function firstHeadingText(blocks: readonly PartialDocsBlock[]): string | undefined {
  for (const block of blocks) {
    if (block.type === 'heading') {
      const text = inlineText(block.content).trim();
      if (text) return text;
    }
    const nested = block.children?.length ? firstHeadingText(block.children) : undefined;
    if (nested) return nested;
  }
  return undefined;
}

/** `text` cut to `maxLength` characters (never inside a surrogate pair), on one line. */
export function oneLineTitle(text: string, maxLength: number = docsLimits.titleMaxLength): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const characters = Array.from(line);
  return characters.length <= maxLength ? line : characters.slice(0, maxLength).join('').trimEnd();
}

/**
 * A title for a page that has none: its first heading, else its first non-empty line, on one line and
 * cut to the titles' maximum length (200 characters). Null for a page without text.
 */
export function documentTitleFromBlocks(blocks: readonly PartialDocsBlock[]): string | null {
  const source =
    firstHeadingText(blocks) ??
    blocksToPlainText(blocks)
      .split('\n')
      .find((line) => line.trim() !== '');
  return source ? oneLineTitle(source) || null : null;
}
