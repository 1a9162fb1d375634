/**
 * The text analysis of search, the same for indexing and for queries and on both databases: words are
 * cut out of the text, lower-cased, stripped of their accents, freed of their elisions (`l'`, `d'`,
 * `qu'`...), French stop words are dropped, and each remaining word is indexed twice when they differ:
 * as written (accents folded, for prefix queries) and as its stem (for `impôts` to find `impôt`).
 *
 * The stemmer is a light one of our own, after J. Savoy's light French stemmer ("A stemming procedure
 * and stopword list for general French corpora", JASIS 1999): it removes plural and feminine endings
 * and a few derivational suffixes, and works on folded words so that a query typed without accents
 * stems exactly like the accented text.
 */

/** Longer words are cut to this length: no language needs more, and both databases accept it. */
export const maxTokenLength = 64;

/** A word of a text, with where it stands in the original string. */
export interface TextWord {
  /** The word as written (one part of an elided form: `administration` in `l'administration`). */
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** A word of a query. */
export interface QueryTerm {
  /** The word as typed, folded: what a prefix query starts with. */
  readonly surface: string;
  /** Its stem: what an exact query matches. */
  readonly stem: string;
  /**
   * `exact`: the stem only (a word followed by more text); `prefix`: words starting with the surface
   * (a word typed with `*`, or a stop word still being typed); `exact-or-prefix`: either, for the last
   * word of a query still being typed.
   */
  readonly match: 'exact' | 'prefix' | 'exact-or-prefix';
}

// Letters (with combining marks, for text in decomposed form) and digits, with apostrophes inside.
const wordPattern = /[\p{L}\p{M}\p{N}]+(?:['’ʼ][\p{L}\p{M}\p{N}]+)*/gu;
const apostrophePattern = /['’ʼ]/;
const combiningMarks = /\p{M}/gu;
const digitPattern = /[0-9]/;

/** Elided words before an apostrophe: `l'état`, `d'accès`, `qu'il`, `jusqu'au`, `lorsqu'elle`. */
const elisions = new Set(['l', 'd', 'j', 'm', 'n', 's', 't', 'c', 'qu', 'jusqu', 'lorsqu', 'puisqu', 'quoiqu']);

/**
 * French stop words, folded: articles, pronouns, prepositions, conjunctions and the forms of `être` and
 * `avoir` (after the Snowball list). `est` is kept: it is also the East (`Grand Est`).
 */
const stopWords = new Set(
  (
    'a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions aurons ' +
    'auront aux avaient avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons ' +
    'c ce ceci cela ces cet cette d dans de des du elle elles en es et etaient etais etait etant etante ' +
    'etantes etants ete etee etees etes etiez etions eu eue eues eumes eurent eus eusse eussent eusses ' +
    'eussiez eussions eut eutes eux fumes furent fus fusse fussent fusses fussiez fussions fut futes ' +
    'il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ont ou ' +
    'par pas pour qu que quel quelle quelles quels qui s sa sans se sera serai seraient serais serait ' +
    'seras serez seriez serions serons seront ses si soi soient sois soit sommes son sont soyez soyons ' +
    'suis sur t ta te tes toi ton tu un une vos votre vous y'
  ).split(' '),
);

const specialLetters: Readonly<Record<string, string>> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  ı: 'i',
};
const specialLetterPattern = /[œæßøđłı]/g;

/** Folded forms of words already seen: the words of a corpus repeat. */
const foldCache = new Map<string, string>();
/** Bounds of the caches: a few megabytes at most. */
const cacheSize = 100_000;
const asciiLowerCase = /^[a-z0-9]*$/;

/** Lower case without accents: `Élève` → `eleve`, `Œuvre` → `oeuvre`. */
export function foldWord(word: string): string {
  if (asciiLowerCase.test(word)) return word.length > maxTokenLength ? word.slice(0, maxTokenLength) : word;
  const cached = foldCache.get(word);
  if (cached !== undefined) return cached;
  let folded = word
    .toLowerCase()
    .normalize('NFD')
    .replace(combiningMarks, '')
    .replace(specialLetterPattern, (letter) => specialLetters[letter] ?? letter);
  if (folded.length > maxTokenLength) folded = folded.slice(0, maxTokenLength);
  if (foldCache.size >= cacheSize) foldCache.clear();
  foldCache.set(word, folded);
  return folded;
}

export function isStopWord(folded: string): boolean {
  return stopWords.has(folded);
}

/**
 * Calls `visit` with each word of a text and its position, until it returns false. An elided form
 * gives its word without the elision (`l'administration` → `administration`); other apostrophes
 * separate words (`aujourd'hui`).
 */
export function scanWords(text: string, visit: (word: string, start: number, end: number) => boolean | void): void {
  const pattern = new RegExp(wordPattern);
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const whole = match[0];
    const start = match.index;
    if (!apostrophePattern.test(whole)) {
      if (visit(whole, start, start + whole.length) === false) return;
      continue;
    }
    const parts = whole.split(apostrophePattern);
    let offset = start;
    for (const [index, part] of parts.entries()) {
      const isElision = index < parts.length - 1 && elisions.has(foldWord(part));
      if (!isElision && visit(part, offset, offset + part.length) === false) return;
      offset += part.length + 1;
    }
  }
}

/** The words of a text with their positions (see `scanWords`). */
export function textWords(text: string): TextWord[] {
  const words: TextWord[] = [];
  scanWords(text, (word, start, end) => {
    words.push({ word, start, end });
  });
  return words;
}

/** The forms under which a folded word is indexed: as written, and its stem when it differs. */
export function indexForms(folded: string): readonly [string] | readonly [string, string] {
  const stem = stemFrench(folded);
  return stem === folded ? [folded] : [folded, stem];
}

/** The indexed forms of words as written (null for a stop word): a text's words repeat. */
const formsCache = new Map<string, readonly string[] | null>();

/**
 * The words of a text as the index holds them, in order: each word that is not a stop word, as its
 * forms (folded, then its stem when it differs). Both databases index exactly these tokens.
 */
export function indexedWords(text: string): Array<readonly string[]> {
  const words: Array<readonly string[]> = [];
  scanWords(text, (word) => {
    let forms = formsCache.get(word);
    if (forms === undefined) {
      const folded = foldWord(word);
      forms = isStopWord(folded) ? null : indexForms(folded);
      if (formsCache.size >= cacheSize) formsCache.clear();
      formsCache.set(word, forms);
    }
    if (forms !== null) words.push(forms);
  });
  return words;
}

/** A word followed by `*` is a prefix from this many characters: shorter ones match most of the index. */
export const minPrefixLength = 2;
/**
 * The word being typed (the last one, nothing after it) also matches as a prefix from this many
 * characters; shorter, it matches as a word only. Two letters (`pr`, `de`) would match a large part of
 * the index at every keystroke, for results nobody reads.
 */
export const minTypedPrefixLength = 3;

/**
 * The terms of a query, all required. The last word counts as a word being typed (exact or prefix)
 * unless something follows it (a space, punctuation); a word followed by `*` is a prefix. Stop words
 * are dropped, except a query's only word while it is being typed (`de` on its way to `demande`).
 */
export function queryTerms(query: string): QueryTerm[] {
  const terms = new Map<string, QueryTerm>();
  let openStopWord: QueryTerm | undefined;
  for (const { word, end } of textWords(query)) {
    const folded = foldWord(word);
    const isStarred = query[end] === '*';
    const canPrefix = isStarred
      ? folded.length >= minPrefixLength
      : end === query.length && folded.length >= minTypedPrefixLength;
    if (isStopWord(folded)) {
      if (canPrefix) openStopWord = { surface: folded, stem: folded, match: 'prefix' };
      continue;
    }
    const match = isStarred ? 'prefix' : canPrefix ? 'exact-or-prefix' : 'exact';
    if (isStarred && !canPrefix) continue;
    const term: QueryTerm = { surface: folded, stem: stemFrench(folded), match };
    terms.set(`${term.match}:${term.surface}`, term);
  }
  if (terms.size === 0 && openStopWord) return [openStopWord];
  return [...terms.values()];
}

/** Whether a word of a text (folded) matches a query term, exactly as the index decides it. */
export function wordMatches(folded: string, term: QueryTerm): boolean {
  const forms = indexForms(folded);
  if (term.match !== 'prefix' && forms.includes(term.stem)) return true;
  return term.match !== 'exact' && forms.some((form) => form.startsWith(term.surface));
}

/** Stems of the words already seen. */
const stemCache = new Map<string, string>();

/**
 * The light stem of a folded word. Words of three letters or less and words with digits are kept as
 * they are; the result is never shorter than four letters.
 */
export function stemFrench(folded: string): string {
  if (folded.length <= 3 || digitPattern.test(folded)) return folded;
  const cached = stemCache.get(folded);
  if (cached !== undefined) return cached;
  const stem = computeStem(folded);
  if (stemCache.size >= cacheSize) stemCache.clear();
  stemCache.set(folded, stem);
  return stem;
}

/**
 * Derivational and feminine endings: the first that ends the word is replaced, when a root of four
 * letters (or the rule's own minimum) remains.
 */
const suffixRules: ReadonlyArray<readonly [suffix: string, replacement: string, minimumRoot?: number]> = [
  ['issement', 'ir'], // établissement → établir
  ['isation', 'iser'], // organisation → organiser
  ['atrice', 'er'], // administratrice → administrer
  ['ateur', 'er'], // administrateur → administrer
  ['ation', 'er'], // déclaration → déclarer
  ['ative', 'er'], // administrative → administrer
  ['atif', 'er'], // administratif → administrer
  ['ition', 'ir'], // définition → définir
  ['trice', 'teur'], // directrice → directeur
  ['teuse', 'teur'], // chanteuse → chanteur
  ['euse', 'eu'], // heureuse → heureu(x)
  ['ive', 'if', 3], // active → actif
  ['elle', 'el'], // professionnelle → professionnel
  ['enne', 'en'], // européenne → européen
  ['ique', 'ic'], // publique → public
];

function computeStem(word: string): string {
  let stem = word;
  // Plurals: bureaux → bureau, journaux → journal, heureux → heureu, impôts → impôt.
  if (stem.endsWith('eaux')) stem = stem.slice(0, -1);
  else if (stem.endsWith('aux') && stem.length > 4) stem = `${stem.slice(0, -3)}al`;
  else if (stem.endsWith('x') || stem.endsWith('s')) stem = stem.slice(0, -1);
  // Adverbs: rapidement → rapide, administrativement → administrative.
  if (stem.endsWith('ement') && !stem.endsWith('issement') && stem.length >= 9) stem = stem.slice(0, -4);
  for (const [suffix, replacement, minimumRoot = 4] of suffixRules) {
    if (stem.endsWith(suffix)) {
      if (stem.length - suffix.length >= minimumRoot) stem = stem.slice(0, -suffix.length) + replacement;
      break;
    }
  }
  // Endings of verbs, participles and feminines: déclarer, déclarée, déclaré → déclar(e).
  if (stem.length > 5 && stem.endsWith('ie')) stem = stem.slice(0, -2);
  while (stem.length > 4 && (stem.endsWith('e') || stem.endsWith('r'))) stem = stem.slice(0, -1);
  // A doubled final letter: appell → appel.
  if (stem.length > 4 && stem.at(-1) === stem.at(-2)) stem = stem.slice(0, -1);
  return stem;
}
