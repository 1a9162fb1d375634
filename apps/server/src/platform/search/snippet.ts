import { foldWord, isStopWord, scanWords, wordMatches, type QueryTerm } from './french-analyser.ts';

/** A piece of a snippet: the web app shows `match` pieces highlighted, as text (no HTML). */
export interface SnippetSegment {
  readonly text: string;
  readonly match: boolean;
}

export interface SnippetOptions {
  /** About how many characters the snippet shows; 200 by default. */
  readonly length?: number;
  /** Only the text's first characters are searched for matches; 20,000 by default. */
  readonly scanLength?: number;
}

const defaultLength = 200;
const defaultScanLength = 20_000;
const ellipsis = '…';
const whitespace = /\s+/g;

interface Match {
  readonly start: number;
  readonly end: number;
  readonly terms: readonly number[];
}

/**
 * The passage of `text` that best shows why it matched `terms`: the window with the most distinct
 * terms (the earliest among equals), cut at word boundaries, with its matching words marked. A text
 * where no term matches (the title did) gives its beginning.
 */
export function buildSnippet(
  text: string,
  terms: readonly QueryTerm[],
  options: SnippetOptions = {},
): SnippetSegment[] {
  const length = options.length ?? defaultLength;
  if (text.trim().length === 0) return [];
  const matches = findMatches(text, terms, length, options.scanLength ?? defaultScanLength);
  const best = bestWindow(matches, length);
  if (!best) {
    const end = wordEndBefore(text, Math.min(text.length, length));
    return present(text, 0, end, []);
  }
  const first = matches[best.from];
  const last = matches[best.to];
  if (!first || !last) return [];
  // Some context before the first match, the rest after the last one.
  const slack = Math.max(0, length - (last.end - first.start));
  const start = wordStartAfter(text, Math.max(0, first.start - Math.min(Math.floor(slack / 3), 60)), first.start);
  const end = Math.max(last.end, wordEndBefore(text, Math.min(text.length, start + length)));
  return present(
    text,
    start,
    end,
    matches.slice(best.from, best.to + 1).filter((match) => match.start >= start && match.end <= end),
  );
}

function findMatches(text: string, terms: readonly QueryTerm[], length: number, scanLength: number): Match[] {
  if (terms.length === 0) return [];
  // Stems only change the end of a word: a word can match only if it starts with a term's first letter.
  const firstLetters = new Set(terms.flatMap((term) => [term.surface[0], term.stem[0]]));
  const foldedFirst = new Map<string, string>();
  const matchedTerms = new Map<string, number[]>();
  const matches: Match[] = [];
  const scanned = text.length > scanLength ? text.slice(0, scanLength) : text;
  let stopAt = Infinity;
  scanWords(scanned, (word, start, end) => {
    if (start >= stopAt) return false;
    const head = word[0] ?? '';
    let letter = foldedFirst.get(head);
    if (letter === undefined) {
      letter = foldWord(head)[0] ?? '';
      foldedFirst.set(head, letter);
    }
    if (!firstLetters.has(letter)) return true;
    const folded = foldWord(word);
    let found = matchedTerms.get(folded);
    if (found === undefined) {
      found = isStopWord(folded) ? [] : terms.flatMap((term, index) => (wordMatches(folded, term) ? [index] : []));
      matchedTerms.set(folded, found);
    }
    if (found.length === 0) return true;
    matches.push({ start, end, terms: found });
    // Every term in one window: nothing after the next window can do better than this earliest one.
    if (stopAt === Infinity && distinctTermsBetween(matches, end - length, matches.length - 1) === terms.length) {
      stopAt = end + length;
    }
    return true;
  });
  return matches;
}

function distinctTermsBetween(matches: readonly Match[], from: number, lastIndex: number): number {
  const seen = new Set<number>();
  for (let index = lastIndex; index >= 0; index -= 1) {
    const match = matches[index];
    if (!match || match.start < from) break;
    for (const term of match.terms) seen.add(term);
  }
  return seen.size;
}

/** The run of matches fitting in `length` characters with the most distinct terms, then the most matches. */
function bestWindow(matches: readonly Match[], length: number): { from: number; to: number } | undefined {
  let best: { from: number; to: number; distinct: number; count: number } | undefined;
  let to = 0;
  for (let from = 0; from < matches.length; from += 1) {
    const first = matches[from];
    if (!first) break;
    to = Math.max(to, from);
    while (to + 1 < matches.length && (matches[to + 1]?.end ?? Infinity) - first.start <= length) to += 1;
    const seen = new Set<number>();
    for (let index = from; index <= to; index += 1) for (const term of matches[index]?.terms ?? []) seen.add(term);
    const count = to - from + 1;
    if (!best || seen.size > best.distinct || (seen.size === best.distinct && count > best.count)) {
      best = { from, to, distinct: seen.size, count };
    }
  }
  return best && { from: best.from, to: best.to };
}

/** `position`, moved forward to the start of a word when it falls inside one (never past `limit`). */
function wordStartAfter(text: string, position: number, limit: number): number {
  if (position === 0) return 0;
  let start = position;
  while (start < limit && !/\s/.test(text[start - 1] ?? ' ')) start += 1;
  return start;
}

/** `position`, moved back to the end of a word when it falls inside one. */
function wordEndBefore(text: string, position: number): number {
  if (position >= text.length) return text.length;
  let end = position;
  while (end > 0 && !/\s/.test(text[end] ?? ' ')) end -= 1;
  return end === 0 ? position : end;
}

function present(text: string, start: number, end: number, matches: readonly Match[]): SnippetSegment[] {
  const segments: SnippetSegment[] = [];
  const push = (piece: string, match: boolean) => {
    if (piece.length === 0) return;
    const previous = segments.at(-1);
    if (previous && previous.match === match) {
      segments[segments.length - 1] = { text: (previous.text + piece).replace(whitespace, ' '), match };
    } else {
      segments.push({ text: piece.replace(whitespace, ' '), match });
    }
  };
  if (start > 0) push(`${ellipsis} `, false);
  let cursor = start;
  for (const match of matches) {
    push(text.slice(cursor, match.start), false);
    push(text.slice(match.start, match.end), true);
    cursor = match.end;
  }
  push(text.slice(cursor, end), false);
  if (end < text.length) push(` ${ellipsis}`, false);
  // No leading or trailing blank around the passage.
  const first = segments[0];
  if (first && !first.match) segments[0] = { text: first.text.trimStart(), match: false };
  const last = segments.at(-1);
  if (last && !last.match) segments[segments.length - 1] = { text: last.text.trimEnd(), match: false };
  return segments.filter((segment) => segment.text.length > 0);
}
