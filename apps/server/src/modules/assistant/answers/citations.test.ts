import { describe, expect, it } from 'vitest';
import { CitationStreamFilter, checkCitations, isGrounded } from './citations.ts';

const passages = new Map([
  [
    1,
    'La carte nationale d’identité est gratuite, sauf en cas de perte ou de vol : un timbre fiscal de 25 € est alors demandé.',
  ],
  [2, 'Le passeport coûte 86 € pour un majeur ; la demande se fait en mairie sur rendez-vous.'],
]);

describe(checkCitations.name, () => {
  it('keeps citations whose sentence rests on the cited passage', () => {
    const result = checkCitations(
      'Le renouvellement de la carte d’identité est gratuit, sauf perte ou vol (timbre fiscal de 25 €) [1]. Le passeport coûte 86 € [2].',
      passages,
    );
    expect(result.flagged).toEqual([]);
    expect(result.cited).toEqual([1, 2]);
    expect(result.answer).toContain('[1]');
  });

  it('removes and flags a citation of a source that was not retrieved', () => {
    const result = checkCitations('La carte d’identité perdue coûte 25 € en timbre fiscal [1][3].', passages);
    expect(result.answer).toBe('La carte d’identité perdue coûte 25 € en timbre fiscal [1].');
    expect(result.flagged).toEqual([{ number: 3, reason: 'not-retrieved' }]);
  });

  it('removes and flags a citation hung on a sentence its passage does not support', () => {
    const result = checkCitations(
      'Le permis de conduire international s’obtient en préfecture sous huit jours ouvrés [2].',
      passages,
    );
    expect(result.answer).toBe('Le permis de conduire international s’obtient en préfecture sous huit jours ouvrés.');
    expect(result.flagged).toEqual([{ number: 2, reason: 'not-grounded' }]);
    expect(result.cited).toEqual([]);
  });

  it('keeps French punctuation spacing, removing only the blank before a removed marker', () => {
    const result = checkCitations(
      'Non : la carte d’identité est gratuite, sauf perte ou vol [1] ! Et le permis [9] ?',
      passages,
    );
    expect(result.answer).toBe('Non : la carte d’identité est gratuite, sauf perte ou vol [1] ! Et le permis ?');
  });

  it('reads lists of numbers in one marker', () => {
    const result = checkCitations('Passeport à 86 € en mairie, carte d’identité gratuite [1, 2].', passages);
    expect(result.cited).toEqual([1, 2]);
    expect(result.answer).toBe('Passeport à 86 € en mairie, carte d’identité gratuite [1][2].');
  });
});

describe(isGrounded.name, () => {
  it('does not judge a sentence with almost no words', () => {
    expect(isGrounded('Voir [2].', 'anything')).toBe(true);
  });
});

describe(CitationStreamFilter.name, () => {
  it('drops markers naming no source as the stream goes, holding back a marker cut between two deltas', () => {
    const sut = new CitationStreamFilter(new Set([1, 2]));
    const out =
      ['Gratuit [', '1', '] sauf perte [', '7]. Fin [2', '].'].map((delta) => sut.push(delta)).join('') + sut.end();
    expect(out).toBe('Gratuit [1] sauf perte . Fin [2].');
    expect([...sut.dropped]).toEqual([7]);
  });

  it('lets brackets that are not markers through', () => {
    const sut = new CitationStreamFilter(new Set([1]));
    expect(sut.push('Un tableau [voir annexe]') + sut.end()).toBe('Un tableau [voir annexe]');
  });
});
