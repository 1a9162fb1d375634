import { zipSync, type Zippable } from 'fflate';

/** The longest name (in characters, before the extension) given to an exported file or folder. */
const maxNameLength = 120;

// Names Windows reserves for devices, whatever their extension.
const reservedNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

function safeSegment(name: string, fallback: string): string {
  const cleaned = name
    .normalize('NFC')
    // Separators and the characters Windows, macOS or Linux refuse in a name, and control characters.
    .replace(/[\p{Cc}/\\:*?"<>|]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // Windows drops trailing dots and spaces; a leading dot hides the file on Linux and macOS.
    .replace(/^[.\s]+|[.\s]+$/g, '');
  const characters = Array.from(cleaned);
  const cut = characters.length > maxNameLength ? characters.slice(0, maxNameLength).join('').trimEnd() : cleaned;
  if (!cut) return fallback;
  return reservedNames.test(cut) ? `_${cut}` : cut;
}

/**
 * A file name for a document titled `title`: characters that no operating system accepts replaced,
 * spaces collapsed, cut to 120 characters, "Sans titre" when nothing is left; `extension` given with or
 * without its dot.
 */
export function safeFileName(title: string, extension: string): string {
  const suffix = extension
    .replace(/^\.+/, '')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase();
  const base = safeSegment(title, 'Sans titre');
  return suffix ? `${base}.${suffix}` : base;
}

function splitExtension(name: string): { stem: string; extension: string } {
  const match = /^(.+?)(\.[a-z0-9]{1,10})$/i.exec(name);
  return match ? { stem: match[1] ?? name, extension: match[2] ?? '' } : { stem: name, extension: '' };
}

/** Already compressed formats are stored as they are: deflating them again costs time and saves nothing. */
const storedExtensions = new Set(['.docx', '.odt', '.pdf', '.zip', '.png', '.jpg', '.jpeg', '.gif', '.webp']);

/**
 * A zip of exported documents (a page and its sub-pages): each path's segments made safe file names, and
 * made unique ignoring case (Windows and macOS do), « (2) », « (3) »... added before the extension.
 */
export function zipEntries(entries: readonly { readonly path: string; readonly body: Uint8Array }[]): Uint8Array {
  const taken = new Set<string>();
  const directories = new Map<string, string>();
  const files: Zippable = {};

  const unique = (parent: string, name: string): string => {
    const { stem, extension } = splitExtension(name);
    for (let attempt = 1; ; attempt += 1) {
      const candidate = `${parent}${attempt === 1 ? stem : `${stem} (${attempt})`}${extension}`;
      if (!taken.has(candidate.toLowerCase())) {
        taken.add(candidate.toLowerCase());
        return candidate;
      }
    }
  };

  for (const entry of entries) {
    const segments = entry.path.split('/').filter((segment) => segment.trim() !== '');
    const fileSegment = segments.pop() ?? '';
    let parent = '';
    for (const segment of segments) {
      // Entries under the same requested folder share it; a folder whose safe name is taken gets « (2) ».
      const key = `${parent}\u0000${segment}`;
      let directory = directories.get(key);
      if (directory === undefined) {
        directory = `${unique(parent, safeSegment(segment, 'Sans titre'))}/`;
        directories.set(key, directory);
      }
      parent = directory;
    }
    const { stem, extension } = splitExtension(fileSegment);
    const name = unique(parent, `${safeSegment(stem, 'Sans titre')}${extension.toLowerCase()}`);
    files[name] = [entry.body, { level: storedExtensions.has(extension.toLowerCase()) ? 0 : 6 }];
  }
  // fflate marks names as UTF-8 (general purpose flag 11) when they are not ASCII: accents survive.
  return zipSync(files, { mtime: new Date() });
}
