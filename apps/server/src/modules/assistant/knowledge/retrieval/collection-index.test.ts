import { describe, expect, it } from 'vitest';
import { CollectionIndex, type IndexedChunk, type IndexedSource } from './collection-index.ts';

const source = (id: string, title: string, extra: Partial<IndexedSource> = {}): IndexedSource => ({
  id,
  externalId: id.toUpperCase(),
  kind: 'fiche-pratique',
  title,
  url: null,
  date: null,
  description: null,
  audiences: [],
  context: [],
  relatedQuestions: [],
  ...extra,
});
const chunk = (sourceId: string, ordinal: number, text: string, headings: string[] = []): IndexedChunk => ({
  sourceId,
  ordinal,
  headings,
  text,
});

describe(CollectionIndex.name, () => {
  const sut = new CollectionIndex(
    [
      source('f1', 'Carte grise : immatriculer un véhicule d’occasion', { context: ['Transports'] }),
      source('f2', 'Permis de conduire', { context: ['Transports'] }),
      source('q1', 'Combien coûte une carte grise ?', { kind: 'question-reponse' }),
      source('f3', 'Déclaration de revenus', {
        relatedQuestions: [{ id: 'Q9', text: 'Comment déclarer un bateau ?' }],
      }),
    ],
    [
      chunk('f1', 0, 'Vous devez demander le certificat d’immatriculation dans un délai d’un mois.', ['Délai']),
      chunk('f1', 1, 'Le quitus fiscal est exigé pour un véhicule acheté à l’étranger.', ['Véhicule importé']),
      chunk('f2', 0, 'Le permis de conduire se passe en auto-école ou en candidat libre.'),
      chunk('q1', 0, 'Le prix dépend de la puissance fiscale et de la région.'),
      chunk('f3', 0, 'La déclaration de revenus se fait en ligne chaque printemps.'),
    ],
  );

  it('ranks the document whose title answers first, accents and plurals aside', () => {
    const [first] = sut.search('immatriculation des vehicules d’occasion', { limit: 5 });
    expect(first?.source.externalId).toBe('F1');
  });

  it('returns the best passages of each document for the query', () => {
    const [first] = sut.search('quitus fiscal véhicule', { limit: 1 });
    expect(first?.source.externalId).toBe('F1');
    expect(first?.passages[0]).toMatchObject({ ordinal: 1, headings: ['Véhicule importé'] });
  });

  it('filters by kind and can leave related questions out', () => {
    expect(
      sut.search('carte grise', { limit: 5, kinds: new Set(['question-reponse']) }).map((hit) => hit.source.id),
    ).toEqual(['q1']);
    expect(sut.search('un bateau', { limit: 5 }).map((hit) => hit.source.id)).toEqual(['f3']);
    expect(sut.search('un bateau', { limit: 5, excludeRelatedQuestions: true })).toEqual([]);
  });

  it('finds nothing for a query made only of stop words', () => {
    expect(sut.search('le la de', { limit: 5 })).toEqual([]);
  });
});
