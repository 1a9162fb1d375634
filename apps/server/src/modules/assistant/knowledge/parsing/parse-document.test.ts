import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../platform/errors.ts';
import { defaultParseLimits, detectFormat, parseDocument, type ParseLimits } from './parse-document.ts';
import type { DocumentParsingErrorCode } from './parsing.errors.ts';
import {
  buildDocx,
  buildEncryptedDocx,
  buildOdt,
  buildPdf,
  docxEntries,
  type FixtureDocument,
  type PdfFixtureLine,
} from './testing/fixtures.ts';

const encoder = new TextEncoder();

/** The leave guide every office format is tested with. */
const leaveGuide: FixtureDocument = {
  title: 'Guide des congés',
  blocks: [
    { paragraph: 'Ce guide s’adresse à tous les agents.' },
    { heading: 'Congés', level: 1 },
    { heading: 'Congés payés', level: 2 },
    { paragraph: 'Chaque agent a droit à 25 jours ouvrés par an.' },
    { bullets: ['Demande dans l’application', 'Validation par le chef de service'] },
    {
      table: [
        ['Ancienneté', 'Jours'],
        ['Moins d’un an', '2,5 par mois'],
        ['Un an et plus', '25'],
      ],
    },
    { heading: 'Fractionnement', level: 3 },
    { paragraph: 'Un jour de plus si 5 à 7 jours sont pris hors période.' },
    { heading: 'Absences', level: 1 },
    { paragraph: 'Toute absence est déclarée  le jour même.' },
  ],
};

const leaveGuideSections = [
  { headings: [], text: 'Ce guide s’adresse à tous les agents.' },
  {
    headings: ['Congés', 'Congés payés'],
    text: [
      'Chaque agent a droit à 25 jours ouvrés par an.',
      '',
      '- Demande dans l’application',
      '- Validation par le chef de service',
      '',
      'Ancienneté | Jours',
      'Moins d’un an | 2,5 par mois',
      'Un an et plus | 25',
    ].join('\n'),
  },
  {
    headings: ['Congés', 'Congés payés', 'Fractionnement'],
    text: 'Un jour de plus si 5 à 7 jours sont pris hors période.',
  },
  { headings: ['Absences'], text: 'Toute absence est déclarée le jour même.' },
];

