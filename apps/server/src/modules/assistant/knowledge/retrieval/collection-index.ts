import { analyseQuery } from './analyser.ts';
import { QueryExpander } from './lexicon.ts';
import { LexicalIndex, type Bm25fParameters, type FieldName, type LexicalHit } from './lexical-index.ts';

/**
 * A collection's documents and chunks in memory, searchable: documents are ranked by BM25F over their
 * fields (title, breadcrumb or legal context, summary, headings, body, related questions), then each
 * document's best passages are chosen among its chunks by BM25 over the chunks.
 */
export interface IndexedSource {
  readonly id: string;
  readonly externalId: string;
  readonly kind: string;
  readonly title: string;
  readonly url: string | null;
  readonly date: string | null;
  readonly description: string | null;
  readonly audiences: readonly string[];
  readonly context: readonly string[];
  readonly relatedQuestions: ReadonlyArray<{ readonly id: string; readonly text: string }>;
  /** Acronyms the document defines: the collection's queries expand them. */
  readonly acronyms?: ReadonlyArray<{ readonly short: string; readonly long: string }>;
}

export interface IndexedChunk {
  readonly sourceId: string;
  readonly ordinal: number;
  readonly headings: readonly string[];
  readonly text: string;
}

export interface RetrievedPassage {
  readonly ordinal: number;
  readonly headings: readonly string[];
  readonly text: string;
  readonly score: number;
}

export interface RetrievedSource {
  readonly source: IndexedSource;
  readonly score: number;
  /**
   * The share of the query's weight (its words weighted by rarity) the document holds, 0 to 1: what says
   * whether it is about the question at all, whatever the collection's scores look like.
   */
  readonly coverage: number;
  /** Its best chunks for the query, best first (at least one when it has chunks). */
  readonly passages: readonly RetrievedPassage[];
}

export interface CollectionSearchOptions {
  readonly limit: number;
  readonly kinds?: ReadonlySet<string>;
  /** Leaves the links to related questions out of what is searched (the benchmark's set A rule). */
  readonly excludeRelatedQuestions?: boolean;
  readonly passagesPerSource?: number;
}

/**
 * Field weights fitted on the development split of the Albert benchmark (coordinate ascent on
 * MRR@10 + hit@5, `npm run albert:eval`): fiches are found by their title first; Code du travail articles,
 * whose title is only their number, by where they sit in the code and their text.
 */
export const retrievalProfiles = {
  fiches: {
    k1: 2,
    fields: {
      title: { weight: 23.5, b: 0.5 },
      context: { weight: 1.4, b: 0.25 },
      description: { weight: 1.5, b: 0.5 },
      headings: { weight: 1.5, b: 0.75 },
      body: { weight: 0.35, b: 0.75 },
      related: { weight: 1, b: 0.5 },
    },
  },
  articles: {
    k1: 2,
    fields: {
      title: { weight: 0, b: 0.5 },
      context: { weight: 0.7, b: 0.5 },
      description: { weight: 1.5, b: 0.5 },
      headings: { weight: 1.5, b: 0.5 },
      body: { weight: 0.5, b: 0.25 },
      related: { weight: 1, b: 0.5 },
    },
  },
} as const satisfies Record<string, Bm25fParameters>;

const passageParameters: Bm25fParameters = {
  k1: 1.2,
  fields: {
    title: { weight: 0, b: 0 },
    context: { weight: 0, b: 0 },
    description: { weight: 0, b: 0 },
    headings: { weight: 2, b: 0.5 },
    body: { weight: 1, b: 0.75 },
    related: { weight: 0, b: 0 },
  },
};

const withoutRelated: ReadonlySet<FieldName> = new Set<FieldName>(['related']);

export class CollectionIndex {
  readonly sources: readonly IndexedSource[];
  readonly buildMs: number;
  private readonly documents: LexicalIndex;
  private readonly chunks: readonly IndexedChunk[];
  private readonly chunkIndex: LexicalIndex;
  /** Position of a chunk's source in `sources`, per chunk. */
  private readonly chunkSource: Int32Array;
  /** The chunks of each source: first position in `chunks` and count. */
  private readonly sourceChunks: ReadonlyArray<readonly [first: number, count: number]>;
  private readonly parameters: Bm25fParameters;
  private readonly positions: ReadonlyMap<string, number>;
  private readonly expander: QueryExpander;

  constructor(sources: readonly IndexedSource[], chunks: readonly IndexedChunk[]) {
    const started = performance.now();
    this.sources = sources;
    const positions = new Map(sources.map((source, position) => [source.id, position]));
    this.positions = positions;
    this.expander = new QueryExpander(sources.flatMap((source) => source.acronyms ?? []));
    const ordered = chunks
      .filter((chunk) => positions.has(chunk.sourceId))
      .sort((a, b) => positions.get(a.sourceId)! - positions.get(b.sourceId)! || a.ordinal - b.ordinal);
    this.chunks = ordered;
    this.chunkSource = Int32Array.from(ordered.map((chunk) => positions.get(chunk.sourceId)!));
    const sourceChunks: Array<[number, number]> = sources.map(() => [0, 0]);
    const bodies: string[][] = sources.map(() => []);
    const headings: Array<Set<string>> = sources.map(() => new Set());
    for (const [position, chunk] of ordered.entries()) {
      const source = this.chunkSource[position]!;
      const range = sourceChunks[source]!;
      if (range[1] === 0) range[0] = position;
      range[1]++;
      bodies[source]!.push(chunk.text);
      for (const heading of chunk.headings) headings[source]!.add(heading);
    }
    this.sourceChunks = sourceChunks;
    this.documents = LexicalIndex.build(
      sources.map((source, position) => ({
        kind: source.kind,
        fields: {
          title: source.kind === 'article' ? '' : source.title,
          context: source.context.join('\n'),
          description: source.description ?? '',
          headings: [...headings[position]!].join('\n'),
          body: bodies[position]!.join('\n'),
          related: source.relatedQuestions.map((question) => question.text).join('\n'),
        },
      })),
    );
    this.chunkIndex = LexicalIndex.build(
      ordered.map((chunk) => ({ kind: '', fields: { headings: chunk.headings.join('\n'), body: chunk.text } })),
    );
    const articles = sources.filter((source) => source.kind === 'article').length;
    this.parameters = articles * 2 > sources.length ? retrievalProfiles.articles : retrievalProfiles.fiches;
    this.buildMs = performance.now() - started;
  }

