/** One query's results, best first: the documents' ids in their source, titles and scores. */
export type EvaluationSearch = (
  query: string,
) => Promise<ReadonlyArray<{ readonly id: string; readonly title: string; readonly score: number }>>;

/**
 * The retrieval benchmark (`bureau albert eval`): queries of a JSONL file (`{"qid","query","gold":[ids]}`)
 * run through a collection's index, the one the assistant searches, with the usual measures. Ids compare
 * as the documents' ids in their source (a fiche's `ID`, an article's number).
 */
export interface EvaluationQuery {
  readonly qid: string;
  readonly query: string;
  readonly gold?: readonly string[];
}

export interface EvaluationFigures {
  readonly n: number;
  readonly 'hit@1': number;
  readonly 'hit@5': number;
  readonly 'recall@5': number;
  readonly 'hit@10': number;
  readonly 'mrr@10': number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly index_ms: number;
}

export interface QueryResults {
  readonly qid: string;
  readonly query: string;
  readonly results: ReadonlyArray<{ readonly id: string; readonly title: string; readonly score: number }>;
}

/** Parses a JSONL file of queries; a bad line is an error naming it. */
export function parseEvaluationQueries(text: string): EvaluationQuery[] {
  const queries: EvaluationQuery[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`line ${index + 1}: not JSON`);
    }
    const record = value as Partial<EvaluationQuery>;
    if (typeof record.query !== 'string' || !record.query.trim()) throw new Error(`line ${index + 1}: no "query"`);
    if (
      record.gold !== undefined &&
      (!Array.isArray(record.gold) || record.gold.some((id) => typeof id !== 'string'))
    ) {
      throw new Error(`line ${index + 1}: "gold" must be an array of ids`);
    }
    queries.push({
      qid: typeof record.qid === 'string' ? record.qid : String(index + 1),
      query: record.query,
      gold: record.gold,
    });
  }
  return queries;
}

/** Runs every query once; the figures of those with gold ids, and the top results of each. */
export async function evaluateRetrieval(
  search: EvaluationSearch,
  queries: readonly EvaluationQuery[],
  options: { readonly indexMs: number },
): Promise<{ figures: EvaluationFigures; results: QueryResults[] }> {
  let hit1 = 0;
  let hit5 = 0;
  let recall5 = 0;
  let hit10 = 0;
  let reciprocalRanks = 0;
  let judged = 0;
  const latencies: number[] = [];
  const results: QueryResults[] = [];
  for (const query of queries) {
    const started = performance.now();
    const hits = await search(query.query);
    latencies.push(performance.now() - started);
    const ids = hits.map((hit) => hit.id);
    results.push({ qid: query.qid, query: query.query, results: [...hits] });
    if (!query.gold || query.gold.length === 0) continue;
    judged++;
    const gold = new Set(query.gold);
    const rank = ids.findIndex((id) => gold.has(id));
    if (rank === 0) hit1++;
    if (rank >= 0 && rank < 5) hit5++;
    if (rank >= 0) {
      hit10++;
      reciprocalRanks += 1 / (rank + 1);
    }
    recall5 += ids.slice(0, 5).filter((id) => gold.has(id)).length / gold.size;
  }
  latencies.sort((a, b) => a - b);
  const ratio = (value: number) => (judged === 0 ? 0 : round(value / judged, 3));
  return {
    figures: {
      n: judged,
      'hit@1': ratio(hit1),
      'hit@5': ratio(hit5),
      'recall@5': ratio(recall5),
      'hit@10': ratio(hit10),
      'mrr@10': ratio(reciprocalRanks),
      p50_ms: round(percentile(latencies, 0.5), 2),
      p95_ms: round(percentile(latencies, 0.95), 2),
      index_ms: Math.round(options.indexMs),
    },
    results,
  };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)]!;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
