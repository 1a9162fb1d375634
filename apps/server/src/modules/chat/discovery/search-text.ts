/** Lower-cased, without accents or other combining marks: "Hélène" and "helene" compare equal. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a search, folded; empty words dropped. */
export function searchTerms(text: string, max = 8): string[] {
  return foldForSearch(text)
    .split(/\s+/)
    .filter((term) => term !== '')
    .slice(0, max);
}

/** A LIKE pattern matching `term` anywhere, with `%`, `_` and `\` escaped (used with `escape '\'`). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A LIKE pattern matching text starting with `term`, escaped as {@link containsPattern}. */
export function prefixPattern(term: string): string {
  return `${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
