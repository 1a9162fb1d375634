/**
 * Sensitivity levels ("Cloud au centre"), from the least to the most sensitive. Every resource carries
 * one; every processor (model provider, object store, transcription service...) is cleared up to one.
 */
export const sensitivityLevels = ['public', 'internal', 'sensitive', 'restricted'] as const;

export type SensitivityLevel = (typeof sensitivityLevels)[number];

/** Labels shown to people. */
export const sensitivityLevelNames: Readonly<Record<SensitivityLevel, { fr: string; en: string }>> = {
  public: { fr: 'Public', en: 'Public' },
  internal: { fr: 'Interne', en: 'Internal' },
  sensitive: { fr: 'Sensible', en: 'Sensitive' },
  restricted: { fr: 'Diffusion restreinte', en: 'Restricted' },
};

export function isSensitivityLevel(value: unknown): value is SensitivityLevel {
  return typeof value === 'string' && (sensitivityLevels as readonly string[]).includes(value);
}

/** Negative when `a` is less sensitive than `b`, 0 when equal, positive when more. */
export function compareSensitivity(a: SensitivityLevel, b: SensitivityLevel): number {
  return sensitivityLevels.indexOf(a) - sensitivityLevels.indexOf(b);
}

/** The most sensitive of `levels` (`public` for none). */
export function highestSensitivity(levels: Iterable<SensitivityLevel>): SensitivityLevel {
  let highest: SensitivityLevel = 'public';
  for (const level of levels) if (compareSensitivity(level, highest) > 0) highest = level;
  return highest;
}
