import { describe, expect, it } from 'vitest';
import { blocksToPlainText, documentTitleFromBlocks } from './plain-text.ts';
import { blocksFromMarkdown, samplePageMarkdown } from './testing/fixtures.ts';

describe(blocksToPlainText.name, () => {
  it('writes each block on its own line, nested ones after their parent, table rows with their cells', async () => {
    const blocks = await blocksFromMarkdown(samplePageMarkdown);

    expect(blocksToPlainText(blocks).split('\n')).toEqual([
      'Congés d’été',
      'Un gras, un italique, un barré, du code et un lien vers l’intranet.',
      'Démarches à effectuer',
      'Déposer la demande',
      'dans l’application',
      'se connecter',
      'remplir le formulaire',
      'Prévenir l’équipe',
      'Première étape',
      'Deuxième étape',
      'Réserver les billets',
      'Valider avec le chef de service',
      'Agent | Jours | Période',
      'Élodie Müller | 15 | août',
      'François | 10 | juillet',
      'echo "déploiement"',
      '  indentation gardée',
      'La continuité du service public prime.',
      'Après le retour',
      'Fin du guide.',
    ]);
  });

  it('reads partial blocks too: string content, image captions and file names', () => {
    const text = blocksToPlainText([
      { type: 'paragraph', content: 'Bonjour' },
      { type: 'image', props: { url: 'https://example.fr/a.png', caption: 'Le bâtiment' } },
      { type: 'file', props: { url: 'https://example.fr/a.pdf', name: 'Règlement.pdf' } },
      { type: 'divider' },
      { type: 'paragraph', content: [{ type: 'link', href: 'https://example.fr', content: 'un lien' }] },
    ]);

    expect(text).toBe('Bonjour\nLe bâtiment\nRèglement.pdf\nun lien');
  });

  it('is fast enough to index on every save', async () => {
    const page = await blocksFromMarkdown(samplePageMarkdown);
    // About 30,000 words.
    const blocks = Array.from({ length: 200 }, () => page).flat();
    const started = performance.now();

    blocksToPlainText(blocks);

    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe(documentTitleFromBlocks.name, () => {
  it('takes the first heading, even after a paragraph', () => {
    expect(
      documentTitleFromBlocks([
        { type: 'paragraph', content: 'Introduction' },
        { type: 'heading', props: { level: 2 }, content: '  Compte rendu  du 3 mai ' },
      ]),
    ).toBe('Compte rendu du 3 mai');
  });

  it('takes the first non-empty line when there is no heading, cut to 200 characters', () => {
    const long = 'é'.repeat(250);

    expect(
      documentTitleFromBlocks([
        { type: 'paragraph', content: '' },
        { type: 'paragraph', content: 'Bonjour' },
      ]),
    ).toBe('Bonjour');
    expect(documentTitleFromBlocks([{ type: 'paragraph', content: long }])).toBe('é'.repeat(200));
  });

  it('is null for a page without text', () => {
    expect(documentTitleFromBlocks([])).toBeNull();
    expect(documentTitleFromBlocks([{ type: 'paragraph', content: '   ' }, { type: 'divider' }])).toBeNull();
  });
});
