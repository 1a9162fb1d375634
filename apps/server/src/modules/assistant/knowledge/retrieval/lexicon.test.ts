import { describe, expect, it } from 'vitest';
import { analyseQuery } from './analyser.ts';
import { QueryExpander } from './lexicon.ts';

describe(QueryExpander.name, () => {
  it('adds the other names of what the question names, at a lower weight', () => {
    const sut = new QueryExpander();
    const terms = sut.expand(analyseQuery('Indemnités France Travail après une démission'));
    expect(terms.filter((term) => term.weight === 1).map((term) => term.term)).toEqual(
      analyseQuery('Indemnités France Travail après une démission'),
    );
    const added = terms.filter((term) => term.weight < 1).map((term) => term.term);
    expect(added).toEqual(expect.arrayContaining(analyseQuery('Pôle emploi')));
  });

  it('expands an acronym into its words, and the words into the acronym', () => {
    const sut = new QueryExpander();
    expect(sut.expand(analyseQuery('montant du RSA')).map((term) => term.term)).toEqual(
      expect.arrayContaining(analyseQuery('revenu solidarité active')),
    );
    expect(sut.expand(analyseQuery('revenu de solidarité active')).map((term) => term.term)).toContain(
      analyseQuery('RSA')[0],
    );
  });

  it('learns the acronyms a collection’s documents define', () => {
    const sut = new QueryExpander([
      { short: 'Fnaut', long: 'Fédération nationale des associations d’usagers des transports' },
    ]);
    expect(sut.expand(analyseQuery('adhérer à la Fnaut')).map((term) => term.term)).toEqual(
      expect.arrayContaining(analyseQuery('usagers transports')),
    );
  });

  it('leaves a question without known expression as it is', () => {
    expect(new QueryExpander().expand(['jardin', 'potag'])).toEqual([
      { term: 'jardin', weight: 1 },
      { term: 'potag', weight: 1 },
    ]);
  });
});
