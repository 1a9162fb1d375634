import { describe, expect, it } from 'vitest';
import { exportBlocks } from './export-document.ts';
import { importDocument } from './import-document.ts';
import { blocksFromMarkdown, buildPng, outline, samplePageMarkdown } from './testing/fixtures.ts';

const formats = ['md', 'html', 'docx', 'odt'] as const;

describe('a page exported then imported again', () => {
  it.each(formats)(
    'keeps headings and their levels, formatting, links, list kinds and nesting, check states, tables, code and quotes (%s)',
    async (format) => {
      const blocks = await blocksFromMarkdown(samplePageMarkdown);

      const exported = await exportBlocks(blocks, format, { title: 'Guide des congés' });
      const imported = await importDocument(exported.body, `guide.${format}`);

      expect(imported.title).toBe('Guide des congés');
      expect(outline(imported.blocks)).toEqual(outline(blocks));
      expect(outline(blocks)).toEqual([
        'h1 Congés d’été',
        'p Un <b>gras</b>, un <i>italique</i>, un <s>barré</s>, du <c>code</c> et un [lien vers l’intranet](https://intranet.example.fr/congés).',
        'h2 Démarches à effectuer',
        '- Déposer la demande',
        '  - dans l’application',
        '    1. se connecter',
        '    1. remplir le formulaire',
        '- Prévenir l’équipe',
        '1. Première étape',
        '1. Deuxième étape',
        '[ ] Réserver les billets',
        '[x] Valider avec le chef de service',
        'table Agent | Jours | Période / Élodie Müller | 15 | août / François | 10 | juillet',
        'code "echo \\"déploiement\\"\\n  indentation gardée"',
        '> La continuité du service public prime.',
        'h3 Après le retour',
        'p Fin du guide.',
      ]);
    },
  );

  it.each(['md', 'html', 'odt'] as const)('keeps dividers (%s)', async (format) => {
    const blocks = await blocksFromMarkdown('Avant.\n\n---\n\nAprès.');

    const exported = await exportBlocks(blocks, format, { title: 'Séparateur' });
    const imported = await importDocument(exported.body, `separateur.${format}`);

    expect(outline(imported.blocks)).toEqual(['p Avant.', 'divider', 'p Après.']);
  });

  it.each(['docx', 'odt'] as const)('brings an embedded image back as a file of the import (%s)', async (format) => {
    const png = await buildPng();
    const blocks = await blocksFromMarkdown('Avant.\n\n![Organigramme](/api/docs/files/organigramme.png)\n\nAprès.');

    const exported = await exportBlocks(blocks, format, {
      title: 'Organigramme',
      resolveFile: () => Promise.resolve({ data: png, contentType: 'image/png' }),
    });
    const imported = await importDocument(exported.body, `organigramme.${format}`);

    expect(outline(imported.blocks)).toEqual(['p Avant.', 'image bureau-import:image-1', 'p Après.']);
    expect(imported.files).toHaveLength(1);
    expect(imported.files[0]?.contentType).toBe('image/png');
    expect(Buffer.from(imported.files[0]?.data ?? []).equals(Buffer.from(png))).toBe(true);
  });
});
