import { Parser } from 'htmlparser2';
import { isSafeHref } from './blocks.ts';
import { escapeXml } from './xml.ts';

const voidElements = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

/** An HTML start tag with `attributes` (values unescaped; written escaped, in the given order). */
function startTag(name: string, attributes: Readonly<Record<string, string>>): string {
  const written = Object.entries(attributes)
    .map(([key, value]) =>
      value === '' && ['checked', 'disabled', 'open'].includes(key) ? ` ${key}` : ` ${key}="${escapeXml(value)}"`,
    )
    .join('');
  return `<${name}${written}>`;
}

function escapeText(text: string): string {
  return text.replace(/[<>&]/g, (character) => (character === '<' ? '&lt;' : character === '>' ? '&gt;' : '&amp;'));
}

// Attributes that carry meaning in the exported page; BlockNote's own (data-*, class="bn-...") do not.
const exportedAttributes = new Set([
  'href',
  'src',
  'alt',
  'title',
  'width',
  'colspan',
  'rowspan',
  'start',
  'type',
  'checked',
  'style',
  'open',
  'target',
  'rel',
]);

/**
 * BlockNote's "external" HTML made plain: its internal attributes (data-*, `bn-*` classes, a stray
 * `classname`) removed, check boxes made read-only. A code block keeps its `language-*` class, the
 * convention highlighters read.
 */
export function cleanExportedHtml(html: string): string {
  const out: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const kept: Record<string, string> = {};
        for (const [key, value] of Object.entries(attributes)) {
          if (exportedAttributes.has(key)) kept[key] = value;
        }
        const languageClass = attributes.class?.split(/\s+/).find((token) => token.startsWith('language-'));
        if (languageClass) kept.class = languageClass;
        if (name === 'input') kept.disabled = '';
        out.push(startTag(name, kept));
      },
      ontext(text) {
        out.push(escapeText(text));
      },
      onclosetag(name) {
        if (!voidElements.has(name)) out.push(`</${name}>`);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return out.join('');
}

/** Elements whose content is never part of an imported page. */
const droppedElements = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'canvas',
  'select',
  'button',
  'textarea',
  'video',
  'audio',
  'map',
  'frameset',
]);

// Elements that only group blocks: what they hold is laid out as if they were not there.
const containerElements = new Set([
  'html',
  'body',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'center',
  'form',
  'span',
  'font',
]);

// Blocks a table cell cannot hold (BlockNote's cells hold one run of text): their text is kept, on new lines.
const cellBlockElements = new Set([
  'p',
  'div',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'dl',
  'dt',
  'dd',
]);

// Table elements inside a cell: a nested table is written as lines of its cell's text.
const nestedTableElements = new Set([
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'td',
  'th',
  'caption',
  'colgroup',
  'col',
]);

/** The elements standing for the formatting an inline `style` attribute gives. */
function styleTags(style: string | undefined): string[] {
  if (!style) return [];
  const declarations = style.toLowerCase();
  return [
    /font-weight\s*:\s*(bold|[6-9]00)/.test(declarations) ? 'strong' : '',
    /font-style\s*:\s*italic/.test(declarations) ? 'em' : '',
    /text-decoration[^;]*underline/.test(declarations) ? 'u' : '',
    /text-decoration[^;]*line-through/.test(declarations) ? 's' : '',
    /font-family[^;]*(mono|courier|consolas)/.test(declarations) ? 'code' : '',
  ].filter(Boolean);
}

/** A `<b>` that is not bold: Google Docs wraps a whole copied document in `<b style="font-weight:normal">`. */
function isNotBold(name: string, style: string | undefined): boolean {
  return (name === 'b' || name === 'strong') && /font-weight\s*:\s*(normal|[1-4]00)/i.test(style ?? '');
}

const importedAttributes = new Set(['href', 'src', 'alt', 'title', 'colspan', 'rowspan', 'start', 'type', 'checked']);

/** Image sources an imported page may keep: web and relative addresses, files of the import, data URLs (extracted later). */
function isImportableImageSource(src: string): boolean {
  const trimmed = src.trim();
  return /^data:image\//i.test(trimmed) || /^bureau-import:/i.test(trimmed) || isSafeHref(trimmed);
}

