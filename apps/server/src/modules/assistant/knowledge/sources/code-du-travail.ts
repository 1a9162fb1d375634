import { cleanText, type KnowledgeSourceDocument } from '../knowledge-document.ts';

/**
 * The Code du travail of `@socialgouv/legi-data` (`LEGITEXT000006072050.json`): a tree of sections and
 * articles. Each article in force becomes a document keyed by its number (`L1234-5`); the titles of the
 * parts, books, titles and chapters above it are its context (they say what the article is about far
 * better than its own wording does).
 */
export const codeDuTravailTextId = 'LEGITEXT000006072050';

export interface LegiNode {
  readonly type: string;
  readonly data: {
    readonly title?: string;
    readonly num?: string;
    readonly texte?: string;
    readonly etat?: string;
    readonly cid?: string;
    readonly id?: string;
    readonly dateDebut?: number;
  };
  readonly children?: readonly LegiNode[];
}

/** The articles in force, in the order of the code. */
export function* codeDuTravailArticles(code: LegiNode): Generator<KnowledgeSourceDocument> {
  const seen = new Set<string>();
  function* walk(node: LegiNode, path: readonly string[]): Generator<KnowledgeSourceDocument> {
    if (node.type === 'article') {
      const num = node.data.num?.trim();
      if (!num || node.data.etat !== 'VIGUEUR' || seen.has(num)) return;
      seen.add(num);
      const text = (node.data.texte ?? '')
        .split(/\n\s*\n|\n/)
        .map(cleanText)
        .filter(Boolean)
        .join('\n');
      yield {
        externalId: num,
        kind: 'article',
        title: `Article ${num}`,
        url: node.data.id ? `https://www.legifrance.gouv.fr/codes/article_lc/${node.data.id}` : null,
        date: typeof node.data.dateDebut === 'number' ? new Date(node.data.dateDebut).toISOString().slice(0, 10) : null,
        audiences: [],
        description: null,
        context: path,
        sections: text ? [{ headings: [], text }] : [],
        relatedQuestions: [],
      };
      return;
    }
    const title = node.type === 'section' ? cleanText(node.data.title ?? '') : '';
    const inner = title ? [...path, title] : path;
    for (const child of node.children ?? []) yield* walk(child, inner);
  }
  yield* walk(code, []);
}
