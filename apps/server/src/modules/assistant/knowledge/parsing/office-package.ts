import { Inflate } from 'fflate';
import { SaxesParser } from 'saxes';
import { normaliseInline } from './sections.ts';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly isEncrypted: boolean;
  readonly localHeaderOffset: number;
}

/** The archive is not a readable zip (truncated, or a feature these readers do not support). */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

/** An entry inflates to more bytes than allowed: a decompression bomb, or a document far too large. */
export class ZipTooLargeError extends Error {
  override readonly name = 'ZipTooLargeError';
}

const endOfCentralDirectorySignature = 0x06054b50;
const centralFileHeaderSignature = 0x02014b50;
const localFileHeaderSignature = 0x04034b50;
// Compressed input handed to the inflater at a time: one chunk inflates to 1032 times its size at most,
// so the budget is checked before memory grows far past it.
const inflateChunkBytes = 16 * 1024;

/**
 * The entries of the zip archive `bytes`, by name, read from its central directory (a truncated archive
 * has none and is rejected). Nothing is decompressed.
 */
export function listZipEntries(bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const earliest = Math.max(0, bytes.length - 22 - 0xffff);
  let end = bytes.length - 22;
  while (end >= earliest && view.getUint32(end, true) !== endOfCentralDirectorySignature) end -= 1;
  if (end < earliest) throw new ZipFormatError('No end of central directory: the archive is truncated.');
  const entryCount = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  if (entryCount === 0xffff || offset === 0xffffffff) throw new ZipFormatError('Zip64 archives are not supported.');
  const names = new TextDecoder('utf-8');
  const entries = new Map<string, ZipEntry>();
  for (let index = 0; index < entryCount; index += 1) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== centralFileHeaderSignature) {
      throw new ZipFormatError('Damaged central directory.');
    }
    const nameLength = view.getUint16(offset + 28, true);
    const entry: ZipEntry = {
      name: names.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      isEncrypted: (view.getUint16(offset + 8, true) & 1) === 1,
      localHeaderOffset: view.getUint32(offset + 42, true),
    };
    entries.set(entry.name, entry);
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return entries;
}

function compressedData(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== localFileHeaderSignature) {
    throw new ZipFormatError(`Damaged local header of ${entry.name}.`);
  }
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipFormatError(`${entry.name} is truncated.`);
  return bytes.subarray(start, end);
}

/**
 * Decompresses `entry` chunk by chunk, handing each piece to `onData`, and stops with a `ZipTooLargeError`
 * as soon as more than `maxBytes` came out: the sizes an archive declares cannot be trusted.
 */
export function inflateZipEntry(
  bytes: Uint8Array,
  entry: ZipEntry,
  maxBytes: number,
  onData: (chunk: Uint8Array) => void,
): void {
  if (entry.isEncrypted) throw new ZipFormatError(`${entry.name} is encrypted.`);
  const data = compressedData(bytes, entry);
  let produced = 0;
  const accept = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > maxBytes) throw new ZipTooLargeError(`${entry.name} inflates to more than ${maxBytes} bytes.`);
    if (chunk.length > 0) onData(chunk);
  };
  if (entry.method === 0) {
    accept(data);
    return;
  }
  if (entry.method !== 8) throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}.`);
  const inflater = new Inflate((chunk) => accept(chunk));
  for (let start = 0; start < data.length; start += inflateChunkBytes) {
    const end = Math.min(start + inflateChunkBytes, data.length);
    inflater.push(data.subarray(start, end), end === data.length);
  }
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
}

/** The whole of `entry`, decompressed (at most `maxBytes`). */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  inflateZipEntry(bytes, entry, maxBytes, (chunk) => chunks.push(chunk));
  const whole = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/**
 * The text of the first `elementName` element of an XML document (the `dc:title` of a document's
 * metadata), whitespace normalised; undefined when absent, empty or unreadable.
 */
export function firstElementText(xml: string, elementName: string): string | undefined {
  const parser = new SaxesParser({ xmlns: false });
  let depth = 0;
  let text = '';
  let isDone = false;
  parser.on('opentag', (tag) => {
    if (!isDone && (depth > 0 || tag.name === elementName)) depth += 1;
  });
  parser.on('text', (value) => {
    if (depth > 0) text += value;
  });
  parser.on('closetag', () => {
    if (depth === 0) return;
    depth -= 1;
    if (depth === 0) isDone = true;
  });
  try {
    parser.write(xml).close();
  } catch {
    // Metadata is optional: a damaged part only costs the title.
    return undefined;
  }
  return normaliseInline(text) || undefined;
}

const compoundFileSignature = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;
// The stream a password-protected Office Open XML file keeps its encrypted zip in (MS-OFFCRYPTO), as
// the UTF-16 directory entry name of its compound file.
const encryptedPackageName = new Uint8Array(Buffer.from('EncryptedPackage', 'utf16le'));

/**
 * Whether `bytes` are a password-protected Office document: Word does not zip those but wraps the
 * encrypted package in an OLE compound file.
 */
export function isEncryptedOfficeFile(bytes: Uint8Array): boolean {
  if (!compoundFileSignature.every((byte, index) => bytes[index] === byte)) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(encryptedPackageName) >= 0;
}
