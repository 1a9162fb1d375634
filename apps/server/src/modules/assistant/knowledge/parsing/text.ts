import { TextDecoder } from 'node:util';
import type { SectionBuilder } from './sections.ts';

const utf8Bom = [0xef, 0xbb, 0xbf] as const;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function decoderFor(label: string): TextDecoder | undefined {
  try {
    return new TextDecoder(label);
  } catch {
    return undefined;
  }
}

/**
 * The text of `bytes`: UTF-8 (or UTF-16 when a byte-order mark says so), else the `declaredEncoding` (an
 * HTML page's `<meta charset>`), else windows-1252, the encoding of text files written on Windows in
 * French. Never fails: undecodable bytes become U+FFFD.
 */
export function decodeText(bytes: Uint8Array, declaredEncoding?: string): string {
  if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes);
  if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes);
  if (startsWith(bytes, utf8Bom)) return new TextDecoder('utf-8').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const declared = declaredEncoding === undefined ? undefined : decoderFor(declaredEncoding);
    const decoder = declared && declared.encoding !== 'utf-8' ? declared : new TextDecoder('windows-1252');
    return decoder.decode(bytes);
  }
}

/** Whether `bytes` look like a binary file rather than text: a NUL byte early on, outside UTF-16. */
export function looksBinary(bytes: Uint8Array): boolean {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return false;
  return bytes.subarray(0, 8192).includes(0);
}

/** Reads a plain-text file into `builder`: one paragraph per run of lines between blank lines, no headings. */
export function parseText(bytes: Uint8Array, builder: SectionBuilder): void {
  const text = decodeText(bytes).replace(/\r\n?/g, '\n');
  for (const paragraph of text.split(/\n[^\S\n]*\n/)) {
    if (builder.isFull) break;
    builder.paragraph(paragraph);
  }
}
