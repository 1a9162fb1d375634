import { parseDocument as parseHtml } from 'htmlparser2';
import { cleanText, type KnowledgeSection, type KnowledgeSourceDocument } from '../knowledge-document.ts';

/**
 * The labour ministry's fiches (`@socialgouv/fiches-travail-data`, travail-emploi.gouv.fr): one document
 * per fiche, one section per section of the page (titled, often as a question), with the Code du travail
 * articles each section cites.
 */
export interface FicheTravail {
  readonly pubId: string;
  readonly title: string;
  readonly description?: string;
  readonly intro?: string;
  readonly date?: string;
  readonly url?: string;
  readonly sections?: ReadonlyArray<{
    readonly anchor?: string;
    readonly title?: string;
    readonly description?: string;
    readonly html?: string;
    readonly text?: string;
    readonly references?: Readonly<
      Record<string, { readonly articles?: ReadonlyArray<{ readonly text?: string; readonly fmt?: string }> }>
    >;
  }>;
}

export function parseFicheTravail(fiche: FicheTravail): KnowledgeSourceDocument {
  const sections: KnowledgeSection[] = [];
  const intro = fiche.intro ? textOfHtml(fiche.intro) : '';
  if (intro) sections.push({ headings: [], text: intro });
  for (const section of fiche.sections ?? []) {
    const title = cleanText(section.title ?? '');
    const text = section.text ? section.text.split(/\n+/).map(cleanText).filter(Boolean).join('\n') : '';
    const body = text || (section.html ? textOfHtml(section.html) : '');
    const articles = Object.values(section.references ?? {})
      .flatMap((reference) => reference.articles ?? [])
      .map((article) => cleanText(article.text ?? article.fmt ?? ''))
      .filter(Boolean);
    const cited = articles.length > 0 ? `\nArticles cités : ${[...new Set(articles)].join(', ')}` : '';
    if (body || cited) sections.push({ headings: title ? [title] : [], text: `${body}${cited}`.trim() });
  }
  return {
    externalId: fiche.pubId,
    kind: 'fiche-travail',
    title: cleanText(fiche.title),
    url: fiche.url ?? null,
    date: isoDateOf(fiche.date),
    audiences: [],
    description: fiche.description ? cleanText(fiche.description) : null,
    context: [],
    sections,
    relatedQuestions: [],
  };
}

/** `13/11/2025` → `2025-11-13`. */
function isoDateOf(date: string | undefined): string | null {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date ?? '');
  return match ? `${match[3]}-${match[2]}-${match[1]}` : null;
}

const blockTags = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'br', 'ul', 'ol', 'table']);

/** The text of an HTML fragment, one line per block. */
export function textOfHtml(html: string): string {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    const text = cleanText(line);
    if (text) lines.push(text);
    line = '';
  };
  interface Node {
    readonly type: string;
    readonly name?: string;
    readonly data?: string;
    readonly children?: readonly Node[];
  }
  const visit = (node: Node) => {
    if (node.type === 'text') line += node.data ?? '';
    else if (node.type === 'tag' || node.type === 'root') {
      if (node.name === 'script' || node.name === 'style') return;
      const isBlock = node.name !== undefined && blockTags.has(node.name);
      if (isBlock) flush();
      if (node.name === 'li') line += '- ';
      for (const child of node.children ?? []) visit(child);
      if (isBlock) flush();
      else if (node.name === 'td' || node.name === 'th') line += ' | ';
    }
  };
  visit(parseHtml(html, { decodeEntities: true }));
  flush();
  return lines.join('\n');
}
