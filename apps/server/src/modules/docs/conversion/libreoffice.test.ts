import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBlocks } from './export-document.ts';
import { blocksFromMarkdown, buildPng } from './testing/fixtures.ts';

const run = promisify(execFile);
const isSkipped = process.env.BUREAU_SKIP_LIBREOFFICE === '1';

/** The `soffice` executable on the PATH, or undefined. */
async function findSoffice(): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', 'command -v soffice']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

const page = `# Rapport d’activité

Texte **important**, avec des accents : é è à ç ô œ.

## Effectifs par service

| Service | Agents |
|---|---|
| Ressources humaines | 12 |
| Système d’information | 8 |

### Prochaines étapes

1. Recruter
   - deux développeurs
2. Former

- [x] Budget validé
`;

// LibreOffice is the reference reader of ODT and the other reader of DOCX: our exports must open in it
// (a file it refuses converts to nothing). Each run has its own profile, so test files in parallel and a
// LibreOffice the developer has open do not share one.
describe.skipIf(isSkipped)('LibreOffice opening our exports', () => {
  let directory: string;
  let soffice: string | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bureau-soffice-'));
    soffice = await findSoffice();
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads the headings, the table cells and the lists of our DOCX and ODT', { timeout: 60_000 }, async () => {
    if (!soffice) {
      throw new Error(
        'LibreOffice (soffice) is not installed: run "bash scripts/install-test-dependencies.sh" (as root), or set BUREAU_SKIP_LIBREOFFICE=1 to skip this test.',
      );
    }
    const blocks = await blocksFromMarkdown(`${page}\n![Logo](/api/docs/files/logo.png)\n`);
    const png = await buildPng();
    const options = {
      title: 'Rapport 2025',
      resolveFile: () => Promise.resolve({ data: png, contentType: 'image/png' }),
    };
    for (const format of ['docx', 'odt'] as const) {
      const { body } = await exportBlocks(blocks, format, options);
      await writeFile(join(directory, `rapport-${format}.${format}`), body);
    }

    await run(
      soffice,
      [
        '--headless',
        '--norestore',
        `-env:UserInstallation=${pathToFileURL(join(directory, 'profile')).href}`,
        '--convert-to',
        'txt:Text',
        '--outdir',
        join(directory, 'text'),
        join(directory, 'rapport-docx.docx'),
        join(directory, 'rapport-odt.odt'),
      ],
      { timeout: 55_000 },
    );

    for (const format of ['docx', 'odt']) {
      // A file LibreOffice cannot open converts to nothing: the text file is then missing.
      const text = await readFile(join(directory, 'text', `rapport-${format}.txt`), 'utf8');
      const lines = text.split(/\r?\n/).map((line) => line.trim());
      expect(lines, `the lines LibreOffice read from our ${format}`).toEqual(
        expect.arrayContaining([
          'Rapport 2025',
          'Rapport d’activité',
          'Texte important, avec des accents : é è à ç ô œ.',
          'Effectifs par service',
          'Service',
          'Agents',
          'Ressources humaines',
          '12',
          'Système d’information',
          'Prochaines étapes',
        ]),
      );
      expect(text).toMatch(/1\.\s+Recruter/);
      expect(text).toMatch(/2\.\s+Former/);
      expect(text).toContain('deux développeurs');
      expect(text).toContain('Budget validé');
    }
  });
});
