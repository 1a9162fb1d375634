// Measures the conversions on a long page: about 5,000 words with 10 tables, lists, code and quotes.
// Run: npm run bench:docs-conversion (node bench/docs/conversion.ts)
// Prints, for each export format and for the import of the DOCX, the first call (which loads BlockNote
// and the format's library) and the median of the next runs, in milliseconds.
import { docsExportFormats } from '@bureau/contracts';
import { blockNoteEditor } from '../../apps/server/src/modules/docs/conversion/blocknote-editor.ts';
import { exportBlocks } from '../../apps/server/src/modules/docs/conversion/export-document.ts';
import { importDocument } from '../../apps/server/src/modules/docs/conversion/import-document.ts';

const runs = 7;

const words = [
  'agent',
  'service',
  'dossier',
  'procédure',
  'délai',
  'été',
  'formulaire',
  'réunion',
  'budget',
  'échéance',
  'préfecture',
  'congé',
  'règlement',
  'télétravail',
  'équipe',
];

function sentence(seed: number, length: number): string {
  const picked = Array.from({ length }, (_, index) => words[(seed * 7 + index * 3) % words.length] ?? 'mot');
  return `${picked.join(' ')}.`;
}

/** A long page in Markdown, and how many words it holds. */
function longPageMarkdown(): { markdown: string; wordCount: number } {
  const parts: string[] = [];
  for (let section = 1; section <= 10; section += 1) {
    parts.push(`## Partie ${section} : organisation du service`);
    for (let paragraph = 0; paragraph < 4; paragraph += 1) {
      parts.push(
        `${sentence(section * 10 + paragraph, 44)} **${sentence(paragraph, 5)}** ${sentence(section + paragraph, 44)}`,
      );
    }
    parts.push(`### Étapes de la partie ${section}`);
    parts.push(
      [
        '- ' + sentence(section, 8),
        '  - ' + sentence(section + 1, 8),
        '1. ' + sentence(section + 2, 8),
        '2. ' + sentence(section + 3, 8),
      ].join('\n'),
    );
    parts.push('- [ ] ' + sentence(section + 4, 6) + '\n- [x] ' + sentence(section + 5, 6));
    const rows = Array.from(
      { length: 6 },
      (_, row) => `| ${sentence(row, 2)} | ${sentence(row + 1, 3)} | ${row * section} | ${sentence(row + 2, 2)} |`,
    );
    parts.push(['| Service | Description | Nombre | Remarque |', '|---|---|---|---|', ...rows].join('\n'));
    parts.push('> ' + sentence(section + 6, 20));
    parts.push('```\n' + sentence(section, 6) + '\n  ' + sentence(section + 1, 6) + '\n```');
  }
  const markdown = parts.join('\n\n');
  const wordCount = markdown.split(/\s+/).filter((word) => /\p{L}/u.test(word)).length;
  return { markdown, wordCount };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; milliseconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, milliseconds: performance.now() - started };
}

async function measure(): Promise<void> {
  const { markdown, wordCount } = longPageMarkdown();
  const editor = await blockNoteEditor();
  const blocks = await editor.tryParseMarkdownToBlocks(markdown);
  const tables = blocks.filter((block) => block.type === 'table').length;
  console.log(`page: ${wordCount} words, ${blocks.length} top-level blocks, ${tables} tables`);
  let docx: Uint8Array | undefined;
  for (const format of docsExportFormats) {
    const first = await timed(() => exportBlocks(blocks, format, { title: 'Rapport long' }));
    const next: number[] = [];
    for (let run = 0; run < runs; run += 1)
      next.push((await timed(() => exportBlocks(blocks, format, { title: 'Rapport long' }))).milliseconds);
    if (format === 'docx') docx = first.value.body;
    console.log(
      `export ${format.padEnd(4)}: first ${first.milliseconds.toFixed(0)} ms, median of ${runs} ${median(next).toFixed(0)} ms, ${(first.value.body.length / 1024).toFixed(0)} KiB`,
    );
  }
  if (!docx) return;
  const body = docx;
  const first = await timed(() => importDocument(body, 'rapport.docx'));
  const next: number[] = [];
  for (let run = 0; run < runs; run += 1)
    next.push((await timed(() => importDocument(body, 'rapport.docx'))).milliseconds);
  console.log(
    `import docx: first ${first.milliseconds.toFixed(0)} ms, median of ${runs} ${median(next).toFixed(0)} ms, ${first.value.blocks.length} blocks`,
  );
}

await measure();
