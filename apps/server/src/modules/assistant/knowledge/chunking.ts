import type { KnowledgeSection } from './knowledge-document.ts';

/**
 * Cuts a document's sections into chunks, the passages Albert retrieves, quotes and cites. A chunk never
 * straddles two sections (its headings say where it stands); a section longer than `maxCharacters` is cut
 * at line ends, then at sentence ends, into pieces of about `targetCharacters`.
 */
export interface Chunk {
  readonly headings: readonly string[];
  readonly text: string;
}

export interface ChunkingOptions {
  readonly targetCharacters: number;
  readonly maxCharacters: number;
}

export const defaultChunking: ChunkingOptions = { targetCharacters: 1_200, maxCharacters: 2_000 };

export function chunkSections(
  sections: readonly KnowledgeSection[],
  options: ChunkingOptions = defaultChunking,
): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const text = section.text.trim();
    if (!text) continue;
    if (text.length <= options.maxCharacters) {
      chunks.push({ headings: section.headings, text });
      continue;
    }
    let current = '';
    const flush = () => {
      if (current.trim()) chunks.push({ headings: section.headings, text: current.trim() });
      current = '';
    };
    for (const piece of piecesOf(text, options.maxCharacters)) {
      if (current && current.length + piece.length + 1 > options.targetCharacters) flush();
      current = current ? `${current}\n${piece}` : piece;
    }
    flush();
  }
  return chunks;
}

/** Lines, and the sentences (or hard cuts) of lines too long to stand alone. */
function piecesOf(text: string, maxCharacters: number): string[] {
  const pieces: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= maxCharacters) {
      pieces.push(line);
      continue;
    }
    let sentence = '';
    for (const part of line.split(/(?<=[.!?;:])\s+/)) {
      if (sentence && sentence.length + part.length + 1 > maxCharacters) {
        pieces.push(sentence);
        sentence = '';
      }
      if (part.length > maxCharacters) {
        for (let start = 0; start < part.length; start += maxCharacters)
          pieces.push(part.slice(start, start + maxCharacters));
        continue;
      }
      sentence = sentence ? `${sentence} ${part}` : part;
    }
    if (sentence) pieces.push(sentence);
  }
  return pieces;
}
