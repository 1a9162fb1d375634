/**
 * The colour of a person in a shared document (their cursor, their selection, their dot in the list of
 * people present): the same on every screen and at every visit, since it comes from their id. Every colour
 * of the palette carries white text at a contrast of 4.5:1 at least (WCAG AA), the cursor labels' case.
 * Six-digit hexadecimal: the editor adds an alpha suffix to draw selections.
 */
export const presenceColours = [
  '#000091', // blue France
  '#0063cb', // info
  '#18753c', // success
  '#b34000', // warning
  '#ce0500', // error
  '#6e445a', // purple glycine
  '#3558a2', // blue cumulus
  '#745b47', // brown caramel
  '#8d533e', // brown opera
  '#297254', // green emeraude
  '#5e2a2b', // red marianne (dark)
  '#6a3e99', // purple (dark)
] as const;

/**
 * The colour of a visitor following a public link (not signed in, so without an id): a neutral grey,
 * white text at 5.7:1, the same for every visitor.
 */
export const visitorColour = '#666666';

/** FNV-1a over the UTF-16 code units: small, stable, and spreads close ids apart. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The person's colour, from their id. */
export function colourOfUser(userId: string): string {
  return presenceColours[hashOf(userId) % presenceColours.length] ?? presenceColours[0];
}

function relativeLuminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16) / 255);
  const [red = 0, green = 0, blue = 0] = channels.map((value) =>
    value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** The contrast ratio of white text on a `#rrggbb` background (1 to 21). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (relativeLuminance(hex) + 0.05);
}
