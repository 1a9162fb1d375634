import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { isMentionHref } from './comments.ts';

/*
 * A comment's text, shown without an editor: a comment is BlockNote blocks (paragraphs of styled text and
 * links), drawn here as plain elements. One editor per comment would be heavy, and BlockNote's own comment
 * view creates editors that add <style> elements, which the CSP refuses.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface StyledText {
  text: string;
  styles: Record<string, unknown>;
}

function textsOf(content: unknown): StyledText[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((item) =>
    isRecord(item) && item.type === 'text' && typeof item.text === 'string'
      ? [{ text: item.text, styles: isRecord(item.styles) ? item.styles : {} }]
      : [],
  );
}

function styled(piece: StyledText, key: number): ReactNode {
  let node: ReactNode = piece.text;
  if (piece.styles.code === true) node = <code>{node}</code>;
  if (piece.styles.bold === true) node = <strong>{node}</strong>;
  if (piece.styles.italic === true) node = <em>{node}</em>;
  if (piece.styles.underline === true) node = <u>{node}</u>;
  if (piece.styles.strike === true) node = <s>{node}</s>;
  return <span key={key}>{node}</span>;
}

/** A link of a comment: a mention, a page of the app, or an outside address (anything else is text). */
function link(href: string, children: ReactNode, key: number): ReactNode {
  if (isMentionHref(href)) {
    return (
      <Link key={key} to={href} className="bureau-docs-mention">
        {children}
      </Link>
    );
  }
  if (href.startsWith('/') && !href.startsWith('//')) {
    return (
      <Link key={key} to={href}>
        {children}
      </Link>
    );
  }
  if (/^(https?:|mailto:)/i.test(href)) {
    return (
      <a key={key} href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  }
  return <span key={key}>{children}</span>;
}

function inline(content: unknown): ReactNode[] {
  if (!Array.isArray(content)) return [];
  return content.map((item, index) => {
    if (!isRecord(item)) return null;
    if (item.type === 'text' && typeof item.text === 'string') {
      return styled({ text: item.text, styles: isRecord(item.styles) ? item.styles : {} }, index);
    }
    if (item.type === 'link' && typeof item.href === 'string') {
      return link(
        item.href,
        textsOf(item.content).map((piece, position) => styled(piece, position)),
        index,
      );
    }
    return null;
  });
}

/** The text of a comment: one paragraph per block. */
export function CommentBody({ body }: { body: unknown }) {
  const blocks = Array.isArray(body) ? body.filter(isRecord) : [];
  return (
    <div className="bureau-docs-comment__body">
      {blocks.map((block, index) => (
        <p key={typeof block.id === 'string' ? block.id : index}>{inline(block.content)}</p>
      ))}
    </div>
  );
}

/** The plain text of a comment (an accessible summary, a quote). */
export function commentText(body: unknown): string {
  const blocks = Array.isArray(body) ? body.filter(isRecord) : [];
  return blocks
    .map((block) =>
      (Array.isArray(block.content) ? block.content : [])
        .map((item: unknown) =>
          isRecord(item)
            ? item.type === 'text' && typeof item.text === 'string'
              ? item.text
              : textsOf(item.content)
                  .map((piece) => piece.text)
                  .join('')
            : '',
        )
        .join(''),
    )
    .join('\n');
}
