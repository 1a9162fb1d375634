import { describe, expect, it } from 'vitest';
import { BlockAssembler, normaliseBlock, SectionBuilder } from './sections.ts';

function buildSut(maxCharacters = 1_000) {
  return new SectionBuilder({ maxCharacters });
}

describe(SectionBuilder.name, () => {
  it('replaces the headings at the same level and deeper, and gives no section to a heading followed by a sub-heading', () => {
    const sut = buildSut();

    sut.heading(1, 'Congés');
    sut.heading(2, 'Congés payés');
    sut.paragraph('25 jours.');
    sut.heading(3, 'Report');
    sut.paragraph('Jusqu’au 31 mai.');
    sut.heading(2, 'Congés bonifiés');
    sut.paragraph('Outre-mer.');
    sut.heading(1, 'Absences');
    sut.heading(1, 'Formation');
    sut.paragraph('Catalogue annuel.');

    expect(sut.build()).toEqual([
      { headings: ['Congés', 'Congés payés'], text: '25 jours.' },
      { headings: ['Congés', 'Congés payés', 'Report'], text: 'Jusqu’au 31 mai.' },
      { headings: ['Congés', 'Congés bonifiés'], text: 'Outre-mer.' },
      { headings: ['Formation'], text: 'Catalogue annuel.' },
    ]);
    expect(sut.firstTopHeading).toBe('Congés');
  });

  it('puts list items and table rows one per line, and separates blocks with a blank line', () => {
    const sut = buildSut();

    sut.paragraph('Pièces :');
    sut.listItem('  carte   d’identité ');
    sut.listItem('justificatif');
    sut.endRun();
    sut.listItem('seconde liste');
    sut.tableRow(['Pièce', 'Délai']);
    sut.tableRow(['', '']);
    sut.tableRow(['Passeport', '']);

    expect(sut.build()).toEqual([
      {
        headings: [],
        text: 'Pièces :\n\n- carte d’identité\n- justificatif\n\n- seconde liste\n\nPièce | Délai\nPasseport |',
      },
    ]);
  });

  it('stops at the character limit on a word boundary and ignores everything after', () => {
    const sut = buildSut(25);

    sut.heading(1, 'Titre');
    sut.paragraph('Un texte qui dépasse largement la limite.');
    sut.heading(1, 'Suite');
    sut.paragraph('Jamais lue.');

    expect(sut.build()).toEqual([{ headings: ['Titre'], text: 'Un texte qui dépasse' }]);
    expect(sut.isFull).toBe(true);
  });

  it('never cuts a character written with a surrogate pair in half', () => {
    const sut = buildSut(3);

    sut.paragraph('ab😀');

    expect(sut.build()).toEqual([{ headings: [], text: 'ab' }]);
  });

  it('calls the checkpoint at each block, so that a parsing past its deadline stops', () => {
    const sut = new SectionBuilder({
      maxCharacters: 100,
      checkpoint: () => {
        throw new Error('deadline');
      },
    });

    expect(() => sut.paragraph('Texte')).toThrow('deadline');
  });
});

describe(normaliseBlock.name, () => {
  it('removes soft hyphens and zero-width characters, collapses spaces and keeps at most one blank line', () => {
    expect(normaliseBlock('  Pro\u00ADcé\u200Bdure\u00A0 \t d’ac\u200Dcueil \r\n\r\n\r\n\n  Suite\f ')).toBe(
      'Procédure d’accueil\n\nSuite',
    );
  });
});

describe(BlockAssembler.name, () => {
  it('keeps a heading met inside a table cell as the cell’s text', () => {
    const builder = buildSut();
    const sut = new BlockAssembler(builder);

    const closeRow = sut.openRow();
    const closeCell = sut.openCell();
    const closeHeading = sut.openHeading(2);
    sut.text('Titre de cellule');
    closeHeading();
    closeCell();
    closeRow();
    sut.finish();

    expect(builder.build()).toEqual([{ headings: [], text: 'Titre de cellule' }]);
  });
});
