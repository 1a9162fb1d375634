/**
 * Pseudonymisation of personal data for the model providers that must not receive it: before the call,
 * each value detected in the prompt is replaced by a placeholder (`[PERSONNE_1]`, `[EMAIL_1]`,
 * `[TELEPHONE_1]`, `[NIR_1]`, `[IBAN_1]`, `[ADRESSE_1]`, numbered per kind from 1); in the answer, each
 * placeholder is put back, also in a streamed answer where a placeholder may arrive split across chunks.
 * One pseudonymiser serves one request: the messages of a conversation share it, so that a value keeps
 * its placeholder from one message to the next.
 *
 * Detection rules (each is one linear regular-expression pass over the original text; where two matches
 * overlap, the one starting first wins, then the longer one):
 * - EMAIL: a local part of letters, digits and `_.%+-`, an `@`, and a domain of at least two labels.
 * - TELEPHONE: French numbers only: `0X XX XX XX XX` (`X` ≠ 0 after the leading 0), `+33 X XX XX XX XX`,
 *   `+33 (0)X XX XX XX XX` and `0033 X XX XX XX XX`, the pairs separated by spaces (also non-breaking),
 *   dots, dashes or nothing. Ten digits inside a longer run of digits (a SIRET, an account number) are
 *   not a phone number, nor are groups that carry on a longer series of groups (`06 12 34 56 78 90`).
 * - NIR (numéro de sécurité sociale): 13 digits and a 2-digit key, with optional spaces between the usual
 *   groups (`1 85 05 78 006 084 36`); the first digit is 1 or 2 (the sex), the department may be `2A` or
 *   `2B`. The key must equal 97 − (the 13 digits mod 97), `2A` and `2B` counted as 19 and 18: fifteen
 *   digits with a wrong key are not a NIR.
 * - IBAN: two capital letters, two check digits and 11 to 30 capital letters or digits, written in one
 *   block or in groups of four; it must pass the ISO 13616 mod-97 check (a wrong checksum is left alone).
 *   When the last group fails it (a capitalised word after the IBAN), shorter forms are tried.
 * - ADRESSE: a street number (1 to 4 digits, optionally `bis`, `ter`, `quater` or a letter), an optional
 *   comma, a street type (`rue`, `avenue`/`av.`, `boulevard`/`bd`, `place`, `chemin`, `allée`, `impasse`,
 *   `quai`, `route`, `cours`, `square`, `voie`, `résidence`, `lieu-dit`...) and the street name: capitalised
 *   words and numbers, linked by lowercase particles (`de la`, `du`, `des`, `l'`, `d'`, `sur`...), up to
 *   10 words; then, optionally, after a comma, spaces or one line break, a 5-digit postal code and a city
 *   (up to three capitalised words and an optional `CEDEX` number). The whole is one placeholder.
 * - PERSONNE: every name of `knownNames` (case and accents ignored, whole words only, the longest name
 *   first, spaces and hyphens interchangeable), and one to three capitalised words (with nobiliary
 *   particles: `de`, `d'`, `van`...) after a civility (`M.`, `MM.`, `Mr`, `Mme`, `Mmes`, `Mlle`, `Madame`,
 *   `Monsieur`, `Mademoiselle`, `Dr`, `Docteur`, `Pr`, `Professeur`, `Me`, `Maître`); the civility stays
 *   (`Mme [PERSONNE_1]`), so the model still knows how to address the person.
 *
 * The same value keeps the same placeholder: values are compared after folding case, accents and spaces
 * (names, addresses, e-mails) or as bare digits (`06 12 34 56 78` and `+33 6 12 34 56 78` are one phone
 * number). A placeholder is restored to the value as first written.
 *
 * Restoration replaces the placeholders this pseudonymiser issued, written exactly (`[PERSONNE_1]`) or
 * without their brackets (`PERSONNE_1` as a whole word): models sometimes drop the brackets, and an
 * unrestored token would reach the user; a token the pseudonymiser did not issue is left as it is, so
 * ordinary text is never changed. Placeholders already present in the text given to `pseudonymise`
 * (a document pseudonymised by another tool) are reserved: their numbers are not reused.
 *
 * Limits: names are only found after a civility or when the caller knows them (no named-entity
 * recognition in free text: "Jean Dupont a appelé" leaks unless `Jean Dupont` is a known name); a street
 * name written in lowercase, an address without a street number, a foreign phone number, a temporary
 * NIR (starting with 3, 4, 7 or 8), an IBAN in lowercase are not detected; a placeholder rewritten by the
 * model (`[Personne_1]`, `[PERSONNE 1]`) is not restored; the same person written two ways (`Jean Dupont`,
 * `Dupont`) gets two placeholders; a placeholder literally typed in a message after this pseudonymiser
 * issued the same one is restored as the issued value.
 */

