import { analyseText } from './analyser.ts';

/**
 * An in-memory BM25F index of a collection's documents (Robertson & Zaragoza, "The Probabilistic
 * Relevance Framework: BM25 and Beyond", 2009): each field has its own weight and length normalisation,
 * the weighted term frequencies are summed before saturation, so that a word in the title and again in
 * the body counts once, strongly, rather than twice. Built from the database when a collection is first
 * searched (seconds for the Code du travail), rebuilt when it changes.
 */
export const fieldNames = ['title', 'context', 'description', 'headings', 'body', 'related'] as const;
export type FieldName = (typeof fieldNames)[number];
const fieldCount = fieldNames.length;

export interface FieldParameters {
  readonly weight: number;
  /** Length normalisation: 0 none, 1 full. */
  readonly b: number;
}

export interface Bm25fParameters {
  readonly k1: number;
  readonly fields: Readonly<Record<FieldName, FieldParameters>>;
}

export interface IndexableDocument {
  readonly kind: string;
  readonly fields: Partial<Readonly<Record<FieldName, string>>>;
}

export interface WeightedTerm {
  readonly term: string;
  readonly weight: number;
}

export interface LexicalHit {
  /** The document's position in the list the index was built from. */
  readonly document: number;
  readonly score: number;
}

export interface LexicalSearchOptions {
  readonly limit: number;
  readonly parameters: Bm25fParameters;
  /** Only documents of these kinds. */
  readonly kinds?: ReadonlySet<string>;
  /** Fields not searched (their weight taken as 0). */
  readonly excludedFields?: ReadonlySet<FieldName>;
}

interface Posting {
  readonly documents: Int32Array;
  /** Term frequencies, `fieldCount` per document, in `fieldNames` order. */
  readonly frequencies: Uint16Array;
}

export class LexicalIndex {
  readonly documentCount: number;
  private readonly postings: Map<string, Posting>;
  /** Field lengths in terms, `fieldCount` per document. */
  private readonly lengths: Uint32Array;
  private readonly averageLengths: Float64Array;
  private readonly kinds: readonly string[];
  private readonly scores: Float64Array;

  private constructor(
    postings: Map<string, Posting>,
    lengths: Uint32Array,
    averageLengths: Float64Array,
    kinds: readonly string[],
  ) {
    this.postings = postings;
    this.lengths = lengths;
    this.averageLengths = averageLengths;
    this.kinds = kinds;
    this.documentCount = kinds.length;
    this.scores = new Float64Array(kinds.length);
  }

  static build(documents: readonly IndexableDocument[]): LexicalIndex {
    const count = documents.length;
    const lengths = new Uint32Array(count * fieldCount);
    const building = new Map<string, { documents: number[]; frequencies: number[] }>();
    const termFrequencies = new Map<string, Uint16Array>();
    for (const [position, document] of documents.entries()) {
      termFrequencies.clear();
      for (let field = 0; field < fieldCount; field++) {
        const text = document.fields[fieldNames[field] as FieldName];
        if (!text) continue;
        const terms = analyseText(text);
        lengths[position * fieldCount + field] = terms.length;
        for (const term of terms) {
          let frequencies = termFrequencies.get(term);
          if (!frequencies) {
            frequencies = new Uint16Array(fieldCount);
            termFrequencies.set(term, frequencies);
          }
          if (frequencies[field]! < 65_535) frequencies[field]!++;
        }
      }
      for (const [term, frequencies] of termFrequencies) {
        let posting = building.get(term);
        if (!posting) {
          posting = { documents: [], frequencies: [] };
          building.set(term, posting);
        }
        posting.documents.push(position);
        for (const frequency of frequencies) posting.frequencies.push(frequency);
      }
    }
    const postings = new Map<string, Posting>();
    for (const [term, posting] of building) {
      postings.set(term, {
        documents: Int32Array.from(posting.documents),
        frequencies: Uint16Array.from(posting.frequencies),
      });
    }
    const averageLengths = new Float64Array(fieldCount);
    for (let field = 0; field < fieldCount; field++) {
      let total = 0;
      for (let position = 0; position < count; position++) total += lengths[position * fieldCount + field]!;
      averageLengths[field] = count > 0 ? Math.max(total / count, 1) : 1;
    }
    return new LexicalIndex(
      postings,
      lengths,
      averageLengths,
      documents.map((document) => document.kind),
    );
  }

  /** How many documents hold the term. */
  documentFrequency(term: string): number {
    return this.postings.get(term)?.documents.length ?? 0;
  }

  /** BM25's inverse document frequency (never negative). */
  inverseDocumentFrequency(term: string): number {
    const frequency = this.documentFrequency(term);
    return Math.log(1 + (this.documentCount - frequency + 0.5) / (frequency + 0.5));
  }

