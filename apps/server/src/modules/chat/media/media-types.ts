/**
 * Content types of the media repository: what a declared `Content-Type` is stored as, whether the first
 * bytes of an upload agree with a declared image type, and how a stored type is served (inline or as an
 * attachment). Pure functions, so the rules can be read and tested on their own.
 */

export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

/** Longest content type kept (a longer header is treated as malformed). */
const MAX_CONTENT_TYPE_LENGTH = 255;

// RFC 9110 § 5.6.2: token = 1*tchar.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 9110 § 5.6.4: quoted-string, without obs-text (a stored type stays ASCII).
const QUOTED_STRING = /^"(?:[\t !#-[\]-~]|\\[\t -~])*"$/;

/**
 * The content type an upload is stored with: the declared one, normalised (type, subtype and parameter
 * names in lower case, `; ` between parameters), when it is a syntactically valid media type
 * (RFC 9110 § 8.3.1); `application/octet-stream` when it is missing or malformed, as the spec allows for
 * media whose type is unknown.
 */
export function normaliseContentType(declared: string | undefined): string {
  if (declared === undefined) return DEFAULT_MEDIA_TYPE;
  const parsed = parseContentType(declared);
  if (!parsed) return DEFAULT_MEDIA_TYPE;
  const parameters = parsed.parameters.map(([name, value]) => `; ${name}=${value}`).join('');
  const normalised = `${parsed.essence}${parameters}`;
  return normalised.length <= MAX_CONTENT_TYPE_LENGTH ? normalised : parsed.essence;
}

/** `type/subtype` and the parameters of a media type, or undefined when it is not one. */
export function parseContentType(
  value: string,
): { essence: string; parameters: Array<[name: string, value: string]> } | undefined {
  if (value.length > MAX_CONTENT_TYPE_LENGTH) return undefined;
  const [head = '', ...rest] = splitParameters(value);
  const slash = head.indexOf('/');
  const type = head.slice(0, slash).trim();
  const subtype = head.slice(slash + 1).trim();
  if (slash < 0 || !TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const parameters: Array<[string, string]> = [];
  for (const part of rest) {
    const trimmed = part.trim();
    if (trimmed === '') continue; // "text/plain;" is tolerated, as browsers do
    const equals = trimmed.indexOf('=');
    if (equals <= 0) return undefined;
    const name = trimmed.slice(0, equals);
    const parameterValue = trimmed.slice(equals + 1);
    if (!TOKEN.test(name) || !(TOKEN.test(parameterValue) || QUOTED_STRING.test(parameterValue))) return undefined;
    parameters.push([name.toLowerCase(), parameterValue]);
  }
  return { essence: `${type}/${subtype}`.toLowerCase(), parameters };
}

/** Splits on `;` outside quoted strings. */
function splitParameters(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index += 1) {
    const character = value[index] ?? '';
    if (quoted && character === '\\') {
      current += character + (value[index + 1] ?? '');
      index += 1;
      continue;
    }
    if (character === '"') quoted = !quoted;
    if (character === ';' && !quoted) {
      parts.push(current);
      current = '';
      continue;
    }
    current += character;
  }
  parts.push(current);
  return parts;
}

/** `type/subtype` of a (normalised) content type, without parameters. */
export function essenceOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export type SniffedImage = 'png' | 'jpeg' | 'gif' | 'webp';

/** Bytes needed to recognise every signature below. */
export const SNIFF_LENGTH = 12;

/** The raster format the first bytes of a file announce, if one of the formats clients display inline. */
export function sniffImage(head: Uint8Array): SniffedImage | undefined {
  const starts = (offset: number, ...bytes: number[]) => bytes.every((byte, index) => head[offset + index] === byte);
  const ascii = (offset: number, text: string) => starts(offset, ...Array.from(text, (c) => c.charCodeAt(0)));
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  return undefined;
}

/** The format a declared image type promises, for the types whose bytes are checked. */
const formatOfImageType: Readonly<Record<string, SniffedImage>> = {
  'image/png': 'png',
  'image/apng': 'png',
  'image/x-png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

export const mediaTypeOfImage: Readonly<Record<SniffedImage, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/**
 * Whether the first bytes of an upload contradict its declared type: a file declared PNG, JPEG, GIF or
 * WebP must start with that format's signature. A browser shown such a file inline would otherwise be
 * handed bytes of another kind under an image type. Other declared types are not checked (their
 * signatures are not reliable enough to refuse an upload on).
 */
export function contradictsDeclaredType(contentType: string, head: Uint8Array): string | undefined {
  const promised = formatOfImageType[essenceOf(contentType)];
  if (!promised) return undefined;
  const actual = sniffImage(head);
  if (actual === promised) return undefined;
  return actual
    ? `the file is declared ${essenceOf(contentType)} but its content is a ${actual.toUpperCase()} image`
    : `the file is declared ${essenceOf(contentType)} but its content is not a ${promised.toUpperCase()} image`;
}

/**
 * Types served with `Content-Disposition: inline`: raster images (not SVG, which can carry script),
 * audio, video, plain text and PDF. A browser given one of these with `nosniff` renders it as that type
 * and nothing else; every other type is served as an attachment (downloaded, never rendered in the
 * server's origin).
 */
const inlineTypes: ReadonlySet<string> = new Set([
  'text/plain',
  'application/pdf',
  'image/jpeg',
  'image/gif',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
  'audio/mp4',
  'audio/webm',
  'audio/aac',
  'audio/mpeg',
  'audio/ogg',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-pn-wav',
  'audio/flac',
  'audio/x-flac',
]);

export function isServedInline(contentType: string): boolean {
  return inlineTypes.has(essenceOf(contentType));
}

/**
 * The policy of every media response: no script, no plugin, no network access from the document, in a
 * sandbox (a unique origin), so that a file opened directly in a browser can never act in Bureau's
 * origin. Inline styles and same-origin media stay allowed so that text, audio and video still display.
 */
export const MEDIA_CONTENT_SECURITY_POLICY =
  "sandbox; default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; media-src 'self'; object-src 'self'";

/**
 * A `Content-Disposition` value (RFC 6266): the disposition, and the file name both as an ASCII
 * `filename` (characters a header cannot carry replaced by `_`) and, when it is not plain ASCII, as a
 * UTF-8 `filename*` (RFC 8187), which browsers prefer.
 */
export function contentDisposition(disposition: 'inline' | 'attachment', fileName: string | undefined): string {
  if (fileName === undefined || fileName === '') return disposition;
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const isPlain = fallback === fileName;
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return isPlain
    ? `${disposition}; filename="${fallback}"`
    : `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