function file(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The error `parsing` fails with, failing the test when it succeeds or throws something else. */
async function parsingError(parsing: Promise<unknown>, code: DocumentParsingErrorCode): Promise<AppError> {
  const error: unknown = await parsing.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

function limits(overrides: Partial<ParseLimits>): ParseLimits {
  return { ...defaultParseLimits, ...overrides };
}

describe(parseDocument.name, () => {
  describe('Word documents', () => {
    it('reads the sections under the Heading styles, with the bullet list and the table', async () => {
      const document = await parseDocument({ bytes: buildDocx(leaveGuide), fileName: 'guide.docx' });

      expect(document).toEqual({ title: 'Guide des congés', format: 'docx', sections: leaveGuideSections });
    });

    it('takes the first level-1 heading as the title when the document properties have none', async () => {
      const document = await parseDocument({
        bytes: buildDocx({ ...leaveGuide, title: undefined }),
        fileName: 'guide.docx',
      });

      expect(document.title).toBe('Congés');
    });

    it('recognises a Word document by its content even when its name says PDF', async () => {
      const document = await parseDocument({
        bytes: buildDocx(leaveGuide),
        fileName: 'guide.pdf',
        contentType: 'application/pdf',
      });

      expect(document.format).toBe('docx');
      expect(document.sections).toEqual(leaveGuideSections);
    });

    it('refuses a truncated Word document as corrupt, keeping the reason as the cause', async () => {
      const bytes = buildDocx(leaveGuide);

      const error = await parsingError(
        parseDocument({ bytes: bytes.slice(0, Math.floor(bytes.length / 2)), fileName: 'guide.docx' }),
        'AI_DOCUMENT_CORRUPT',
      );

      expect(error.details).toEqual({ format: 'docx' });
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.messages.fr).toBe(
        'Le fichier n’a pas pu être lu comme un document docx : il est peut-être endommagé ou incomplet.',
      );
    });

    it('says that a password-protected Word document is protected', async () => {
      const error = await parsingError(
        parseDocument({ bytes: buildEncryptedDocx(), fileName: 'confidentiel.docx' }),
        'AI_DOCUMENT_ENCRYPTED',
      );

      expect(error.messages.fr).toContain('protégé par un mot de passe');
    });

    it('refuses a decompression bomb before mammoth inflates it', async () => {
      const entries = docxEntries(leaveGuide);
      // 2 MB of XML that zips to a few kilobytes: far more than 4 × maxBytes once inflated.
      const padding = `<!--${' '.repeat(2_000_000)}-->`;
      const bomb = zipSync({ ...entries, 'word/settings.xml': encoder.encode(padding) });

      const error = await parsingError(
        parseDocument({ bytes: bomb, fileName: 'bombe.docx' }, limits({ maxBytes: 100_000 })),
        'AI_DOCUMENT_TOO_LARGE',
      );

      expect(bomb.length).toBeLessThan(100_000);
      expect(error.details).toEqual({ maxMegabytes: 0.4 });
    });
  });

  describe('OpenDocument texts', () => {
    it('reads the sections under the outline levels, with the list and the table', async () => {
      const document = await parseDocument({ bytes: buildOdt(leaveGuide), fileName: 'guide.odt' });

      expect(document).toEqual({ title: 'Guide des congés', format: 'odt', sections: leaveGuideSections });
    });

    it('keeps spaces, tabs and line breaks as text and nested list items on their own lines', async () => {
      const document = await parseDocument({
        bytes: buildOdt({
          blocks: [{ heading: 'Horaires', level: 1 }],
          extraContent: [
            '<text:p>Ouverture<text:tab/>8 h<text:s text:c="4"/>–<text:line-break/>Fermeture 18 h</text:p>',
            '<text:list><text:list-item><text:p>Lundi</text:p><text:list><text:list-item><text:p>Matin</text:p></text:list-item></text:list></text:list-item></text:list>',
          ].join(''),
        }),
        fileName: 'horaires.odt',
      });

      expect(document.title).toBe('Horaires');
      expect(document.sections).toEqual([
        { headings: ['Horaires'], text: 'Ouverture 8 h –\nFermeture 18 h\n\n- Lundi\n- Matin' },
      ]);
    });

    it('leaves out comments, deleted text kept for change tracking, footnotes and the table of contents', async () => {
      const document = await parseDocument({
        bytes: buildOdt({
          blocks: [],
          extraContent: [
            '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>Texte supprimé</text:p></text:deletion></text:changed-region></text:tracked-changes>',
            '<text:table-of-content><text:index-body><text:p>Congés ....... 3</text:p></text:index-body></text:table-of-content>',
            '<text:p>Texte<office:annotation><text:p>Un commentaire</text:p></office:annotation> retenu<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Une note</text:p></text:note-body></text:note>.</text:p>',
          ].join(''),
        }),
        fileName: 'revu.odt',
      });

      expect(document.sections).toEqual([{ headings: [], text: 'Texte retenu.' }]);
    });

    it('says that an OpenDocument text whose content is encrypted is protected', async () => {
      await parsingError(
        parseDocument({ bytes: buildOdt({ ...leaveGuide, encrypted: true }), fileName: 'secret.odt' }),
        'AI_DOCUMENT_ENCRYPTED',
      );
    });

    it('refuses an OpenDocument text whose content is not well-formed XML as corrupt', async () => {
      const error = await parsingError(
        parseDocument({
          bytes: buildOdt({ blocks: [{ paragraph: 'Début' }], extraContent: '<text:p>ouvert</text:span>' }),
          fileName: 'abime.odt',
        }),
        'AI_DOCUMENT_CORRUPT',
      );

      expect(error.details).toEqual({ format: 'odt' });
    });
  });

  describe('PDF documents', () => {
    const header: PdfFixtureLine = { text: 'Ministère de l’Intérieur – Guide des congés', size: 9, y: 815 };
    const footer = (page: number): PdfFixtureLine => ({ text: `Page ${page} sur 3`, size: 9, y: 30 });

    const guidePdf = buildPdf({
      title: 'Guide des congés (PDF)',
      pages: [
        [
          header,
          { text: 'Congés', size: 20, y: 760 },
          { text: 'Chaque agent a droit à 25 jours ouvrés', size: 11, spaceBefore: 12 },
          { text: 'par année civile.', size: 11 },
          { text: 'Les jours non pris sont perdus.', size: 11, spaceBefore: 10 },
          { text: 'Congés payés', size: 15, spaceBefore: 12 },
          { text: '• Demande dans l’application', size: 11, spaceBefore: 6 },
          { text: '• Validation par le chef de service', size: 11 },
          footer(1),
        ],
        [header, { text: 'Le report est possible jusqu’au 31 mai de', size: 11, y: 760 }, footer(2)],
        [
          header,
          { text: 'l’année suivante.', size: 11, y: 760 },
          { text: 'Absences', size: 20, spaceBefore: 12 },
          { text: 'Toute absence est déclarée le jour même.', size: 11, spaceBefore: 12 },
          { text: '3', size: 9, y: 30 },
        ],
      ],
    });

    it('finds headings by font size, paragraphs by the gaps between lines, and drops running headers and page numbers', async () => {
      const document = await parseDocument({ bytes: guidePdf, fileName: 'guide.pdf' });

      expect(document).toEqual({
        title: 'Guide des congés (PDF)',
        format: 'pdf',
        pageCount: 3,
        sections: [
          {
            headings: ['Congés'],
            text: 'Chaque agent a droit à 25 jours ouvrés par année civile.\n\nLes jours non pris sont perdus.',
          },
          {
            headings: ['Congés', 'Congés payés'],
            text: [
              '- Demande dans l’application',
              '- Validation par le chef de service',
              '',
              'Le report est possible jusqu’au 31 mai de l’année suivante.',
            ].join('\n'),
          },
          { headings: ['Absences'], text: 'Toute absence est déclarée le jour même.' },
        ],
      });
    });

    it('takes the first level-1 heading as the title when the PDF has no Title', async () => {
      const document = await parseDocument({
        bytes: buildPdf({
          pages: [
            [
              { text: 'Télétravail', size: 18 },
              { text: 'Deux jours par semaine au plus.', size: 11 },
            ],
          ],
        }),
        fileName: 'teletravail.pdf',
      });

      expect(document.title).toBe('Télétravail');
      expect(document.sections).toEqual([{ headings: ['Télétravail'], text: 'Deux jours par semaine au plus.' }]);
    });

    it('continues a list item on the lines indented under its text, and the paragraph after the list on its own', async () => {
      const document = await parseDocument({
        bytes: buildPdf({
          pages: [
            [
              { text: 'Pièces à fournir :', size: 11 },
              { text: '• une pièce d’identité en cours de validité', size: 11, spaceBefore: 4 },
              { text: 'ou périmée depuis moins de cinq ans', size: 11, x: 84 },
              { text: '• un justificatif de domicile', size: 11 },
              { text: 'Le dossier est instruit sous huit jours.', size: 11 },
            ],
          ],
        }),
        fileName: 'pieces.pdf',
      });

      expect(document.sections).toEqual([
        {
          headings: [],
          text: [
            'Pièces à fournir :',
            '',
            '- une pièce d’identité en cours de validité ou périmée depuis moins de cinq ans',
            '- un justificatif de domicile',
            '',
            'Le dossier est instruit sous huit jours.',
          ].join('\n'),
        },
      ]);
    });

    it('says that a scanned PDF without a text layer has no text', async () => {
      const error = await parsingError(
        parseDocument({ bytes: buildPdf({ pages: [[], []] }), fileName: 'scan.pdf' }),
        'AI_DOCUMENT_EMPTY',
      );

      expect(error.messages.fr).toContain('Aucun texte n’a pu être extrait');
      expect(error.messages.fr).toContain('PDF numérisé sans couche texte');
    });

    it('says that a password-protected PDF is protected', async () => {
      await parsingError(
        parseDocument({
          bytes: buildPdf({ encrypted: true, pages: [[{ text: 'Confidentiel', size: 11 }]] }),
          fileName: 'secret.pdf',
        }),
        'AI_DOCUMENT_ENCRYPTED',
      );
    });

    it('refuses random bytes named .pdf as a corrupt PDF', async () => {
      const bytes = new Uint8Array(4096).map((_byte, index) => (index * 7919) % 251);

      const error = await parsingError(parseDocument({ bytes, fileName: 'rapport.pdf' }), 'AI_DOCUMENT_CORRUPT');

      expect(error.details).toEqual({ format: 'pdf' });
    });

    it('leaves the caller’s bytes usable: pdf.js reads a copy', async () => {
      const bytes = buildPdf({ pages: [[{ text: 'Bonjour', size: 11 }]] });

      await parseDocument({ bytes, fileName: 'a.pdf' });

      expect(bytes.byteLength).toBeGreaterThan(0);
      expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe('%PDF-');
    });

    it('gives up on a PDF that takes longer than the time limit', async () => {
      const page = Array.from({ length: 40 }, (_line, index) => ({ text: `Ligne ${index} du document`, size: 11 }));
      const long = buildPdf({ pages: Array.from({ length: 300 }, () => page) });

      const error = await parsingError(
        parseDocument({ bytes: long, fileName: 'long.pdf' }, limits({ timeoutMs: 20 })),
        'AI_DOCUMENT_TIMEOUT',
      );

      expect(error.details).toEqual({ seconds: 0.02 });
    });
  });

  describe('HTML pages', () => {
    const page = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Télétravail &ndash; guide</title>
<style>p { color: red }</style><script>document.write("<p>injecté</p>")</script></head>
<body>
<header><a href="/">Accueil</a><nav><ul><li>Menu</li></ul></nav></header>
<main><article>
<header><h1>Le télétravail</h1></header>
<p>Le télétravail est ouvert à tous les agents&nbsp;: voir <a href="#c">les   conditions</a>.</p>
<h2>Conditions</h2>
<p>Première ligne<br>Seconde ligne</p>
<ul><li>Accord du chef de service</li><li>Équipement &amp; connexion<ul><li>Ordinateur fourni</li></ul></li></ul>
<table><thead><tr><th>Jours</th><th>Quotité</th></tr></thead><tbody><tr><td>1</td><td><p>20 %</p></td></tr></tbody></table>
<div hidden>Texte caché</div><noscript>Activez JavaScript</noscript>
<svg><title>Logo</title><text>SVG</text></svg>
</article></main>
<footer>© Ministère</footer>
</body></html>`;

    it('reads headings, paragraphs, lists and tables, and skips scripts, navigation and the page’s header and footer', async () => {
      const document = await parseDocument({ bytes: file(page), fileName: 'teletravail.html' });

      expect(document).toEqual({
        title: 'Télétravail – guide',
        format: 'html',
        sections: [
          { headings: ['Le télétravail'], text: 'Le télétravail est ouvert à tous les agents : voir les conditions.' },
          {
            headings: ['Le télétravail', 'Conditions'],
            text: [
              'Première ligne',
              'Seconde ligne',
              '',
              '- Accord du chef de service',
              '- Équipement & connexion',
              '- Ordinateur fourni',
              '',
              'Jours | Quotité',
              '1 | 20 %',
            ].join('\n'),
          },
        ],
      });
    });

    it('decodes a page in the encoding its meta tag declares', async () => {
      const latin1 = Buffer.from(
        '<html><head><meta charset="windows-1252"></head><body><h1>Délais</h1><p>Réponse sous 8 jours.</p></body></html>',
        'latin1',
      );

      const document = await parseDocument({ bytes: new Uint8Array(latin1), fileName: 'delais.htm' });

      expect(document.title).toBe('Délais');
      expect(document.sections).toEqual([{ headings: ['Délais'], text: 'Réponse sous 8 jours.' }]);
    });

    it('gives up on a page that takes longer than the time limit, even though its parsing never yields', async () => {
      const huge = `<h1>Début</h1>${'<p>Un paragraphe de plus dans une très longue page.</p>'.repeat(100_000)}`;

      await parsingError(
        parseDocument({ bytes: file(huge), fileName: 'enorme.html' }, limits({ timeoutMs: 1 })),
        'AI_DOCUMENT_TIMEOUT',
      );
    });
  });

  describe('Markdown files', () => {
    const markdown = [
      '---',
      'title: "Guide de l’agent"',
      'author: DRH',
      '---',
      '',
      '# Congés',
      '',
      'Les congés sont **accordés** par le _chef de service_ ; voir [le guide](https://example.fr/guide) et `l’outil`.',
      '',
      '## Congés payés',
      '',
      '- 25 jours par an',
      '- Fractionnement :',
      '  - 1 jour si 5 à 7 jours hors période',
      '- Report &amp; épargne',
      '',
      '| Ancienneté | Jours |',
      '|---|---|',
      '| 1 an | **25** |',
      '',
      '```bash',
      '# pas un titre',
      'echo ok',
      '```',
      '',
      '> Note : voir la circulaire.',
      '',
      'Titre souligné',
      '==============',
      '',
      'Fin.',
    ].join('\n');

    it('reads headings, lists, tables and code as plain text, and the title from the front matter', async () => {
      const document = await parseDocument({ bytes: file(markdown), fileName: 'guide.md' });

      expect(document).toEqual({
        title: 'Guide de l’agent',
        format: 'markdown',
        sections: [
          {
            headings: ['Congés'],
            text: 'Les congés sont accordés par le chef de service ; voir le guide et l’outil.',
          },
          {
            headings: ['Congés', 'Congés payés'],
            text: [
              '- 25 jours par an',
              '- Fractionnement :',
              '- 1 jour si 5 à 7 jours hors période',
              '- Report & épargne',
              '',
              'Ancienneté | Jours',
              '1 an | 25',
              '',
              '# pas un titre',
              'echo ok',
              '',
              'Note : voir la circulaire.',
            ].join('\n'),
          },
          { headings: ['Titre souligné'], text: 'Fin.' },
        ],
      });
    });

    it('takes the first # heading as the title without front matter', async () => {
      const document = await parseDocument({
        bytes: file('Intro.\n\n# Procédure\n\nÉtape unique.'),
        fileName: 'procedure.markdown',
      });

      expect(document.title).toBe('Procédure');
      expect(document.sections).toEqual([
        { headings: [], text: 'Intro.' },
        { headings: ['Procédure'], text: 'Étape unique.' },
      ]);
    });
  });

  describe('plain-text files', () => {
    it('splits UTF-8 text into paragraphs on blank lines, in one section without headings', async () => {
      const text = '\uFEFFPremier paragraphe,\r\nsur deux lignes.\r\n\r\n\r\n   Second   para\u00ADgraphe.  \n';

      const document = await parseDocument({ bytes: file(text), fileName: 'notes.txt' });

      expect(document).toEqual({
        title: undefined,
        format: 'text',
        sections: [{ headings: [], text: 'Premier paragraphe,\nsur deux lignes.\n\nSecond paragraphe.' }],
      });
    });

    it('decodes a file that is not UTF-8 as windows-1252', async () => {
      const bytes = new Uint8Array([...Buffer.from('Congés ', 'latin1'), 0x80, 0x20, 0x92, 0x61]);

      const document = await parseDocument({ bytes, fileName: 'notes.txt' });

      expect(document.sections).toEqual([{ headings: [], text: 'Congés € ’a' }]);
    });

    it('keeps the beginning of a document longer than the character limit', async () => {
      const text = ['Premier paragraphe.', 'Deuxième paragraphe.', 'Troisième paragraphe.'].join('\n\n');

      const document = await parseDocument({ bytes: file(text), fileName: 'long.txt' }, limits({ maxCharacters: 30 }));

      expect(document.sections).toEqual([{ headings: [], text: 'Premier paragraphe.\n\nDeuxième' }]);
    });

    it('says that a file of blank lines has no text', async () => {
      await parsingError(parseDocument({ bytes: file(' \n\n \t\n'), fileName: 'vide.txt' }), 'AI_DOCUMENT_EMPTY');
    });
  });

  describe('files it refuses', () => {
    it('refuses a program as an unsupported type, naming the file', async () => {
      const program = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]);

      const error = await parsingError(
        parseDocument({ bytes: program, fileName: 'setup.exe', contentType: 'application/octet-stream' }),
        'AI_DOCUMENT_UNSUPPORTED_TYPE',
      );

      expect(error.kind).toBe('unsupported_media_type');
      expect(error.messages.fr).toContain('« setup.exe »');
    });

    it('refuses binary data named as a text file', async () => {
      const binary = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]);

      await parsingError(parseDocument({ bytes: binary, fileName: 'lisez-moi.txt' }), 'AI_DOCUMENT_UNSUPPORTED_TYPE');
    });

    it('refuses a file over the size limit before reading it', async () => {
      const error = await parsingError(
        parseDocument(
          { bytes: new Uint8Array(2 * 1024 * 1024), fileName: 'gros.exe' },
          limits({ maxBytes: 1024 * 1024 }),
        ),
        'AI_DOCUMENT_TOO_LARGE',
      );

      expect(error.kind).toBe('too_large');
      expect(error.messages.fr).toBe('Ce document dépasse la taille maximale acceptée (1 Mo).');
    });
  });
});

describe(detectFormat.name, () => {
  it('trusts the content over the name and the content type', () => {
    expect(detectFormat('scan.txt', 'text/plain', buildPdf({ pages: [[]] }))).toBe('pdf');
    expect(detectFormat('archive.zip', 'application/zip', buildOdt(leaveGuide))).toBe('odt');
    expect(detectFormat('guide', undefined, buildDocx(leaveGuide))).toBe('docx');
  });

  it('falls back on the extension, then on the content type', () => {
    const text = file('Bonjour');
    expect(detectFormat('Guide.MD', undefined, text)).toBe('markdown');
    expect(detectFormat('page.htm', 'application/octet-stream', text)).toBe('html');
    expect(detectFormat('sans-extension', 'text/plain; charset=utf-8', text)).toBe('text');
    expect(detectFormat('sans-extension', undefined, text)).toBeUndefined();
    expect(detectFormat('formats.md', undefined, file('Un PDF commence par %PDF-1.7.'))).toBe('markdown');
  });

  it('finds no format in a zip that is neither a Word nor an OpenDocument text', () => {
    const archive = zipSync({ 'xl/workbook.xml': file('<workbook/>') });

    expect(detectFormat('tableur.xlsx', undefined, archive)).toBeUndefined();
  });
});