  /**
   * BM25F scores of the given documents only (a few chunks of the best documents): each term's posting is
   * searched for them by bisection instead of scoring every document that holds it.
   */
  scoreOnly(terms: readonly WeightedTerm[], documents: readonly number[], parameters: Bm25fParameters): Float64Array {
    const scores = new Float64Array(documents.length);
    const k1 = parameters.k1;
    for (const { term, weight } of terms) {
      const posting = this.postings.get(term);
      if (!posting || weight <= 0) continue;
      const idf = this.inverseDocumentFrequency(term) * weight;
      for (const [slot, document] of documents.entries()) {
        const index = positionIn(posting.documents, document);
        if (index < 0) continue;
        let frequency = 0;
        for (let field = 0; field < fieldCount; field++) {
          const raw = posting.frequencies[index * fieldCount + field]!;
          const fieldParameters = parameters.fields[fieldNames[field]!];
          if (raw === 0 || fieldParameters.weight === 0) continue;
          const b = fieldParameters.b;
          frequency +=
            (fieldParameters.weight * raw) /
            (1 - b + (b * this.lengths[document * fieldCount + field]!) / this.averageLengths[field]!);
        }
        if (frequency > 0) scores[slot]! += (idf * frequency * (k1 + 1)) / (k1 + frequency);
      }
    }
    return scores;
  }

  /** Whether the document holds the term (in a searched field). */
  holds(document: number, term: string, excludedFields?: ReadonlySet<FieldName>): boolean {
    const posting = this.postings.get(term);
    if (!posting) return false;
    let low = 0;
    let high = posting.documents.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const value = posting.documents[middle]!;
      if (value === document) {
        if (!excludedFields) return true;
        for (let field = 0; field < fieldCount; field++) {
          if (posting.frequencies[middle * fieldCount + field]! > 0 && !excludedFields.has(fieldNames[field]!))
            return true;
        }
        return false;
      }
      if (value < document) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /** The best documents for the terms, best first. */
  search(terms: readonly WeightedTerm[], options: LexicalSearchOptions): LexicalHit[] {
    const { parameters } = options;
    const weights = new Float64Array(fieldCount);
    const normalisation = new Float64Array(fieldCount);
    for (let field = 0; field < fieldCount; field++) {
      const name = fieldNames[field] as FieldName;
      const fieldParameters = parameters.fields[name];
      weights[field] = options.excludedFields?.has(name) ? 0 : fieldParameters.weight;
      normalisation[field] = fieldParameters.b;
    }
    const scores = this.scores;
    const touched: number[] = [];
    const k1 = parameters.k1;
    for (const { term, weight } of terms) {
      const posting = this.postings.get(term);
      if (!posting || weight <= 0) continue;
      const idf = this.inverseDocumentFrequency(term) * weight;
      const { documents, frequencies } = posting;
      for (let index = 0; index < documents.length; index++) {
        const document = documents[index]!;
        let frequency = 0;
        const base = index * fieldCount;
        const lengthBase = document * fieldCount;
        for (let field = 0; field < fieldCount; field++) {
          const raw = frequencies[base + field]!;
          if (raw === 0 || weights[field] === 0) continue;
          const b = normalisation[field]!;
          frequency +=
            (weights[field]! * raw) / (1 - b + (b * this.lengths[lengthBase + field]!) / this.averageLengths[field]!);
        }
        if (frequency === 0) continue;
        if (scores[document] === 0) touched.push(document);
        scores[document]! += (idf * frequency * (k1 + 1)) / (k1 + frequency);
      }
    }
    const hits: LexicalHit[] = [];
    for (const document of touched) {
      const score = scores[document]!;
      scores[document] = 0;
      if (options.kinds && !options.kinds.has(this.kinds[document]!)) continue;
      hits.push({ document, score });
    }
    return topOf(hits, options.limit);
  }
}

/** Where `value` sits in an ascending array, or -1. */
function positionIn(values: Int32Array, value: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = values[middle]!;
    if (found === value) return middle;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** The `limit` best hits, best first (a partial sort: most queries touch thousands of documents). */
export function topOf(hits: LexicalHit[], limit: number): LexicalHit[] {
  if (hits.length <= limit * 4) return hits.sort(byScore).slice(0, limit);
  let threshold = 0;
  const sample = hits
    .slice(0, Math.min(hits.length, 2_000))
    .map((hit) => hit.score)
    .sort((a, b) => b - a);
  threshold = sample[Math.min(limit, sample.length) - 1] ?? 0;
  const kept = hits.filter((hit) => hit.score >= threshold);
  return (kept.length >= limit ? kept : hits).sort(byScore).slice(0, limit);
}

function byScore(a: LexicalHit, b: LexicalHit): number {
  return b.score - a.score || a.document - b.document;
}
