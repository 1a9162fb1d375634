import type { ReactNode } from 'react';
import type { Citation } from './assistant.api.ts';

/*
 * An answer's text as React elements, never as HTML: paragraphs, lists, **bold**, web addresses as links
 * and the `[n]` citation markers as buttons that show the source. The model writes light Markdown; anything
 * else stays text.
 */

/** `[1]`, `[1][3]`, `[1, 3]`: the markers the server keeps in an answer. */
const tokenPattern =
  /(\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\])|(\*\*[^*\n]+\*\*)|(https?:\/\/[^\s<>()«»"]+[^\s<>()«»".,;:!?])/g;
const listItemPattern = /^\s*(?:[-*•]|(\d{1,3})[.)])\s+(.*)$/;
const headingPattern = /^\s*#{1,6}\s+(.*)$/;

export interface MarkerProps {
  number: number;
  citation: Citation | undefined;
}

type Block =
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] };

function blocksOf(text: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const heading = headingPattern.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', text: heading[1] ?? '' });
      current = undefined;
      continue;
    }
    const item = listItemPattern.exec(line);
    if (item) {
      const ordered = item[1] !== undefined;
      if (current?.kind === 'list' && current.ordered === ordered) current.items.push(item[2] ?? '');
      else {
        current = { kind: 'list', ordered, items: [item[2] ?? ''] };
        blocks.push(current);
      }
      continue;
    }
    if (current?.kind === 'paragraph') current.lines.push(line);
    else if (current?.kind === 'list' && /^\s{2,}/.test(line)) {
      // A list item's continuation line.
      current.items[current.items.length - 1] += ` ${line.trim()}`;
    } else {
      current = { kind: 'paragraph', lines: [line] };
      blocks.push(current);
    }
  }
  return blocks;
}

function inline(
  text: string,
  citations: ReadonlyMap<number, Citation>,
  renderMarker: (props: MarkerProps) => ReactNode,
  key: string,
): ReactNode[] {
  const nodes: ReactNode[] = [];
  let last = 0;
  let index = 0;
  for (const match of text.matchAll(tokenPattern)) {
    const start = match.index;
    if (start > last) nodes.push(text.slice(last, start));
    const [whole, marker, bold, url] = match;
    const id = `${key}-${index++}`;
    if (marker) {
      const numbers = marker
        .slice(1, -1)
        .split(/\s*[,;]\s*/)
        .map(Number);
      for (const number of numbers) {
        nodes.push(<span key={`${id}-${number}`}>{renderMarker({ number, citation: citations.get(number) })}</span>);
      }
    } else if (bold) {
      nodes.push(<strong key={id}>{inline(bold.slice(2, -2), citations, renderMarker, id)}</strong>);
    } else if (url) {
      nodes.push(
        <a key={id} href={url} target="_blank" rel="noopener noreferrer" className="fr-link bureau-albert-url">
          {url}
        </a>,
      );
    }
    last = start + whole.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

/** The answer's text with its markers rendered by `renderMarker`. */
export function AnswerText(props: {
  text: string;
  citations: readonly Citation[];
  renderMarker: (props: MarkerProps) => ReactNode;
}) {
  const citations = new Map(props.citations.map((citation) => [citation.number, citation]));
  return (
    <>
      {blocksOf(props.text).map((block, index) => {
        const key = `b${index}`;
        if (block.kind === 'heading') {
          return (
            <p key={key} className="fr-mb-1w">
              <strong>{inline(block.text, citations, props.renderMarker, key)}</strong>
            </p>
          );
        }
        if (block.kind === 'list') {
          const items = block.items.map((item, itemIndex) => (
            <li key={`${key}-${itemIndex}`}>{inline(item, citations, props.renderMarker, `${key}-${itemIndex}`)}</li>
          ));
          return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
        }
        return (
          <p key={key}>
            {block.lines.map((line, lineIndex) => (
              <span key={`${key}-${lineIndex}`}>
                {lineIndex > 0 && <br />}
                {inline(line, citations, props.renderMarker, `${key}-${lineIndex}`)}
              </span>
            ))}
          </p>
        );
      })}
    </>
  );
}

/** The answer without its markup, for a screen reader's announcement. */
export function spokenText(text: string): string {
  return (
    text
      .replace(/\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]/g, '')
      .replace(/\*\*/g, '')
      .replace(/^\s*#{1,6}\s+/gm, '')
      // A removed marker leaves a space before its full stop or comma (not before French `:` `;` `?` `!`).
      .replace(/[ \t]+([.,])/g, '$1')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** A citation's place in its source: the source's title and the headings of the passage. */
export function citationPath(citation: Citation): string {
  return [citation.title, ...citation.headings].join(' › ');
}

/** The answer and its sources as plain text (copy, a chat message). */
export function answerAsPlainText(
  answer: string,
  citations: readonly Citation[],
  labels: { sources: string; question?: { label: string; text: string } },
): string {
  const sources = citations.map((citation) => {
    const details = [citation.collection.name, citation.date].filter(Boolean).join(', ');
    return `[${citation.number}] ${citationPath(citation)}${details ? ` (${details})` : ''}${citation.url ? ` — ${citation.url}` : ''}`;
  });
  return [
    ...(labels.question ? [`${labels.question.label} ${labels.question.text}`, ''] : []),
    answer.trim(),
    ...(sources.length > 0 ? ['', labels.sources, ...sources] : []),
  ].join('\n');
}

/** A text to write in Markdown as it is (brackets, stars and underscores of titles are not markup). */
function markdownText(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, '\\$1');
}

/** The answer and its sources as Markdown, the sources a list of links (inserted into a document). */
export function answerAsMarkdown(answer: string, citations: readonly Citation[], labels: { sources: string }): string {
  const sources = citations.map((citation) => {
    const details = [citation.collection.name, citation.date].filter(Boolean).join(', ');
    const title = markdownText(citationPath(citation));
    const url =
      citation.url && /^https?:\/\//i.test(citation.url)
        ? citation.url.replace(/[()\s]/g, (character) => `%${character.charCodeAt(0).toString(16).padStart(2, '0')}`)
        : null;
    return `- \\[${citation.number}\\] ${url ? `[${title}](${url})` : title}${details ? ` (${markdownText(details)})` : ''}`;
  });
  return [
    answer.trim(),
    ...(sources.length > 0 ? ['', `**${markdownText(labels.sources)}**`, '', ...sources] : []),
  ].join('\n');
}
