import type { Locale } from '../i18n.tsx';

/**
 * The types of search results and recent items (`module.entity`, as modules declare them to the
 * search), as people read them. A module adds its types here when its pages land.
 */
const searchTypeNames: Record<string, Record<Locale, string>> = {
  'identity.user': { fr: 'Personnes', en: 'People' },
  'identity.group': { fr: 'Groupes', en: 'Groups' },
  'identity.organisation': { fr: 'Organisations', en: 'Organisations' },
  'docs.document': { fr: 'Documents', en: 'Documents' },
  document: { fr: 'Documents', en: 'Documents' },
  file: { fr: 'Fichiers', en: 'Files' },
  message: { fr: 'Messages', en: 'Messages' },
  room: { fr: 'Salons', en: 'Rooms' },
};

/** The name of a result type in the language; the type itself when unknown. */
export function searchTypeName(type: string, locale: Locale): string {
  return searchTypeNames[type]?.[locale] ?? type;
}
