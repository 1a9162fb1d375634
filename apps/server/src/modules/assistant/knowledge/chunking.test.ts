import { describe, expect, it } from 'vitest';
import { chunkSections } from './chunking.ts';

describe(chunkSections.name, () => {
  it('keeps a short section whole, with its headings', () => {
    expect(chunkSections([{ headings: ['Congés', 'Congés payés'], text: 'Cinq semaines par an.' }])).toEqual([
      { headings: ['Congés', 'Congés payés'], text: 'Cinq semaines par an.' },
    ]);
  });

  it('cuts a long section at line ends into pieces of about the target size, never across sections', () => {
    const line = 'Une phrase de quarante caractères environ.';
    const text = Array.from({ length: 100 }, () => line).join('\n');
    const chunks = chunkSections(
      [
        { headings: ['A'], text },
        { headings: ['B'], text: 'Court.' },
      ],
      { targetCharacters: 400, maxCharacters: 600 },
    );
    expect(chunks.length).toBeGreaterThan(8);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.headings).toEqual(['A']);
      expect(chunk.text.length).toBeLessThanOrEqual(600);
      expect(chunk.text.startsWith('Une phrase')).toBe(true);
    }
    expect(chunks.at(-1)).toEqual({ headings: ['B'], text: 'Court.' });
    expect(
      chunks
        .filter((chunk) => chunk.headings[0] === 'A')
        .map((chunk) => chunk.text)
        .join('\n'),
    ).toBe(text);
  });

  it('cuts a single overlong line at sentence ends, and drops empty sections', () => {
    const sentence = 'Ceci est une phrase. ';
    const chunks = chunkSections(
      [
        { headings: [], text: sentence.repeat(50).trim() },
        { headings: ['Vide'], text: '   ' },
      ],
      { targetCharacters: 100, maxCharacters: 150 },
    );
    expect(chunks.every((chunk) => chunk.text.length <= 150 && chunk.text.endsWith('.'))).toBe(true);
    expect(chunks.some((chunk) => chunk.headings[0] === 'Vide')).toBe(false);
  });
});
