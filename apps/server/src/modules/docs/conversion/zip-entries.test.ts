import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { safeFileName, zipEntries } from './zip-entries.ts';

const encoder = new TextEncoder();

describe(safeFileName.name, () => {
  it('keeps accents and spaces, and replaces what no operating system accepts in a name', () => {
    expect(safeFileName('Compte rendu : réunion du 3/05 <brouillon>?', 'docx')).toBe(
      'Compte rendu réunion du 3 05 brouillon.docx',
    );
    expect(safeFileName('  ..Notes cachées.. ', '.pdf')).toBe('Notes cachées.pdf');
  });

  it('names an untitled page « Sans titre », and avoids the names Windows reserves', () => {
    expect(safeFileName('', 'md')).toBe('Sans titre.md');
    expect(safeFileName('///', 'md')).toBe('Sans titre.md');
    expect(safeFileName('CON', 'odt')).toBe('_CON.odt');
  });

  it('cuts a long title to 120 characters', () => {
    expect(safeFileName('é'.repeat(300), 'html')).toBe(`${'é'.repeat(120)}.html`);
  });
});

describe(zipEntries.name, () => {
  it('zips a page tree under safe, unique paths, accents kept', () => {
    const zip = zipEntries([
      { path: 'Guide des congés/Guide des congés.docx', body: encoder.encode('racine') },
      { path: 'Guide des congés/Annexe : formulaires.docx', body: encoder.encode('annexe') },
      { path: 'Guide des congés/annexe : Formulaires.docx', body: encoder.encode('homonyme') },
      { path: 'Guide des congés/Sous-page/Détail.md', body: encoder.encode('détail') },
    ]);

    const files = unzipSync(zip);

    expect(Object.keys(files)).toEqual([
      'Guide des congés/Guide des congés.docx',
      'Guide des congés/Annexe formulaires.docx',
      'Guide des congés/annexe Formulaires (2).docx',
      'Guide des congés/Sous-page/Détail.md',
    ]);
    expect(new TextDecoder().decode(files['Guide des congés/Sous-page/Détail.md'])).toBe('détail');
  });

  it('marks its names as UTF-8, so that archive tools show the accents', () => {
    const zip = zipEntries([{ path: 'Été.md', body: encoder.encode('x') }]);
    const flags = new DataView(zip.buffer, zip.byteOffset).getUint16(6, true);

    expect(flags & 0x0800).toBe(0x0800);
  });
});