  get size(): number {
    return this.sources.length;
  }

  search(query: string, options: CollectionSearchOptions): RetrievedSource[] {
    const terms = this.expander.expand(analyseQuery(query));
    if (terms.length === 0) return [];
    const hits = this.documents.search(terms, {
      limit: options.limit,
      parameters: this.parameters,
      kinds: options.kinds,
      excludedFields: options.excludeRelatedQuestions ? withoutRelated : undefined,
    });
    if (hits.length === 0) return [];
    const passagesPerSource = options.passagesPerSource ?? 2;
    // Passages: only the chunks of the documents found are scored.
    const candidates: number[] = [];
    for (const hit of hits) {
      const [first, count] = this.sourceChunks[hit.document]!;
      for (let chunk = first; chunk < first + count; chunk++) candidates.push(chunk);
    }
    const chunkScores = this.chunkIndex.scoreOnly(terms, candidates, passageParameters);
    const wanted = new Map<number, LexicalHit[]>(hits.map((hit) => [hit.document, []]));
    for (const [slot, chunk] of candidates.entries()) {
      const score = chunkScores[slot]!;
      if (score > 0) wanted.get(this.chunkSource[chunk]!)?.push({ document: chunk, score });
    }
    for (const ranked of wanted.values()) ranked.sort((a, b) => b.score - a.score || a.document - b.document);
    // Coverage counts the question's own words (not the synonyms it gained).
    const coverageOf = this.coverage(
      terms.filter(({ weight }) => weight >= 1).map(({ term }) => term),
      options.excludeRelatedQuestions ? withoutRelated : undefined,
    );
    return hits.map((hit) => {
      const ranked = wanted.get(hit.document)!.slice(0, passagesPerSource);
      const [first, count] = this.sourceChunks[hit.document]!;
      const passages: RetrievedPassage[] =
        ranked.length > 0
          ? ranked.map((chunkHit) => this.passageOf(chunkHit.document, chunkHit.score))
          : count > 0
            ? [this.passageOf(first, 0)]
            : [];
      return { source: this.sources[hit.document]!, score: hit.score, coverage: coverageOf(hit.document), passages };
    });
  }

  /**
   * One document as a result for the query (a document found by its meaning rather than its words): its
   * coverage, and the given chunks as passages first. Undefined for a document the index does not hold or
   * whose kind is filtered out.
   */
  describe(
    sourceId: string,
    query: string,
    score: number,
    ordinals: readonly number[],
    options: Pick<CollectionSearchOptions, 'kinds' | 'excludeRelatedQuestions'>,
  ): RetrievedSource | undefined {
    const position = this.positions.get(sourceId);
    if (position === undefined) return undefined;
    const source = this.sources[position]!;
    if (options.kinds && !options.kinds.has(source.kind)) return undefined;
    const [first, count] = this.sourceChunks[position]!;
    const passages: RetrievedPassage[] = [];
    for (const ordinal of ordinals) {
      for (let chunk = first; chunk < first + count; chunk++) {
        if (this.chunks[chunk]!.ordinal === ordinal) passages.push(this.passageOf(chunk, 0));
      }
    }
    if (passages.length === 0 && count > 0) passages.push(this.passageOf(first, 0));
    const coverageOf = this.coverage(analyseQuery(query), options.excludeRelatedQuestions ? withoutRelated : undefined);
    return { source, score, coverage: coverageOf(position), passages: passages.slice(0, 2) };
  }

  /**
   * How much of the question's weight a document holds, 0 to 1: each word weighs its rarity. A word no
   * document holds would weigh the most of all; it counts as much as the rarest word found, so that one odd
   * word of a question does not hide a document that holds all the others.
   */
  private coverage(
    terms: readonly string[],
    excluded: ReadonlySet<FieldName> | undefined,
  ): (document: number) => number {
    const found = terms.filter((term) => this.documents.documentFrequency(term) > 0);
    const cap = Math.max(...found.map((term) => this.documents.inverseDocumentFrequency(term)), 0.1);
    const weights = terms.map((term) => Math.min(Math.max(this.documents.inverseDocumentFrequency(term), 0.1), cap));
    const total = weights.reduce((sum, weight) => sum + weight, 0) || 1;
    return (document) =>
      terms.reduce(
        (sum, term, index) => sum + (this.documents.holds(document, term, excluded) ? weights[index]! : 0),
        0,
      ) / total;
  }

  private passageOf(position: number, score: number): RetrievedPassage {
    const chunk = this.chunks[position]!;
    return { ordinal: chunk.ordinal, headings: chunk.headings, text: chunk.text, score };
  }
}
