import { compareSensitivity, highestSensitivity, isSensitivityLevel, type SensitivityLevel } from './levels.ts';

/** What a processor does with the data it receives. */
export type ProcessorKind = 'model-provider' | 'object-store' | 'transcription' | 'search' | 'mail' | 'other';

export const processorKinds: readonly ProcessorKind[] = [
  'model-provider',
  'object-store',
  'transcription',
  'search',
  'mail',
  'other',
];

/**
 * Where a processor runs. `on-premises`: infrastructure the administration operates itself;
 * `state-cloud`: a cloud operated by the State (interministerial or ministerial);
 * `secnumcloud`: a provider qualified SecNumCloud by ANSSI; `public-cloud`: any other cloud.
 */
export type ProcessorHosting = 'on-premises' | 'state-cloud' | 'secnumcloud' | 'public-cloud';

export const processorHostings: readonly ProcessorHosting[] = [
  'on-premises',
  'state-cloud',
  'secnumcloud',
  'public-cloud',
];

/** Labels shown to people. */
export const processorHostingNames: Readonly<Record<ProcessorHosting, { fr: string; en: string }>> = {
  'on-premises': { fr: 'Infrastructure de l’administration', en: 'The administration’s own infrastructure' },
  'state-cloud': { fr: 'Cloud de l’État', en: 'State cloud' },
  secnumcloud: { fr: 'Cloud qualifié SecNumCloud', en: 'SecNumCloud-qualified cloud' },
  'public-cloud': { fr: 'Cloud public', en: 'Public cloud' },
};

/**
 * The highest clearance a processor so hosted may declare ("Cloud au centre"): a public cloud never
 * receives sensitive or restricted data; sensitive data needs a SecNumCloud-qualified or State-operated
 * host; restricted data (Diffusion Restreinte) stays on infrastructure the administration operates.
 */
export function maxClearanceForHosting(hosting: ProcessorHosting): SensitivityLevel {
  switch (hosting) {
    case 'on-premises':
      return 'restricted';
    case 'state-cloud':
    case 'secnumcloud':
      return 'sensitive';
    case 'public-cloud':
      return 'internal';
  }
}

/**
 * Whether a processor cleared up to `clearance` may receive data carrying `labels` (all of them: the
 * most sensitive decides; no label at all is public). A value that is not a known level counts as
 * `restricted`, so that a corrupt label never lets data out.
 */
export function mayProcess(clearance: SensitivityLevel, labels: Iterable<SensitivityLevel>): boolean {
  if (!isSensitivityLevel(clearance)) return false;
  return compareSensitivity(clearance, highestSensitivity(failClosedLabels(labels).levels)) >= 0;
}

/**
 * The labels as levels, each value that is not a known level replaced by `restricted` (and listed in
 * `unknown`, for a warning): data whose label cannot be read is treated as the most sensitive.
 */
export function failClosedLabels(labels: Iterable<unknown>): { levels: SensitivityLevel[]; unknown: unknown[] } {
  const levels: SensitivityLevel[] = [];
  const unknown: unknown[] = [];
  for (const label of labels) {
    if (isSensitivityLevel(label)) {
      levels.push(label);
    } else {
      unknown.push(label);
      levels.push('restricted');
    }
  }
  return { levels, unknown };
}