export interface SanitisedHtml {
  readonly html: string;
  /** The page's `<title>`, whitespace normalised. */
  readonly title: string | undefined;
  /** The text of the first element of class `bureau-title` (a Word or ODT "Title" paragraph). */
  readonly titleParagraph: string | undefined;
}

interface TopBlock {
  /** How many kept elements were open around it. */
  readonly depth: number;
  readonly parts: string[];
  hasText: boolean;
  readonly images: string[];
}

/**
 * Prepares an imported HTML page (or the HTML mammoth and the ODT reader make) for BlockNote's parser:
 * - drops the head, scripts, styles, embedded objects and event handlers, and links to `javascript:` and
 *   the like (only a short list of attributes is kept);
 * - moves images out of paragraphs, list items and table cells to just after them (BlockNote drops an
 *   image it finds inside text), and makes an image followed by a `bureau-caption` paragraph a figure;
 * - writes the paragraphs of a table cell as lines of one text (a cell holds no blocks);
 * - makes every `pre` a `pre > code` (BlockNote's code block), its line breaks newlines;
 * - turns a check box that does not start a list item into ☐ or ☑, which `finishImportedBlocks` reads.
 */
export function sanitiseImportedHtml(html: string): SanitisedHtml {
  const out: string[] = [];
  /** Names of the open elements that are written (not dropped, not unwrapped), innermost last. */
  const open: string[] = [];
  /**
   * For each open element that is not dropped: false when it is written, else the markup that stands for
   * its end tag (empty for an element left out of the output, its content kept).
   */
  const unwrapped: (string | false)[] = [];
  let droppedDepth = 0;
  let title: string | undefined;
  let titleText: string | undefined;
  let cellDepth = 0;
  let cellHasContent = false;
  let preDepth = 0;
  let isAtListItemStart = false;
  // The block being written at the top of the page (a paragraph, a list, a table...), buffered so that one
  // holding only images can be replaced by them.
  let block: TopBlock | undefined;
  // The last image written at the top of the page, held back in case a caption follows it.
  let heldImage: string | undefined;
  let caption: { depth: number; text: string } | undefined;
  let titleParagraph: { depth: number; text: string; isDone: boolean } | undefined;

  const flushHeldImage = () => {
    if (heldImage) out.push(heldImage);
    heldImage = undefined;
  };
  const write = (part: string) => {
    if (block) {
      block.parts.push(part);
    } else {
      flushHeldImage();
      out.push(part);
    }
  };
  const emitImages = (images: readonly string[]) => {
    for (const image of images) {
      flushHeldImage();
      heldImage = image;
    }
  };
  const keptAttributes = (attributes: Readonly<Record<string, string>>) => {
    const kept: Record<string, string> = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (importedAttributes.has(key) && (key !== 'href' || isSafeHref(value))) kept[key] = value;
    }
    return kept;
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const isVoid = voidElements.has(name);
        if (
          droppedDepth > 0 ||
          droppedElements.has(name) ||
          name === 'title' ||
          (name === 'input' && attributes.type?.toLowerCase() !== 'checkbox')
        ) {
          if (!isVoid) droppedDepth += 1;
          if (name === 'title') titleText = '';
          return;
        }
        if (caption) {
          if (!isVoid) unwrapped.push('');
          return;
        }
        const classes = (attributes.class ?? '').split(/\s+/);
        if (!block && heldImage && name === 'p' && classes.includes('bureau-caption')) {
          caption = { depth: unwrapped.length, text: '' };
          unwrapped.push('');
          return;
        }
        if (name === 'img') {
          const src = attributes.src ?? '';
          if (!isImportableImageSource(src)) return;
          const image = startTag('img', { src: src.trim(), ...(attributes.alt ? { alt: attributes.alt } : {}) });
          if (block) block.images.push(image);
          else emitImages([image]);
          return;
        }
        if (name === 'input') {
          const isChecked = attributes.checked !== undefined;
          if (isAtListItemStart && cellDepth === 0) {
            write(startTag('input', { type: 'checkbox', ...(isChecked ? { checked: '' } : {}) }));
          } else {
            write(isChecked ? '☑ ' : '☐ ');
            if (block) block.hasText = true;
          }
          isAtListItemStart = false;
          return;
        }
        if (name === 'br') {
          write(preDepth > 0 ? '\n' : '<br>');
          return;
        }
        if (isVoid && name !== 'hr') return;
        if (cellDepth > 0 && (cellBlockElements.has(name) || nestedTableElements.has(name))) {
          // A cell's paragraphs, lists and nested tables become lines (and cells of a line) of its text.
          if (cellHasContent) write(name === 'td' || name === 'th' ? ' ' : '<br>');
          if (!isVoid) unwrapped.push('');
          return;
        }
        if (containerElements.has(name) || (preDepth > 0 && name === 'code') || isNotBold(name, attributes.style)) {
          // Word and Google Docs write formatting as inline styles of spans: it is kept as elements.
          const tags = preDepth > 0 ? [] : styleTags(attributes.style);
          if (tags.length) write(tags.map((tag) => `<${tag}>`).join(''));
          unwrapped.push(
            [...tags]
              .reverse()
              .map((tag) => `</${tag}>`)
              .join(''),
          );
          return;
        }
        if (!block && !isVoid) {
          flushHeldImage();
          block = { depth: open.length, parts: [], hasText: false, images: [] };
        }
        if (name === 'td' || name === 'th') {
          cellDepth += 1;
          cellHasContent = false;
        }
        if (!titleParagraph && classes.includes('bureau-title'))
          titleParagraph = { depth: open.length, text: '', isDone: false };
        write(startTag(name, keptAttributes(attributes)));
        isAtListItemStart = name === 'li' || (isAtListItemStart && name === 'p');
        if (name === 'pre') {
          preDepth += 1;
          write('<code>');
        }
        if (isVoid) return;
        open.push(name);
        unwrapped.push(false);
      },
      ontext(text) {
        if (droppedDepth > 0) {
          if (titleText !== undefined) titleText += text;
          return;
        }
        if (caption) {
          caption.text += text;
          return;
        }
        if (titleParagraph && !titleParagraph.isDone) titleParagraph.text += text;
        if (text.trim() !== '') {
          isAtListItemStart = false;
          if (block) block.hasText = true;
          if (cellDepth > 0) cellHasContent = true;
        }
        write(escapeText(text));
      },
      onclosetag(name) {
        if (voidElements.has(name)) return;
        if (droppedDepth > 0) {
          droppedDepth -= 1;
          if (name === 'title' && titleText !== undefined) {
            title ??= titleText.replace(/\s+/g, ' ').trim() || undefined;
            titleText = undefined;
          }
          return;
        }
        const endMarkup = unwrapped.pop();
        if (endMarkup === undefined) return;
        if (endMarkup !== false) {
          if (endMarkup) write(endMarkup);
          if (caption && unwrapped.length === caption.depth) {
            const text = escapeText(caption.text.replace(/\s+/g, ' ').trim());
            out.push(`<figure>${heldImage ?? ''}<figcaption>${text}</figcaption></figure>`);
            heldImage = undefined;
            caption = undefined;
          }
          return;
        }
        open.pop();
        if (titleParagraph && open.length === titleParagraph.depth) titleParagraph.isDone = true;
        if (name === 'pre') {
          preDepth -= 1;
          write('</code>');
        }
        if (name === 'td' || name === 'th') cellDepth -= 1;
        write(`</${name}>`);
        if (block && open.length === block.depth) {
          const finished = block;
          block = undefined;
          // A paragraph that holds only images (how mammoth writes one) is replaced by them.
          if (finished.hasText || finished.images.length === 0) out.push(...finished.parts);
          emitImages(finished.images);
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (block) out.push(...block.parts);
  flushHeldImage();
  const titleParagraphText = titleParagraph?.text.replace(/\s+/g, ' ').trim();
  return { html: out.join(''), title, titleParagraph: titleParagraphText || undefined };
}
