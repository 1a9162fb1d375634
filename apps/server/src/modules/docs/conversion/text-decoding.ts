/**
 * Decodes the bytes of a text file: UTF-8 (with or without a byte order mark), UTF-16 with its mark, else
 * `declaredEncoding` (an HTML page's `<meta charset>`), else Windows-1252, which older French files use.
 */
export function decodeText(bytes: Uint8Array, declaredEncoding?: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    try {
      if (declaredEncoding) return new TextDecoder(declaredEncoding).decode(bytes);
    } catch {
      // An encoding name the platform does not know: the usual one below.
    }
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** The encoding an HTML page declares in its first bytes (`<meta charset>`), for pages that are not UTF-8. */
export function declaredHtmlEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  return /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head)?.[1];
}
