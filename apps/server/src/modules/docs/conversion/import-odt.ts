import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { escapeXml } from './xml.ts';
import type { ImportedFiles } from './imported-files.ts';
import { ZipUnreadableError, type ZipReader } from './zip-reader.ts';

const odtMediaType = 'application/vnd.oasis.opendocument.text';

interface StyleProperties {
  parent?: string;
  /** Set for an automatic style: formatting the author applied, rather than a named style's look. */
  isAutomatic?: boolean;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
  fontName?: string;
}

/** The styles of an OpenDocument text: what the importer needs of them. */
interface OdtStyles {
  /** Text and paragraph styles by name (automatic and common ones share a namespace per family). */
  readonly text: Map<string, StyleProperties>;
  readonly paragraph: Map<string, StyleProperties>;
  /** List styles: for each level (1-based), whether it is numbered. */
  readonly lists: Map<string, Map<number, boolean>>;
  /** Font faces declared monospace (fixed pitch, or a well-known code font). */
  readonly monospaceFonts: Set<string>;
}

// Content that is not the running text of the page: comments, deleted text kept for change tracking,
// footnotes, generated indexes that repeat the headings, text boxes and the descriptions of drawings.
const skippedElements = new Set([
  'office:annotation',
  'office:annotation-end',
  'text:tracked-changes',
  'text:note',
  'text:table-of-content',
  'text:alphabetical-index',
  'text:illustration-index',
  'text:table-index',
  'text:object-index',
  'text:user-index',
  'text:bibliography',
  'draw:text-box',
  'table:covered-table-cell',
  'table:table-columns',
  'table:table-column',
  'office:forms',
  'text:sequence-decls',
  'text:variable-decls',
]);

function isTrue(value: string | undefined, ...falseValues: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  return !falseValues.includes(value);
}

/** Reads the styles of `xml` (styles.xml, or content.xml's automatic styles) into `styles`. */
function readStyles(xml: string, styles: OdtStyles): void {
  const parser = new SaxesParser({ xmlns: false });
  let current: { family: string; name: string; properties: StyleProperties } | undefined;
  let list: Map<number, boolean> | undefined;
  // In content.xml, the styles come before the body, which the content walker reads.
  let isInBody = false;
  let isInAutomaticStyles = false;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const attributes = tag.attributes;
    if (isInBody) return;
    switch (tag.name) {
      case 'office:body':
        isInBody = true;
        return;
      case 'office:automatic-styles':
        isInAutomaticStyles = true;
        return;
      case 'style:font-face': {
        const name = attributes['style:name'] ?? '';
        const family = attributes['svg:font-family'] ?? '';
        if (attributes['style:font-pitch'] === 'fixed' || /mono|courier|consolas|menlo/i.test(`${name} ${family}`)) {
          styles.monospaceFonts.add(name);
        }
        return;
      }
      case 'style:style': {
        const family = attributes['style:family'] ?? '';
        current = {
          family,
          name: attributes['style:name'] ?? '',
          properties: {
            ...(attributes['style:parent-style-name'] ? { parent: attributes['style:parent-style-name'] } : {}),
            ...(isInAutomaticStyles ? { isAutomatic: true } : {}),
          },
        };
        return;
      }
      case 'style:text-properties': {
        if (!current) return;
        const properties = current.properties;
        const weight = attributes['fo:font-weight'];
        if (weight !== undefined) properties.bold = weight === 'bold' || Number(weight) >= 600;
        const fontStyle = attributes['fo:font-style'];
        if (fontStyle !== undefined) properties.italic = fontStyle === 'italic' || fontStyle === 'oblique';
        properties.underline = isTrue(attributes['style:text-underline-style'], 'none') ?? properties.underline;
        properties.strike = isTrue(attributes['style:text-line-through-style'], 'none') ?? properties.strike;
        const fontName = attributes['style:font-name'] ?? attributes['fo:font-family'];
        if (fontName !== undefined) properties.fontName = fontName;
        return;
      }
      case 'text:list-style':
        list = new Map();
        styles.lists.set(attributes['style:name'] ?? '', list);
        return;
      case 'text:list-level-style-number':
        // A level "numbered" with no number format is a list without labels (a checklist): not ordered.
        list?.set(Number(attributes['text:level'] ?? '1'), (attributes['style:num-format'] ?? '') !== '');
        return;
      case 'text:list-level-style-bullet':
      case 'text:list-level-style-image':
        list?.set(Number(attributes['text:level'] ?? '1'), false);
        return;
      default:
        return;
    }
  });
  parser.on('closetag', (tag) => {
    if (isInBody) return;
    if (tag.name === 'style:style' && current) {
      if (current.family === 'text') styles.text.set(current.name, current.properties);
      if (current.family === 'paragraph') styles.paragraph.set(current.name, current.properties);
      current = undefined;
    } else if (tag.name === 'text:list-style') {
      list = undefined;
    } else if (tag.name === 'office:automatic-styles') {
      isInAutomaticStyles = false;
    }
  });
  parser.write(xml).close();
}