/** A kind of personal data, as it appears in placeholders. */
export type PersonalDataKind = 'PERSONNE' | 'EMAIL' | 'TELEPHONE' | 'NIR' | 'IBAN' | 'ADRESSE';

/** Every kind of personal data the pseudonymiser detects. */
export const personalDataKinds: readonly PersonalDataKind[] = [
  'PERSONNE',
  'EMAIL',
  'TELEPHONE',
  'NIR',
  'IBAN',
  'ADRESSE',
];

export interface PseudonymiserOptions {
  /**
   * Names of the people the request is about (the parties of a case, the requester): replaced wherever
   * they occur, whatever their case and accents. Names with fewer than two letters are ignored.
   */
  readonly knownNames?: readonly string[];
}

/** Restores the placeholders of an answer that arrives in chunks. */
export interface StreamRestorer {
  /**
   * The restored text that can be released after this chunk: everything except a possible partial
   * placeholder at the end, held back until the next chunk (never longer than the longest placeholder).
   */
  push(chunk: string): string;
  /** The text still held back, restored: call it once, when the stream ends. */
  flush(): string;
}

export interface Pseudonymiser {
  /** The text with each detected personal value replaced by its placeholder. */
  pseudonymise(text: string): string;
  /** The text with each placeholder this pseudonymiser issued replaced by its original value. */
  restore(text: string): string;
  /** How many distinct values were replaced so far, for usage records. */
  readonly replacements: number;
  /** A restorer for one streamed answer: its outputs concatenated equal `restore` of the whole answer. */
  createStreamRestorer(): StreamRestorer;
}

