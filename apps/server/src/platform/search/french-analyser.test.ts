import { describe, expect, it } from 'vitest';
import { foldWord, indexedWords, queryTerms, stemFrench, textWords, wordMatches } from './french-analyser.ts';

const stem = (word: string) => stemFrench(foldWord(word));
const indexed = (text: string) => indexedWords(text).flat();

describe('French analyser', () => {
  describe('folding', () => {
    it('lower-cases and removes accents, cedillas and ligatures', () => {
      expect(foldWord('Élève')).toBe('eleve');
      expect(foldWord('FRANÇAIS')).toBe('francais');
      expect(foldWord('Œuvre')).toBe('oeuvre');
      expect(foldWord('Noël')).toBe('noel');
    });

    it('folds text written in decomposed form like text in composed form', () => {
      expect(foldWord('e\u0301le\u0300ve')).toBe('eleve');
      expect([...textWords('l’e\u0301le\u0300ve')].map((word) => word.word)).toEqual(['e\u0301le\u0300ve']);
    });

    it('cuts very long words to 64 characters', () => {
      expect(foldWord('a'.repeat(100))).toHaveLength(64);
    });
  });

  describe('words', () => {
    it('drops elisions and keeps where each word stands in the text', () => {
      const text = "L'administration d'État, jusqu'au 31 mai, qu’il déclare aujourd'hui.";
      expect([...textWords(text)].map(({ word, start, end }) => [word, text.slice(start, end)])).toEqual([
        ['administration', 'administration'],
        ['État', 'État'],
        ['au', 'au'],
        ['31', '31'],
        ['mai', 'mai'],
        ['il', 'il'],
        ['déclare', 'déclare'],
        ['aujourd', 'aujourd'],
        ['hui', 'hui'],
      ]);
    });

    it('indexes each word as written and as its stem, without stop words', () => {
      expect(indexed("Les impôts de l'administration")).toEqual(['impots', 'impot', 'administration', 'administ']);
      expect(indexedWords('le dossier du bureau')).toEqual([['dossier', 'dossi'], ['bureau']]);
    });
  });

  describe('stemming', () => {
    it.each([
      ['impôts', 'impôt'],
      ['déclarations', 'déclaration'],
      ['déclarer', 'déclaration'],
      ['déclarée', 'déclaré'],
      ['administratives', 'administratif'],
      ['administration', 'administrateur'],
      ['élèves', 'eleve'],
      ['bureaux', 'bureau'],
      ['journaux', 'journal'],
      ['heureuse', 'heureux'],
      ['première', 'premier'],
      ['directrice', 'directeur'],
      ['publique', 'public'],
      ['européenne', 'européen'],
      ['professionnelles', 'professionnel'],
      ['active', 'actif'],
      ['établissement', 'établir'],
      ['organisation', 'organiser'],
      ['rapidement', 'rapide'],
      ['gouvernement', 'gouverner'],
      ['catégories', 'catégorie'],
    ])('gives %s and %s the same stem', (a, b) => {
      expect(stem(a)).toBe(stem(b));
    });

    it('keeps short words, numbers and words with digits as they are', () => {
      expect(stem('mai')).toBe('mai');
      expect(stem('2026')).toBe('2026');
      expect(stem('covid19')).toBe('covid19');
    });

    it('never leaves fewer than four letters of a longer word', () => {
      for (const word of ['terres', 'heures', 'hivers', 'element', 'lettres']) {
        expect(stem(word).length).toBeGreaterThanOrEqual(4);
      }
    });
  });

  describe('queries', () => {
    it('takes the last word as being typed, unless a blank follows it', () => {
      expect(queryTerms('impôts déclar')).toEqual([
        { surface: 'impots', stem: 'impot', match: 'exact' },
        { surface: 'declar', stem: stem('declar'), match: 'exact-or-prefix' },
      ]);
      expect(queryTerms('impôts ')).toEqual([{ surface: 'impots', stem: 'impot', match: 'exact' }]);
    });

    it('makes a word followed by * a prefix', () => {
      expect(queryTerms('admin* fiscal ')).toEqual([
        { surface: 'admin', stem: 'admin', match: 'prefix' },
        { surface: 'fiscal', stem: 'fiscal', match: 'exact' },
      ]);
    });

    it('drops stop words and elisions, except a lone word still being typed', () => {
      expect(queryTerms("l'administration de ")).toEqual([
        { surface: 'administration', stem: 'administ', match: 'exact' },
      ]);
      expect(queryTerms('impôts de')).toEqual([{ surface: 'impots', stem: 'impot', match: 'exact' }]);
      expect(queryTerms('des')).toEqual([{ surface: 'des', stem: 'des', match: 'prefix' }]);
      expect(queryTerms('de')).toEqual([]);
      expect(queryTerms('le la ')).toEqual([]);
      expect(queryTerms("l'")).toEqual([]);
    });

    it('takes the word being typed as a prefix from three letters, a word followed by * from two', () => {
      expect(queryTerms('pr')).toEqual([{ surface: 'pr', stem: 'pr', match: 'exact' }]);
      expect(queryTerms('pro')).toEqual([{ surface: 'pro', stem: 'pro', match: 'exact-or-prefix' }]);
      expect(queryTerms('pr* ')).toEqual([{ surface: 'pr', stem: 'pr', match: 'prefix' }]);
      expect(queryTerms('impôts pr')).toEqual([
        { surface: 'impots', stem: 'impot', match: 'exact' },
        { surface: 'pr', stem: 'pr', match: 'exact' },
      ]);
    });

    it('does not take a single letter as a prefix', () => {
      expect(queryTerms('impôts d')).toEqual([{ surface: 'impots', stem: 'impot', match: 'exact' }]);
      expect(queryTerms('x')).toEqual([{ surface: 'x', stem: 'x', match: 'exact' }]);
    });

    it('matches words of a text as the index does: by stem, or by the start of a form', () => {
      const [exact] = queryTerms('déclarations ');
      const [typed] = queryTerms('déclar');
      const [starred] = queryTerms('impôt* ');
      if (!exact || !typed || !starred) throw new Error('no term');
      expect(wordMatches('declaration', exact)).toBe(true);
      expect(wordMatches('declarer', exact)).toBe(true);
      expect(wordMatches('declinaison', exact)).toBe(false);
      expect(wordMatches('declaration', typed)).toBe(true);
      expect(wordMatches('impots', starred)).toBe(true);
      expect(wordMatches('important', starred)).toBe(false);
    });
  });
});
