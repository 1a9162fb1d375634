import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../../../platform/errors.ts';
import { evaluateRetrieval, parseEvaluationQueries } from './evaluation.ts';
import type { KnowledgeService } from './knowledge.service.ts';

export const albertUsage = `  albert import <service-public|code-du-travail|fiches-travail> [--path P] [--package SPEC]
                        fill the public collection of that source (its pinned npm data package, fetched
                        once into the data folder, or an export given by path); resumes a stopped import
  albert collections    list the knowledge collections and their last import
  albert eval --collection C --queries FILE.jsonl [--kinds k1,k2] [--no-related-questions] [--json]
                        run a retrieval benchmark (hit@1/5/10, recall@5, MRR@10, latency, index time)`;

interface Output {
  write(text: string): void;
  writeError(text: string): void;
}

/** `bureau albert …`: imports, collections and the retrieval benchmark. Resolves with the exit code. */
export async function runAlbertCommand(args: string[], knowledge: KnowledgeService, output: Output): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'import': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { path: { type: 'string' }, package: { type: 'string' } },
      });
      const [source] = positionals;
      if (!source || positionals.length > 1) {
        output.writeError(`albert import takes one source.\n\n${albertUsage}`);
        return 2;
      }
      let lastShown = 0;
      const started = performance.now();
      const run = await knowledge.runImport(source, {
        path: values.path,
        packageSpec: values.package,
        actor: { system: true, label: 'bureau albert import' },
        log: (line) => output.writeError(line),
        onProgress: ({ processed, total }) => {
          if (processed === total || performance.now() - lastShown > 1_000) {
            lastShown = performance.now();
            output.writeError(
              `${processed}/${total} documents (${Math.round((processed / Math.max(total, 1)) * 100)} %)`,
            );
          }
        },
      });
      output.write(
        `${source}: ${run.processed} documents read from ${run.origin} in ${((performance.now() - started) / 1000).toFixed(1)} s — ` +
          `${run.created} new, ${run.updated} updated, ${run.unchanged} unchanged, ${run.removed} removed.`,
      );
      return 0;
    }
    case 'collections': {
      parseArgs({ args: rest, options: {} });
      const collections = await knowledge.listCollections();
      if (collections.length === 0) output.write('No collection. Run `bureau albert import service-public`.');
      for (const collection of collections) {
        const [last] = await knowledge.listImports(collection.id, 1);
        output.write(
          `${collection.slug}  ${collection.scope}  ${collection.document_count} documents` +
            (last ? `  last import ${last.status} ${last.processed}/${last.total ?? '?'} (${last.origin})` : ''),
        );
      }
      return 0;
    }
    case 'eval': {
      const { values } = parseArgs({
        args: rest,
        options: {
          collection: { type: 'string' },
          queries: { type: 'string' },
          kinds: { type: 'string' },
          'no-related-questions': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
      });
      if (!values.collection || !values.queries) {
        output.writeError(`albert eval needs --collection and --queries.\n\n${albertUsage}`);
        return 2;
      }
      let queries;
      try {
        queries = parseEvaluationQueries(readFileSync(values.queries, 'utf8'));
      } catch (error) {
        output.writeError(`Cannot read ${values.queries}: ${error instanceof Error ? error.message : String(error)}`);
        return 2;
      }
      const started = performance.now();
      const { index } = await knowledge.collectionIndex(values.collection);
      const indexMs = performance.now() - started;
      const kinds = values.kinds
        ? values.kinds
            .split(',')
            .map((kind) => kind.trim())
            .filter(Boolean)
        : undefined;
      const excludeRelatedQuestions = values['no-related-questions'];
      const dense = knowledge.denseStatus();
      const { figures, results } = await evaluateRetrieval(
        async (query) => {
          try {
            const hits = await knowledge.searchForEvaluation(values.collection!, query, {
              ...(kinds ? { kinds } : {}),
              excludeRelatedQuestions,
              limit: 10,
            });
            return hits.map((hit) => ({ id: hit.source.externalId, title: hit.source.title, score: hit.score }));
          } catch (error) {
            // A question of stop words only finds nothing; it still counts as asked.
            if (error instanceof AppError && error.code === 'AI_QUERY_EMPTY') return [];
            throw error;
          }
        },
        queries,
        { indexMs },
      );
      if (values.json) {
        output.write(JSON.stringify(figures));
        return 0;
      }
      if (figures.n === 0) {
        for (const result of results) {
          output.write(`\n${result.qid}  ${result.query}`);
          for (const [rank, hit] of result.results.slice(0, 5).entries()) {
            output.write(`  ${rank + 1}. ${hit.id}  ${hit.title}  (${hit.score.toFixed(2)})`);
          }
        }
        output.write(`\n${results.length} queries without gold ids: read the results above.`);
        output.write(`query p50 ${figures.p50_ms} ms, p95 ${figures.p95_ms} ms; index ${figures.index_ms} ms`);
        return 0;
      }
      output.write(
        [
          `collection ${values.collection}, ${figures.n} queries${kinds ? `, kinds ${kinds.join(',')}` : ''}${excludeRelatedQuestions ? ', without related questions' : ''}, ${dense.isServed ? `lexical + dense (${dense.model}, ${dense.engine})` : 'lexical'}`,
          `hit@1 ${figures['hit@1'].toFixed(3)}  hit@5 ${figures['hit@5'].toFixed(3)}  recall@5 ${figures['recall@5'].toFixed(3)}  hit@10 ${figures['hit@10'].toFixed(3)}  MRR@10 ${figures['mrr@10'].toFixed(3)}`,
          `query p50 ${figures.p50_ms} ms, p95 ${figures.p95_ms} ms; index ${figures.index_ms} ms (${index.size} documents)`,
        ].join('\n'),
      );
      return 0;
    }
    default:
      output.writeError(`Unknown albert command "${subcommand ?? ''}".\n\n${albertUsage}`);
      return 2;
  }
}