/** A property of a style, inherited from its parents when it does not set it. */
function inherited<K extends keyof StyleProperties>(
  map: ReadonlyMap<string, StyleProperties>,
  name: string | undefined,
  key: K,
): StyleProperties[K] | undefined {
  const seen = new Set<string>();
  for (let style = name; style !== undefined && !seen.has(style); style = map.get(style)?.parent) {
    seen.add(style);
    const value = map.get(style)?.[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The style and its parents' names, the style first. */
function lineage(map: ReadonlyMap<string, StyleProperties>, name: string | undefined): string[] {
  const names: string[] = [];
  for (let style = name; style !== undefined && !names.includes(style); style = map.get(style)?.parent)
    names.push(style);
  return names;
}

type ParagraphKind = 'title' | 'subtitle' | 'quote' | 'code' | 'caption' | 'divider' | 'heading' | 'paragraph';

function paragraphKind(styles: OdtStyles, name: string | undefined): { kind: ParagraphKind; level?: number } {
  for (const style of lineage(styles.paragraph, name)) {
    const heading = /^Heading_20_(\d+)$/.exec(style);
    if (heading) return { kind: 'heading', level: Number(heading[1]) };
    if (style === 'Title') return { kind: 'title' };
    if (style === 'Subtitle') return { kind: 'subtitle' };
    if (style === 'Quotations') return { kind: 'quote' };
    if (style === 'Preformatted_20_Text' || style === 'Source_20_Code') return { kind: 'code' };
    if (style === 'Horizontal_20_Line') return { kind: 'divider' };
    if (['Caption', 'Illustration', 'Figure', 'Drawing', 'Table'].includes(style)) return { kind: 'caption' };
  }
  return { kind: 'paragraph' };
}

/**
 * HTML tags for the formatting a style gives, with what it inherits. For a paragraph, only its automatic
 * styles count (the formatting the author applied to the whole paragraph): a named style's look, such as
 * the italics of quotations, is not content.
 */
function formattingTags(
  map: ReadonlyMap<string, StyleProperties>,
  styles: OdtStyles,
  name: string | undefined,
  options: { isAutomaticOnly?: boolean } = {},
): string[] {
  if (!name) return [];
  const source = options.isAutomaticOnly
    ? new Map(
        lineage(map, name).flatMap((style) => {
          const properties = map.get(style);
          return properties?.isAutomatic ? [[style, properties] as const] : [];
        }),
      )
    : map;
  const fontName = inherited(source, name, 'fontName');
  return [
    inherited(source, name, 'bold') ? 'strong' : '',
    inherited(source, name, 'italic') ? 'em' : '',
    inherited(source, name, 'underline') ? 'u' : '',
    inherited(source, name, 'strike') ? 's' : '',
    fontName !== undefined && styles.monospaceFonts.has(fontName) ? 'code' : '',
  ].filter(Boolean);
}

function opening(tags: readonly string[]): string {
  return tags.map((tag) => `<${tag}>`).join('');
}

function closing(tags: readonly string[]): string {
  return [...tags]
    .reverse()
    .map((tag) => `</${tag}>`)
    .join('');
}

/**
 * Reads an OpenDocument text into HTML for BlockNote's parser: `text:h` headings at their outline level,
 * paragraphs (quotations, preformatted text, captions by their style), lists with their nesting and kind
 * (from their list style), tables with their header rows and spans, bold, italic, underline, strike-through
 * and monospace from automatic and common styles, links, and the pictures of `Pictures/`, added to
 * `files`. Returns the metadata's `dc:title`.
 */
export function odtToHtml(zip: ZipReader, files: ImportedFiles): { html: string; title: string | undefined } {
  const mimetype = zip.readText('mimetype')?.trim();
  if (mimetype !== undefined && mimetype !== odtMediaType)
    throw new ZipUnreadableError(`Not a text document: ${mimetype}.`);
  const content = zip.readText('content.xml');
  if (content === undefined) throw new ZipUnreadableError('No content.xml: not an OpenDocument file.');
  if (zip.readText('META-INF/manifest.xml')?.includes('encryption-data') || zip.has('encrypted-package')) {
    throw new ZipUnreadableError('The document is encrypted.');
  }
  const styles: OdtStyles = { text: new Map(), paragraph: new Map(), lists: new Map(), monospaceFonts: new Set() };
  const stylesXml = zip.readText('styles.xml');
  if (stylesXml) readStyles(stylesXml, styles);
  readStyles(content, styles);
  return { html: walkBody(content, styles, zip, files), title: metadataTitle(zip.readText('meta.xml')) };
}

function metadataTitle(xml: string | undefined): string | undefined {
  if (!xml) return undefined;
  const parser = new SaxesParser({ xmlns: false });
  let text: string | undefined;
  let title: string | undefined;
  parser.on('opentag', (tag) => {
    if (tag.name === 'dc:title' && title === undefined) text = '';
  });
  parser.on('text', (value) => {
    if (text !== undefined) text += value;
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'dc:title' && text !== undefined) {
      title = text.replace(/\s+/g, ' ').trim() || undefined;
      text = undefined;
    }
  });
  try {
    parser.write(xml).close();
  } catch {
    // The metadata is optional: damaged, it only costs the title.
    return undefined;
  }
  return title;
}

function walkBody(content: string, styles: OdtStyles, zip: ZipReader, files: ImportedFiles): string {
  const out: string[] = [];
  const closers: string[] = [];
  const listStyles: (string | undefined)[] = [];
  let bodyDepth = 0;
  let skipDepth = 0;
  let isInHeaderRows = false;
  let cellDepth = 0;
  let frame:
    { title: string; description: string; src: string | undefined; textTarget?: 'title' | 'description' } | undefined;

  const open = (tag: SaxesTagPlain): string => {
    const attributes = tag.attributes;
    switch (tag.name) {
      case 'text:h': {
        const level = Math.min(6, Math.max(1, Number(attributes['text:outline-level'] ?? '1') || 1));
        return `<h${level}>\u0000</h${level}>`;
      }
      case 'text:p': {
        if (cellDepth > 0) return '<p>\u0000</p>';
        const styleName = attributes['text:style-name'];
        const { kind, level } = paragraphKind(styles, styleName);
        const tags = formattingTags(styles.paragraph, styles, styleName, { isAutomaticOnly: true });
        switch (kind) {
          case 'heading':
            return `<h${Math.min(6, level ?? 1)}>\u0000</h${Math.min(6, level ?? 1)}>`;
          case 'title':
            return '<h1 class="bureau-title">\u0000</h1>';
          case 'quote':
            return `<blockquote>${opening(tags)}\u0000${closing(tags)}</blockquote>`;
          case 'code':
            return '<pre>\u0000</pre>';
          case 'caption':
            return '<p class="bureau-caption">\u0000</p>';
          case 'divider':
            // LibreOffice's horizontal line is an empty paragraph with a bottom border.
            return '<hr>\u0000';
          default:
            return `<p>${opening(tags)}\u0000${closing(tags)}</p>`;
        }
      }
      case 'text:span': {
        const tags = formattingTags(styles.text, styles, attributes['text:style-name']);
        return `${opening(tags)}\u0000${closing(tags)}`;
      }
      case 'text:a': {
        const href = attributes['xlink:href'] ?? '';
        return `<a href="${escapeXml(href)}">\u0000</a>`;
      }
      case 'text:s': {
        const count = Math.min(1000, Math.max(1, Number(attributes['text:c'] ?? '1') || 1));
        return `${' '.repeat(count)}\u0000`;
      }
      case 'text:tab':
        return ' \u0000';
      case 'text:line-break':
        return '<br>\u0000';
      case 'text:list': {
        const styleName = attributes['text:style-name'] ?? listStyles.at(-1);
        listStyles.push(styleName);
        const isNumbered = styleName ? (styles.lists.get(styleName)?.get(listStyles.length) ?? false) : false;
        return isNumbered ? '<ol>\u0000</ol>' : '<ul>\u0000</ul>';
      }
      case 'text:list-item':
      case 'text:list-header':
        return '<li>\u0000</li>';
      case 'table:table':
        return '<table>\u0000</table>';
      case 'table:table-header-rows':
        isInHeaderRows = true;
        return '\u0000';
      case 'table:table-row':
        return '<tr>\u0000</tr>';
      case 'table:table-cell': {
        cellDepth += 1;
        const cell = isInHeaderRows ? 'th' : 'td';
        const columns = Number(attributes['table:number-columns-spanned'] ?? '1');
        const rows = Number(attributes['table:number-rows-spanned'] ?? '1');
        const spans = `${columns > 1 ? ` colspan="${columns}"` : ''}${rows > 1 ? ` rowspan="${rows}"` : ''}`;
        return `<${cell}${spans}>\u0000</${cell}>`;
      }
      case 'draw:frame':
        frame = { title: '', description: '', src: undefined };
        return '\u0000';
      case 'draw:image': {
        const href = attributes['xlink:href'] ?? '';
        if (frame && frame.src === undefined) {
          const data = zip.has(href) ? zip.read(href) : undefined;
          frame.src = data
            ? files.addImage(data, href.split('/').pop())
            : /^https?:\/\//i.test(href)
              ? href
              : undefined;
        }
        return '\u0000';
      }
      case 'svg:title':
        if (frame) frame.textTarget = 'title';
        return '\u0000';
      case 'svg:desc':
        if (frame) frame.textTarget = 'description';
        return '\u0000';
      default:
        return '\u0000';
    }
  };

  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (tag.name === 'office:body') {
      bodyDepth += 1;
      closers.push('');
      return;
    }
    if (bodyDepth === 0) {
      closers.push('');
      return;
    }
    if (skipDepth > 0 || skippedElements.has(tag.name)) {
      skipDepth += 1;
      closers.push('\u0001');
      return;
    }
    const [before = '', after = ''] = open(tag).split('\u0000');
    out.push(before);
    closers.push(after);
  });
  parser.on('closetag', (tag) => {
    const closer = closers.pop() ?? '';
    if (closer === '\u0001') {
      skipDepth -= 1;
      return;
    }
    if (tag.name === 'office:body') bodyDepth -= 1;
    if (tag.name === 'text:list') listStyles.pop();
    if (tag.name === 'table:table-header-rows') isInHeaderRows = false;
    if (tag.name === 'table:table-cell') cellDepth -= 1;
    if (tag.name === 'svg:title' || tag.name === 'svg:desc') {
      if (frame) frame.textTarget = undefined;
    }
    if (tag.name === 'draw:frame' && frame) {
      const alt = frame.title.trim() || frame.description.trim();
      if (frame.src) out.push(`<img src="${escapeXml(frame.src)}"${alt ? ` alt="${escapeXml(alt)}"` : ''}>`);
      frame = undefined;
    }
    out.push(closer);
  });
  parser.on('text', (text) => {
    if (bodyDepth === 0 || skipDepth > 0) return;
    if (frame?.textTarget) {
      frame[frame.textTarget] += text;
      return;
    }
    if (frame) return;
    // As in HTML, whitespace in the markup collapses; spaces that count are written as text:s.
    out.push(escapeXml(text.replace(/[\t\n\r ]+/g, ' ')));
  });
  parser.write(content).close();
  // Consecutive lines of preformatted text (LibreOffice writes one paragraph a line) are one code block.
  return out.join('').replace(/<\/pre><pre>/g, '\n');
}