/** A pseudonymiser for one request (see the file's documentation for the rules and their limits). */
export function createPseudonymiser(options: PseudonymiserOptions = {}): Pseudonymiser {
  const knownNamePattern = buildKnownNamePattern(options.knownNames ?? []);
  const valueByToken = new Map<string, string>();
  const tokenByKey = new Map<string, string>();
  const reservedTokens = new Set<string>();
  const nextNumberByKind = new Map<PersonalDataKind, number>();
  let prefixes: PlaceholderPrefixes | undefined;

  function tokenFor(kind: PersonalDataKind, value: string): string {
    const key = `${kind}\u0000${comparisonKey(kind, value)}`;
    const existing = tokenByKey.get(key);
    if (existing !== undefined) return existing;
    let number = nextNumberByKind.get(kind) ?? 1;
    while (reservedTokens.has(`${kind}_${number}`)) number += 1;
    nextNumberByKind.set(kind, number + 1);
    const token = `${kind}_${number}`;
    tokenByKey.set(key, token);
    valueByToken.set(token, value);
    return token;
  }

  function restoreFrom(text: string, from: number): string {
    placeholderPattern.lastIndex = from;
    let restored = '';
    let copiedUpTo = from;
    for (let match = placeholderPattern.exec(text); match; match = placeholderPattern.exec(text)) {
      const value = valueByToken.get(tokenOfMatch(match));
      if (value === undefined) continue;
      restored += text.slice(copiedUpTo, match.index) + value;
      copiedUpTo = match.index + match[0].length;
    }
    return restored + text.slice(copiedUpTo);
  }

  function currentPrefixes(): PlaceholderPrefixes {
    if (prefixes?.tokenCount !== valueByToken.size) prefixes = buildPrefixes([...valueByToken.keys()]);
    return prefixes;
  }

  /**
   * Where the part of `text` that may still become a placeholder starts: a proper prefix of an issued
   * `[TOKEN]`, or a prefix of a bare `TOKEN` (even a whole one: the next character decides whether it
   * ends there) that starts a word. Placeholders never contain the start of another one, so holding
   * back from the earliest such position never cuts a placeholder that is already complete.
   */
  function heldBackStart(before: string, text: string): number {
    const { bracketed, bare, longest } = currentPrefixes();
    for (let start = Math.max(0, text.length - longest); start < text.length; start++) {
      const fragment = text.slice(start);
      if (bracketed.has(fragment)) return start;
      if (
        bare.has(fragment) &&
        !endsWithWordCharacter(start >= 2 ? text.slice(start - 2, start) : before + text.slice(0, start))
      ) {
        return start;
      }
    }
    return text.length;
  }

  return {
    pseudonymise(text) {
      for (const match of text.matchAll(placeholderPattern)) {
        const token = tokenOfMatch(match);
        if (!valueByToken.has(token)) reservedTokens.add(token);
      }
      const spans = selectSpans(findSpans(text, knownNamePattern));
      if (spans.length === 0) return text;
      let result = '';
      let copiedUpTo = 0;
      for (const span of spans) {
        const token = tokenFor(span.kind, text.slice(span.start, span.end));
        result += `${text.slice(copiedUpTo, span.start)}[${token}]`;
        copiedUpTo = span.end;
      }
      return result + text.slice(copiedUpTo);
    },

    restore(text) {
      return valueByToken.size === 0 ? text : restoreFrom(text, 0);
    },

    get replacements() {
      return valueByToken.size;
    },

    createStreamRestorer() {
      let pending = '';
      // The last characters released: the bare form must not match right after a letter, even when
      // that letter went out with an earlier chunk. Two code units keep a surrogate pair whole.
      let before = '';
      return {
        push(chunk) {
          const text = pending + chunk;
          if (valueByToken.size === 0) {
            pending = '';
            before = text.slice(-2);
            return text;
          }
          const holdFrom = heldBackStart(before, text);
          const released = before + text.slice(0, holdFrom);
          pending = text.slice(holdFrom);
          const restored = restoreFrom(released, before.length);
          before = released.slice(-2);
          return restored;
        },
        flush() {
          const restored = restoreFrom(before + pending, before.length);
          before = (before + pending).slice(-2);
          pending = '';
          return restored;
        },
      };
    },
  };
}

interface Span {
  readonly kind: PersonalDataKind;
  readonly start: number;
  readonly end: number;
}

interface PlaceholderPrefixes {
  readonly tokenCount: number;
  /** Proper prefixes of `[TOKEN]`. */
  readonly bracketed: ReadonlySet<string>;
  /** Prefixes of `TOKEN`, itself included. */
  readonly bare: ReadonlySet<string>;
  /** The longest of all these prefixes. */
  readonly longest: number;
}

function buildPrefixes(tokens: readonly string[]): PlaceholderPrefixes {
  const bracketed = new Set<string>();
  const bare = new Set<string>();
  let longest = 0;
  for (const token of tokens) {
    const placeholder = `[${token}]`;
    for (let length = 1; length < placeholder.length; length++) bracketed.add(placeholder.slice(0, length));
    for (let length = 1; length <= token.length; length++) bare.add(token.slice(0, length));
    longest = Math.max(longest, placeholder.length - 1);
  }
  return { tokenCount: tokens.length, bracketed, bare, longest };
}

const kindAlternation = personalDataKinds.join('|');

// Bracketed, or bare as a whole word. None of the kinds is a prefix of another, nor contains one.
const placeholderPattern = new RegExp(
  `\\[(${kindAlternation})_(\\d+)\\]|(?<![\\p{L}\\p{M}\\p{N}_])(${kindAlternation})_(\\d+)(?![\\p{L}\\p{M}\\p{N}_])`,
  'gu',
);

function tokenOfMatch(match: RegExpMatchArray): string {
  return match[1] === undefined ? `${match[3]}_${match[4]}` : `${match[1]}_${match[2]}`;
}

const trailingWordCharacterPattern = /[\p{L}\p{M}\p{N}_]$/u;

function endsWithWordCharacter(text: string): boolean {
  return trailingWordCharacterPattern.test(text);
}

