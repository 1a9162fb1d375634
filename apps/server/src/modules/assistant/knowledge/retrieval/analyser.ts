import { foldWord, isStopWord, stemFrench, textWords } from '../../../../platform/search/index.ts';

/**
 * The text analysis of Albert's retrieval: the unified search's French analysis (elisions, folded accents,
 * stop words, the light stemmer), with one term per word (its stem), and, for queries, the words that only
 * shape a question (`comment`, `quelles`, `peut-on`) left out.
 */

/** Words that say a sentence is a question, not what it is about. */
const questionWords = new Set(
  (
    'comment quel quelle quels quelles quoi lequel laquelle lesquels lesquelles est-ce ce cela ca ' +
    'peut peuvent puis-je dois doit doivent faut-il faut il elle ils elles on je tu vous nous ' +
    'etre avoir fait faire faites sait savoir'
  ).split(' '),
);

/** Stems of the words of a text, stop words left out, in order. */
export function analyseText(text: string): string[] {
  const terms: string[] = [];
  for (const { word } of textWords(text)) {
    const folded = foldWord(word);
    if (isStopWord(folded)) continue;
    terms.push(stemFrench(folded));
  }
  return terms;
}

/** Stems of a query's words, without stop words nor question words (kept if nothing else is left). */
export function analyseQuery(query: string): string[] {
  const all: string[] = [];
  const meaningful: string[] = [];
  for (const { word } of textWords(query)) {
    const folded = foldWord(word);
    if (isStopWord(folded)) continue;
    const stem = stemFrench(folded);
    all.push(stem);
    if (!questionWords.has(folded)) meaningful.push(stem);
  }
  return meaningful.length > 0 ? meaningful : all;
}
