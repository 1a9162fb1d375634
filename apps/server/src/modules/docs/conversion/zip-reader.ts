import { inflateRawSync } from 'node:zlib';

/** The archive is not a zip these readers can open (truncated, damaged, encrypted, zip64). */
export class ZipUnreadableError extends Error {
  override readonly name = 'ZipUnreadableError';
}

/** The archive inflates to more bytes than allowed: a decompression bomb, or a document far too large. */
export class ZipTooLargeError extends Error {
  override readonly name = 'ZipTooLargeError';
}

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly isEncrypted: boolean;
  readonly localHeaderOffset: number;
}

const endOfCentralDirectory = 0x06054b50;
const centralFileHeader = 0x02014b50;
const localFileHeader = 0x04034b50;

/**
 * A zip archive read from its central directory (the sizes it declares are not trusted): entries are
 * inflated on demand, all of them together never more than `maxInflatedBytes`.
 */
export class ZipReader {
  private readonly bytes: Uint8Array;
  private readonly entries = new Map<string, ZipEntry>();
  private remaining: number;

  constructor(bytes: Uint8Array, maxInflatedBytes: number) {
    this.bytes = bytes;
    this.remaining = maxInflatedBytes;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const earliest = Math.max(0, bytes.length - 22 - 0xffff);
    let end = bytes.length - 22;
    while (end >= earliest && view.getUint32(end, true) !== endOfCentralDirectory) end -= 1;
    if (end < earliest) throw new ZipUnreadableError('No end of central directory: not a zip, or a truncated one.');
    const count = view.getUint16(end + 10, true);
    let offset = view.getUint32(end + 16, true);
    if (count === 0xffff || offset === 0xffffffff) throw new ZipUnreadableError('Zip64 archives are not supported.');
    const names = new TextDecoder('utf-8');
    for (let index = 0; index < count; index += 1) {
      if (offset + 46 > bytes.length || view.getUint32(offset, true) !== centralFileHeader) {
        throw new ZipUnreadableError('Damaged central directory.');
      }
      const nameLength = view.getUint16(offset + 28, true);
      const entry: ZipEntry = {
        name: names.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
        method: view.getUint16(offset + 10, true),
        compressedSize: view.getUint32(offset + 20, true),
        isEncrypted: (view.getUint16(offset + 8, true) & 1) === 1,
        localHeaderOffset: view.getUint32(offset + 42, true),
      };
      this.entries.set(entry.name, entry);
      offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
    }
  }

  /** Whether the archive holds `name`. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry `name` inflated, or undefined when absent; counts against the archive's budget. */
  read(name: string): Uint8Array | undefined {
    const entry = this.entries.get(name);
    return entry ? this.inflate(entry) : undefined;
  }

  /** The entry `name` as UTF-8 text, or undefined when absent. */
  readText(name: string): string | undefined {
    const bytes = this.read(name);
    return bytes ? new TextDecoder('utf-8').decode(bytes) : undefined;
  }

  /**
   * Inflates every entry without keeping anything, to refuse a decompression bomb before a library that
   * inflates whole entries in memory (mammoth) reads the archive.
   */
  measureAll(): void {
    for (const entry of this.entries.values()) this.inflate(entry);
  }

  private inflate(entry: ZipEntry): Uint8Array {
    if (entry.isEncrypted) throw new ZipUnreadableError(`${entry.name} is encrypted.`);
    const data = this.compressedData(entry);
    let inflated: Uint8Array;
    if (entry.method === 0) {
      inflated = data;
    } else if (entry.method === 8) {
      try {
        // zlib stops as soon as the output passes the budget left: memory never grows beyond it.
        const buffer = inflateRawSync(data, { maxOutputLength: Math.max(1, this.remaining) });
        inflated = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new ZipTooLargeError(`The archive inflates to more than allowed (at ${entry.name}).`, { cause: error });
        }
        throw new ZipUnreadableError(`${entry.name} cannot be inflated.`, { cause: error });
      }
    } else {
      throw new ZipUnreadableError(`${entry.name} uses compression method ${entry.method}.`);
    }
    this.remaining -= inflated.length;
    if (this.remaining < 0) throw new ZipTooLargeError(`The archive inflates to more than allowed (at ${entry.name}).`);
    return inflated;
  }

  private compressedData(entry: ZipEntry): Uint8Array {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const header = entry.localHeaderOffset;
    if (header + 30 > this.bytes.length || view.getUint32(header, true) !== localFileHeader) {
      throw new ZipUnreadableError(`Damaged local header of ${entry.name}.`);
    }
    const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw new ZipUnreadableError(`${entry.name} is truncated.`);
    return this.bytes.subarray(start, end);
  }
}
