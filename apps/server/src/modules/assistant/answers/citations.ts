import { analyseText } from '../knowledge/retrieval/analyser.ts';

/**
 * Albert's citations are `[n]` markers naming the numbered sources of the prompt. Models cite sources they
 * were not given, or hang a citation on a sentence its source does not support (Onyx #1543, Open WebUI
 * #11592): every marker is checked here, on the server, before anyone sees the answer as final.
 */
const markerPattern = /\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/g;
/** Where a marker was removed entirely (a private-use character, never in text). */
const removedMark = '\uE000';

export interface FlaggedCitation {
  readonly number: number;
  readonly reason: 'not-retrieved' | 'not-grounded';
}

export interface CheckedAnswer {
  /** The answer without the markers that were removed. */
  readonly answer: string;
  /** The sources the answer still cites, in order of first citation. */
  readonly cited: readonly number[];
  readonly flagged: readonly FlaggedCitation[];
}

/**
 * A sentence is grounded in a passage when they share at least two words that mean something (stems,
 * stop words aside), or a quarter of the sentence's words: a paraphrase keeps the nouns of its source, an
 * invented claim rarely does. A sentence with fewer than two such words (`Voir [2].`) is not judged.
 */
export function isGrounded(sentence: string, passage: string): boolean {
  const sentenceTerms = new Set(analyseText(sentence.replace(markerPattern, ' ')));
  if (sentenceTerms.size < 2) return true;
  const passageTerms = new Set(analyseText(passage));
  let shared = 0;
  for (const term of sentenceTerms) if (passageTerms.has(term)) shared++;
  return shared >= 2 || shared / sentenceTerms.size >= 0.25;
}

/** Checks every marker of a complete answer against the passages it may cite (by number). */
export function checkCitations(answer: string, passages: ReadonlyMap<number, string>): CheckedAnswer {
  const flagged = new Map<number, FlaggedCitation['reason']>();
  const cited: number[] = [];
  // Sentences end at . ! ? or a line end; a marker belongs to the sentence it closes or follows.
  const sentences = answer.split(/(?<=[.!?…])(?=\s)|(?=\n)/);
  const checked = sentences.map((sentence) =>
    sentence.replace(markerPattern, (_whole, list: string) => {
      const kept: number[] = [];
      for (const number of list.split(/\s*[,;]\s*/).map(Number)) {
        const passage = passages.get(number);
        if (passage === undefined) flagged.set(number, 'not-retrieved');
        else if (!isGrounded(sentence, passage)) {
          if (!flagged.has(number)) flagged.set(number, 'not-grounded');
        } else {
          kept.push(number);
          if (!cited.includes(number)) cited.push(number);
        }
      }
      // A marker removed entirely leaves a mark, so that only the blank before it goes (« Non : » keeps its space).
      return kept.length > 0 ? kept.map((number) => `[${number}]`).join('') : removedMark;
    }),
  );
  // A number kept on one sentence and refused on another stays cited, and flagged: a marker was removed.
  return {
    answer: checked.join('').replace(/[ \t]*\uE000/g, ''),
    cited,
    flagged: [...flagged].map(([number, reason]) => ({ number, reason })),
  };
}

/**
 * Filters a streamed answer as it comes: markers naming no source are dropped at once; a `[` that may
 * open a marker is held back until the marker is complete. Grounding is judged at the end
 * (`checkCitations`), on the whole answer.
 */
export class CitationStreamFilter {
  private pending = '';
  readonly dropped = new Set<number>();
  private readonly validNumbers: ReadonlySet<number>;

  constructor(validNumbers: ReadonlySet<number>) {
    this.validNumbers = validNumbers;
  }

  push(delta: string): string {
    this.pending += delta;
    let ready = this.pending;
    this.pending = '';
    const open = ready.lastIndexOf('[');
    if (open >= 0 && !ready.slice(open).includes(']')) {
      const tail = ready.slice(open);
      if (/^\[[\d\s,;]{0,12}$/.test(tail)) {
        this.pending = tail;
        ready = ready.slice(0, open);
      }
    }
    return this.filter(ready);
  }

  end(): string {
    const rest = this.filter(this.pending);
    this.pending = '';
    return rest;
  }

  private filter(text: string): string {
    return text.replace(markerPattern, (_whole, list: string) => {
      const numbers = list.split(/\s*[,;]\s*/).map(Number);
      const kept = numbers.filter((number) => this.validNumbers.has(number));
      for (const number of numbers) if (!this.validNumbers.has(number)) this.dropped.add(number);
      return kept.map((number) => `[${number}]`).join('');
    });
  }
}
