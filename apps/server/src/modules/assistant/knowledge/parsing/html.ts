import { Parser } from 'htmlparser2';
import { BlockAssembler, normaliseInline, type CloseBlock, type SectionBuilder } from './sections.ts';
import { decodeText } from './text.ts';

/** Elements whose content is never text of the document: code, styling, embedded objects, forms, site navigation. */
const skippedElements = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'nav',
  'iframe',
  'object',
  'embed',
  'canvas',
  'video',
  'audio',
  'select',
  'button',
  'datalist',
]);

// ARIA roles of the page's chrome rather than of its content.
const skippedRoles = new Set(['navigation', 'banner', 'contentinfo', 'search', 'menu', 'menubar']);

// Sectioning elements: a header or footer inside one belongs to the content (an article's header holds its title).
const contentElements = new Set(['main', 'article', 'section']);

const blockElements = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'header',
  'hgroup',
  'hr',
  'legend',
  'main',
  'p',
  'pre',
  'section',
  'summary',
  'tbody',
  'tfoot',
  'thead',
]);

const groupElements = new Set(['ul', 'ol', 'menu', 'table']);

const headingLevels: Readonly<Record<string, number>> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

const noop: CloseBlock = () => undefined;

/** The encoding an HTML page declares in its first bytes (`<meta charset>`), for pages that are not UTF-8. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  return /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head)?.[1];
}

/** Decodes an HTML file and reads it into `builder`; returns its `<title>`. */
export function parseHtmlFile(bytes: Uint8Array, builder: SectionBuilder): { title: string | undefined } {
  return parseHtml(decodeText(bytes, declaredEncoding(bytes)), builder);
}

/**
 * Reads an HTML page into `builder`: h1–h6 become headings, p/div/br/li/tr/td/th give the blocks; the
 * page's chrome (scripts, styles, navigation, the page's own header and footer, hidden elements) is
 * skipped. Returns the page's `<title>`.
 */
export function parseHtml(html: string, builder: SectionBuilder): { title: string | undefined } {
  const assembler = new BlockAssembler(builder);
  const open: { name: string; close: CloseBlock }[] = [];
  let skipDepth = 0;
  let contentDepth = 0;
  let preDepth = 0;
  let titleText: string | undefined;
  let title: string | undefined;

  const enter = (name: string, attributes: Readonly<Record<string, string>>): CloseBlock => {
    const isChrome = (name === 'header' || name === 'footer') && contentDepth === 0;
    const isHidden =
      'hidden' in attributes ||
      attributes['aria-hidden'] === 'true' ||
      skippedRoles.has(attributes.role?.toLowerCase() ?? '');
    if (skipDepth > 0 || skippedElements.has(name) || isChrome || isHidden) {
      skipDepth += 1;
      return () => {
        skipDepth -= 1;
      };
    }
    if (name === 'title') {
      titleText = '';
      return () => {
        title ??= normaliseInline(titleText ?? '') || undefined;
        titleText = undefined;
      };
    }
    const level = headingLevels[name];
    if (level !== undefined) return assembler.openHeading(level);
    if (name === 'li') return assembler.openListItem();
    if (name === 'tr') return assembler.openRow();
    if (name === 'td' || name === 'th') return assembler.openCell();
    if (name === 'br') {
      assembler.lineBreak();
      return noop;
    }
    if (groupElements.has(name)) {
      assembler.blockBoundary();
      return () => assembler.endGroup();
    }
    if (!blockElements.has(name)) return noop;
    assembler.blockBoundary();
    const isContent = contentElements.has(name);
    const isPre = name === 'pre';
    if (isContent) contentDepth += 1;
    if (isPre) preDepth += 1;
    return () => {
      if (isContent) contentDepth -= 1;
      if (isPre) preDepth -= 1;
      assembler.blockBoundary();
    };
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        open.push({ name, close: enter(name, attributes) });
      },
      ontext(text) {
        if (skipDepth > 0) return;
        if (titleText !== undefined) titleText += text;
        else assembler.text(preDepth > 0 ? text : text.replace(/\s+/g, ' '));
      },
      onclosetag(name) {
        // htmlparser2 closes every element it opened, implied ends included; the search only guards
        // against an unbalanced close.
        const index = open.findLastIndex((element) => element.name === name);
        if (index < 0) return;
        for (const element of open.splice(index).reverse()) element.close();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  assembler.finish();
  return { title };
}
