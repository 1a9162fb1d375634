/** A file found inside an imported document (an image), for the caller to store and link. */
export interface ImportedFile {
  /** Blocks refer to it by the URL `bureau-import:<id>`. */
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

/** The URL scheme imported blocks use for the files of the import, until the caller stores them. */
export const importedFileScheme = 'bureau-import:';

const imageTypes: readonly { contentType: string; extension: string; matches: (bytes: Uint8Array) => boolean }[] = [
  { contentType: 'image/png', extension: 'png', matches: (bytes) => startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) },
  { contentType: 'image/jpeg', extension: 'jpg', matches: (bytes) => startsWith(bytes, [0xff, 0xd8, 0xff]) },
  { contentType: 'image/gif', extension: 'gif', matches: (bytes) => startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) },
  {
    contentType: 'image/webp',
    extension: 'webp',
    matches: (bytes) =>
      startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes.subarray(8), [0x57, 0x45, 0x42, 0x50]),
  },
];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

/**
 * The files of one import. Only images every browser shows (PNG, JPEG, GIF, WebP), recognised by their
 * content, are kept: Word's EMF and WMF drawings would not display, and an SVG could carry script.
 */
export class ImportedFiles {
  readonly files: ImportedFile[] = [];

  /** Whether the import holds a file of id `id`. */
  has(id: string): boolean {
    return this.files.some((file) => file.id === id);
  }

  /** Adds an image; returns the URL blocks use for it, or undefined when it is not a kept image type. */
  addImage(data: Uint8Array, baseName = 'image'): string | undefined {
    const type = imageTypes.find((candidate) => candidate.matches(data));
    if (!type) return undefined;
    const id = `image-${this.files.length + 1}`;
    const stem =
      baseName
        .replace(/\.[a-z0-9]{1,5}$/i, '')
        .replace(/[^\p{L}\p{N}_-]+/gu, '-')
        .slice(0, 60) || 'image';
    this.files.push({ id, fileName: `${stem}.${type.extension}`, contentType: type.contentType, data });
    return `${importedFileScheme}${id}`;
  }

  /** Adds the image of a `data:` URL; undefined when it is not a base64 image of a kept type. */
  addDataUrl(url: string): string | undefined {
    const match = /^data:image\/[\w.+-]+;base64,([\s\S]*)$/i.exec(url.trim());
    if (!match?.[1]) return undefined;
    return this.addImage(new Uint8Array(Buffer.from(match[1], 'base64')));
  }
}