// Building blocks of the detection patterns. SPACE never crosses a line.
const SPACE = '[ \\t\\u00A0\\u202F]';
const NOT_AFTER_WORD = '(?<![\\p{L}\\p{M}\\p{N}])';
const NOT_BEFORE_WORD = '(?![\\p{L}\\p{M}\\p{N}])';
const CAPITALISED_WORD = "\\p{Lu}\\p{M}*[\\p{L}\\p{M}]*(?:[-'’]\\p{L}\\p{M}*[\\p{L}\\p{M}]*)*";

const emailPattern = /(?<![\p{L}\p{N}_.%+-])[\p{L}\p{N}_.%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

const PHONE_SEPARATOR = '[ .\\-\\u00A0\\u202F]';
const phonePattern = new RegExp(
  `(?<![\\p{L}\\p{N}+])(?:(?:\\+|00)33${PHONE_SEPARATOR}?(?:\\(0\\)${PHONE_SEPARATOR}?)?[1-9]|0[1-9])` +
    `(?:${PHONE_SEPARATOR}?\\d{2}){4}(?!\\p{N})`,
  'gu',
);
const separatedDigitsPattern = /\d[ .\-\u00A0\u202F]\d/;
const groupBeforePattern = /\d[ .\-\u00A0\u202F]$/;
const groupAfterPattern = /^[ .\-\u00A0\u202F]\d/;

/**
 * Whether a phone number written in groups is one stretch of a longer series of digit groups
 * (`06 12 34 56 78 90 12`): then it is not a phone number. One written in a block stands on its own,
 * even next to another number (`0612345678 0698765432`).
 */
function continuesDigitGroups(text: string, start: number, end: number): boolean {
  if (!separatedDigitsPattern.test(text.slice(start, end))) return false;
  return (
    groupBeforePattern.test(text.slice(Math.max(0, start - 2), start)) ||
    groupAfterPattern.test(text.slice(end, end + 2))
  );
}

const nirPattern = new RegExp(
  `${NOT_AFTER_WORD}[12]${SPACE}?\\d{2}${SPACE}?\\d{2}${SPACE}?(?:\\d{2}|2[ABab])${SPACE}?\\d{3}${SPACE}?\\d{3}${SPACE}?\\d{2}${NOT_BEFORE_WORD}`,
  'gu',
);

const ibanPattern = new RegExp(
  `${NOT_AFTER_WORD}[A-Z]{2}\\d{2}(?:${SPACE}?[A-Z0-9]{4}){2,7}(?:${SPACE}?[A-Z0-9]{1,3})?${NOT_BEFORE_WORD}`,
  'gu',
);

const streetTypes = [
  'rue',
  'ruelle',
  'avenue',
  'boulevard',
  'place',
  'chemin',
  'allée',
  'allee',
  'impasse',
  'quai',
  'route',
  'cours',
  'square',
  'voie',
  'résidence',
  'residence',
  'lieu-dit',
  'lieudit',
  'passage',
  'cité',
  'hameau',
  'sentier',
  'promenade',
  'esplanade',
  'parvis',
  'faubourg',
  'chaussée',
  'montée',
  'traverse',
  'rond-point',
  'venelle',
  'lotissement',
];
const abbreviatedStreetTypes = ['av', 'bd', 'bld', 'bvd', 'pl', 'ch', 'imp', 'rte', 'sq', 'fbg'];

function caseVariants(words: readonly string[]): string[] {
  const variants = new Set<string>();
  for (const word of words) {
    variants.add(word);
    variants.add(word.charAt(0).toUpperCase() + word.slice(1));
    variants.add(word.toUpperCase());
  }
  // Longest first, so that `ruelle` is tried before `rue`.
  return [...variants].sort((left, right) => right.length - left.length);
}

const STREET_TYPE = `(?:${caseVariants(streetTypes).join('|')}|(?:${caseVariants(abbreviatedStreetTypes).join('|')})(?![\\p{L}\\p{N}-])\\.?)`;
const STREET_PARTICLES = `(?:(?:de|du|des|la|le|les|et|aux|au|à|sur|sous|en|lès|lez)${SPACE}+|[dl]['’]){1,3}`;
const STREET_WORD = `(?:\\p{Lu}\\p{M}*[\\p{L}\\p{M}]*|\\d{1,4}(?:er|e|ème)?(?!\\p{N}))(?:[-'’][\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}]*)*`;
const CITY_WORD = `(?!(?:CEDEX|Cedex)${NOT_BEFORE_WORD})${CAPITALISED_WORD}`;
const addressPattern = new RegExp(
  `${NOT_AFTER_WORD}\\d{1,4}(?:${SPACE}*(?:bis|ter|quater|BIS|TER|QUATER)|[A-Da-d])?${NOT_BEFORE_WORD},?${SPACE}+` +
    `${STREET_TYPE}(?![\\p{L}\\p{N}-])${SPACE}+` +
    `(?:${STREET_PARTICLES})?${STREET_WORD}(?:${SPACE}+(?:${STREET_PARTICLES})?${STREET_WORD}){0,9}` +
    `(?:,?${SPACE}*(?:\\r?\\n${SPACE}*)?\\d{5}${SPACE}+${CITY_WORD}(?:${SPACE}+${CITY_WORD}){0,2}` +
    `(?:${SPACE}+(?:CEDEX|Cedex)(?:${SPACE}+\\d{1,2})?)?)?`,
  'gu',
);

const civilities = [
  ...caseVariants(['madame', 'monsieur', 'mademoiselle', 'docteur', 'professeur', 'maître', 'maitre']),
  'Mlles',
  'Mlle',
  'Mmes',
  'Mme',
  'MLLE',
  'MME',
  'Mr\\.?',
  'MM\\.',
  'Dr\\.?',
  'Pr\\.?',
  'Me',
  'M\\.',
];
const NAME_PARTICLES = `(?:(?:de|du|des|van|von|di|da|del|dos)${SPACE}+(?:(?:la|le|der|den)${SPACE}+|l['’])?|d['’])`;
const CIVILITY_NAME = `(?:${NAME_PARTICLES})?${CAPITALISED_WORD}(?:${SPACE}+(?:${NAME_PARTICLES})?${CAPITALISED_WORD}){0,2}`;
// The name is the last capture group and ends the match: its start is computed from the match's end.
const civilityPattern = new RegExp(
  `${NOT_AFTER_WORD}(?:${civilities.join('|')})${SPACE}+(${CIVILITY_NAME})${NOT_BEFORE_WORD}`,
  'gu',
);

function findSpans(text: string, knownNamePattern: RegExp | null): Span[] {
  const spans: Span[] = [];
  const add = (kind: PersonalDataKind, start: number, value: string) => {
    spans.push({ kind, start, end: start + value.length });
  };

  for (const match of text.matchAll(emailPattern)) add('EMAIL', match.index, match[0]);
  for (const match of text.matchAll(phonePattern)) {
    if (!continuesDigitGroups(text, match.index, match.index + match[0].length))
      add('TELEPHONE', match.index, match[0]);
  }
  for (const match of text.matchAll(nirPattern)) {
    if (hasValidNirKey(match[0].replace(/\s/g, ''))) add('NIR', match.index, match[0]);
  }
  for (const match of text.matchAll(ibanPattern)) {
    const iban = longestValidIban(match[0]);
    if (iban !== undefined) add('IBAN', match.index, iban);
  }
  for (const match of text.matchAll(addressPattern)) add('ADRESSE', match.index, match[0]);
  for (const match of text.matchAll(civilityPattern)) {
    const name = match[1] ?? '';
    add('PERSONNE', match.index + match[0].length - name.length, name);
  }
  if (knownNamePattern) {
    for (const match of text.matchAll(knownNamePattern)) add('PERSONNE', match.index, match[0]);
  }
  return spans;
}

/** The spans in text order, without overlaps: the earlier start wins, then the longer span. */
function selectSpans(spans: Span[]): Span[] {
  spans.sort((left, right) => left.start - right.start || right.end - left.end);
  const selected: Span[] = [];
  let end = 0;
  for (const span of spans) {
    if (span.start < end) continue;
    selected.push(span);
    end = span.end;
  }
  return selected;
}

/** A NIR (15 characters, no spaces) whose key matches its first 13 digits. */
function hasValidNirKey(nir: string): boolean {
  const body = nir.slice(0, 13).toUpperCase();
  const department = body.slice(5, 7);
  const digits =
    department === '2A'
      ? `${body.slice(0, 5)}19${body.slice(7)}`
      : department === '2B'
        ? `${body.slice(0, 5)}18${body.slice(7)}`
        : body;
  if (!/^\d{13}$/.test(digits)) return false;
  // 13 digits stay below 2^53: the remainder is exact.
  return 97 - (Number(digits) % 97) === Number(nir.slice(13));
}

/**
 * The matched IBAN, or its longest prefix ending before a space, that passes the mod-97 check: a
 * capitalised word written after a spaced IBAN would otherwise be taken as its last group.
 */
function longestValidIban(candidate: string): string | undefined {
  let current = candidate;
  for (;;) {
    const compact = current.replace(/\s/g, '');
    if (compact.length >= 15 && compact.length <= 34 && hasValidIbanChecksum(compact)) return current;
    const lastSpace = current.search(/\s\S*$/);
    if (lastSpace <= 4) return undefined;
    current = current.slice(0, lastSpace);
  }
}

/** ISO 13616: the country and check digits moved to the end, letters as 10–35, the number mod 97 is 1. */
function hasValidIbanChecksum(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index++) {
    const code = rearranged.charCodeAt(index);
    remainder = code >= 65 ? (remainder * 100 + code - 55) % 97 : (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

/** What makes two written forms the same value, for a kind. */
function comparisonKey(kind: PersonalDataKind, value: string): string {
  switch (kind) {
    case 'PERSONNE':
    case 'ADRESSE':
      return foldForComparison(value);
    case 'EMAIL':
      return value.toLowerCase();
    case 'TELEPHONE':
      return nationalPhoneDigits(value);
    case 'NIR':
    case 'IBAN':
      return value.replace(/\s/g, '').toUpperCase();
  }
}

function nationalPhoneDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (!/^(?:\+|00)/.test(phone)) return digits;
  const national = digits.replace(/^(?:00)?33/, '');
  return national.startsWith('0') ? national : `0${national}`;
}

/** Lowercase, without accents, typographic apostrophes straightened, spaces and hyphens as one space. */
function foldForComparison(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/’/g, "'")
    .replace(/[\s-]+/g, ' ')
    .trim();
}

/**
 * For each letter a–z, a character class of its accented and capital forms (Latin-1, Latin Extended-A
 * and -B, Latin Extended Additional): the known names are matched against the text as written, so that
 * match positions need no mapping back from a folded copy.
 */
const letterClasses: ReadonlyMap<string, string> = (() => {
  const forms = new Map<string, Set<string>>();
  for (let code = 0x61; code <= 0x7a; code++) {
    const letter = String.fromCharCode(code);
    forms.set(letter, new Set([letter, letter.toUpperCase()]));
  }
  for (const [first, last] of [
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ] as const) {
    for (let code = first; code <= last; code++) {
      const character = String.fromCodePoint(code);
      forms.get(foldForComparison(character))?.add(character);
    }
  }
  return new Map([...forms].map(([letter, characters]) => [letter, `[${[...characters].join('')}]`]));
})();

function buildKnownNamePattern(names: readonly string[]): RegExp | null {
  const folded = [...new Set(names.map(foldForComparison))]
    .filter((name) => (name.match(/\p{L}/gu)?.length ?? 0) >= 2)
    .sort((left, right) => right.length - left.length);
  if (folded.length === 0) return null;
  const alternatives = folded.map((name) =>
    [...name]
      .map((character) => {
        if (character === ' ') return '[\\s-]+';
        if (character === "'") return "['’]";
        const letterClass = letterClasses.get(character);
        if (letterClass !== undefined) return `${letterClass}\\p{M}*`;
        const upper = character.toUpperCase();
        return upper === character || upper.length !== 1 ? escapeForPattern(character) : `[${character}${upper}]`;
      })
      .join(''),
  );
  return new RegExp(`${NOT_AFTER_WORD}(?:${alternatives.join('|')})${NOT_BEFORE_WORD}`, 'gu');
}

function escapeForPattern(character: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(character) ? `\\${character}` : character;
}
