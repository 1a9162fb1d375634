import { Parser } from 'htmlparser2';
import { getDefaults, Lexer, type MarkedToken, type Token, type Tokens } from 'marked';
import { parse as parseYaml } from 'yaml';
import { parseHtml } from './html.ts';
import { normaliseInline, type SectionBuilder } from './sections.ts';
import { decodeText } from './text.ts';

const frontMatterPattern = /^---[^\S\n]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[^\S\n]*(?:\r?\n|$)/;

/** `text` with its character references (`&eacute;`, `&#233;`) decoded, as Markdown renders them. */
function decodeCharacterReferences(text: string): string {
  if (!text.includes('&')) return text;
  let decoded = '';
  // Escaping '<' first leaves htmlparser2 nothing to read but text and references.
  const parser = new Parser({ ontext: (part) => (decoded += part) }, { decodeEntities: true });
  parser.end(text.replaceAll('<', '&lt;'));
  return decoded;
}

/** The YAML front matter's `title`, and the Markdown after the front matter. */
function splitFrontMatter(source: string): { title: string | undefined; body: string } {
  const match = frontMatterPattern.exec(source);
  if (!match) return { title: undefined, body: source };
  let data: unknown;
  try {
    data = parseYaml(match[1] ?? '');
  } catch {
    // Not YAML: the '---' lines were horizontal rules, part of the text.
    return { title: undefined, body: source };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { title: undefined, body: source };
  const title: unknown = (data as Record<string, unknown>).title;
  const body = source.slice(match[0].length);
  if (typeof title === 'string' || typeof title === 'number')
    return { title: normaliseInline(String(title)) || undefined, body };
  return { title: undefined, body };
}

/** The text a reader sees of inline tokens: emphasis, code and link markup dropped, link labels and image descriptions kept. */
function plainText(tokens: readonly Token[] | undefined): string {
  let text = '';
  // No extension is registered: every token is one of marked's own.
  for (const token of (tokens ?? []) as readonly MarkedToken[]) {
    switch (token.type) {
      case 'text':
        text += token.tokens ? plainText(token.tokens) : decodeCharacterReferences(token.text);
        break;
      case 'strong':
      case 'em':
      case 'del':
      case 'link':
        text += plainText(token.tokens);
        break;
      case 'codespan':
      case 'escape':
        text += token.text;
        break;
      case 'image':
        text += decodeCharacterReferences(token.text);
        break;
      case 'br':
        text += '\n';
        break;
      default:
        // Inline HTML tags and task checkboxes carry no text.
        break;
    }
  }
  return text;
}

function readListItem(item: Tokens.ListItem, builder: SectionBuilder): void {
  const ownText: string[] = [];
  const nested: Tokens.List[] = [];
  for (const token of item.tokens as readonly MarkedToken[]) {
    if (token.type === 'list') nested.push(token);
    else if (token.type === 'text' || token.type === 'paragraph') ownText.push(plainText(token.tokens));
    else if (token.type === 'code') ownText.push(token.text);
  }
  builder.listItem(ownText.join(' '));
  for (const list of nested) for (const child of list.items) readListItem(child, builder);
}

function readBlocks(tokens: readonly Token[], builder: SectionBuilder): void {
  for (const token of tokens as readonly MarkedToken[]) {
    if (builder.isFull) return;
    switch (token.type) {
      case 'heading':
        builder.heading(token.depth, plainText(token.tokens));
        break;
      case 'paragraph':
      case 'text':
        builder.paragraph(plainText(token.tokens));
        break;
      case 'code':
        builder.paragraph(token.text);
        break;
      case 'list':
        for (const item of token.items) readListItem(item, builder);
        builder.endRun();
        break;
      case 'table':
        builder.tableRow(token.header.map((cell) => plainText(cell.tokens)));
        for (const row of token.rows) builder.tableRow(row.map((cell) => plainText(cell.tokens)));
        builder.endRun();
        break;
      case 'blockquote':
        readBlocks(token.tokens, builder);
        break;
      case 'html':
        parseHtml(token.text, builder);
        break;
      default:
        // Spaces, rules and link definitions carry no text.
        break;
    }
  }
}

/**
 * Reads a Markdown file into `builder` (CommonMark and GitHub's tables): `#` headings, paragraphs, lists,
 * tables and code blocks, as plain text. Returns the front matter's `title`.
 */
export function parseMarkdown(bytes: Uint8Array, builder: SectionBuilder): { title: string | undefined } {
  const { title, body } = splitFrontMatter(decodeText(bytes));
  // A lexer of its own: options set on the shared `marked` instance elsewhere must not change the parsing.
  const tokens = new Lexer({ ...getDefaults(), gfm: true }).lex(body);
  readBlocks(tokens, builder);
  return { title };
}
