import { describe, expect, it } from 'vitest';
import { queryTerms } from './french-analyser.ts';
import { buildSnippet, type SnippetSegment } from './snippet.ts';

const render = (segments: readonly SnippetSegment[]) =>
  segments.map((segment) => (segment.match ? `[${segment.text}]` : segment.text)).join('');

describe(buildSnippet.name, () => {
  it('marks the matching words, whatever their accents, elisions and endings', () => {
    const text = "Rappel : l'Administration fiscale attend les déclarations d'impôt avant le 31 mai.";
    expect(render(buildSnippet(text, queryTerms('administration impots declaration ')))).toBe(
      "Rappel : l'[Administration] fiscale attend les [déclarations] d'[impôt] avant le 31 mai.",
    );
  });

  it('marks words starting with a prefix', () => {
    expect(render(buildSnippet('La déclaration et le déclarant.', queryTerms('déclar')))).toBe(
      'La [déclaration] et le [déclarant].',
    );
  });

  it('shows the passage with the most distinct terms of a long text, cut at words, with ellipses', () => {
    const filler = 'Sans rapport avec la question posée. '.repeat(20);
    const text = `${filler}Le budget est voté. ${filler}Le budget du rectorat est voté en conseil. ${filler}`;
    const segments = buildSnippet(text, queryTerms('budget rectorat '), { length: 120 });
    const rendered = render(segments);

    expect(rendered).toContain('[budget] du [rectorat]');
    expect(rendered.startsWith('… ')).toBe(true);
    expect(rendered.endsWith(' …')).toBe(true);
    expect(rendered.length).toBeLessThan(200);
    expect(segments.filter((segment) => segment.match).map((segment) => segment.text)).toEqual(['budget', 'rectorat']);
  });

  it('gives the beginning of a text that does not match (the title did), and nothing for no text', () => {
    const text = 'Compte rendu de la réunion du comité de direction du lundi matin, rédigé par le secrétariat général.';
    expect(buildSnippet(text, queryTerms('budget '), { length: 40 })).toEqual([
      { text: 'Compte rendu de la réunion du comité de …', match: false },
    ]);
    expect(buildSnippet('  ', queryTerms('budget '))).toEqual([]);
  });

  it('puts text on one line', () => {
    expect(render(buildSnippet('Budget\n\n  prévisionnel', queryTerms('budget ')))).toBe('[Budget] prévisionnel');
  });
});
