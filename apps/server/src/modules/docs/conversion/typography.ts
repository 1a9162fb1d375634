/** The language of an exported document (its spelling checker, hyphenation and `lang`). */
export type ExportLanguage = 'fr' | 'en';

/**
 * Fonts the exported documents ask for. Marianne is the State's typeface (DSFR); a reader without it gets
 * Arial, or Liberation Sans (its metric twin, on Linux), then any sans-serif.
 */
export const documentFonts = {
  sans: 'Marianne',
  sansFallback: 'Arial',
  sansFallbackLinux: 'Liberation Sans',
  monospace: 'Courier New',
  monospaceFallbackLinux: 'Liberation Mono',
} as const;

/** `fr-FR` or `en-GB`: the region the administration writes for. */
export function languageTag(language: ExportLanguage): string {
  return language === 'en' ? 'en-GB' : 'fr-FR';
}
