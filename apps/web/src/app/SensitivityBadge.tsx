import { Badge } from '@codegouvfr/react-dsfr/Badge';
import type { SensitivityLevel } from '../api/types.ts';
import { useLocale, type Locale } from '../i18n.tsx';

/** The names of the sensitivity levels, as agents know them. */
export const sensitivityNames: Record<SensitivityLevel, Record<Locale, string>> = {
  public: { fr: 'Public', en: 'Public' },
  internal: { fr: 'Interne', en: 'Internal' },
  sensitive: { fr: 'Sensible', en: 'Sensitive' },
  restricted: { fr: 'Diffusion restreinte', en: 'Restricted' },
};

const severities = { public: 'success', internal: 'info', sensitive: 'warning', restricted: 'error' } as const;

function isLevel(value: string): value is SensitivityLevel {
  return value in sensitivityNames;
}

/** A resource's sensitivity label as a DSFR badge. */
export function SensitivityBadge({ level }: { level: string }) {
  const { locale } = useLocale();
  if (!isLevel(level)) return null;
  return (
    <Badge small severity={severities[level]}>
      {sensitivityNames[level][locale]}
    </Badge>
  );
}
