import type { FrIconClassName, RiIconClassName } from '@codegouvfr/react-dsfr';
import type { Me } from '../api/types.ts';
import type { Locale } from '../i18n.tsx';

/**
 * Bureau's modules as the shell shows them: in the app switcher ("gaufre") and the main navigation.
 * A module appears here when its web pages land (Messagerie, Documents, Albert... will be added as
 * entries); nothing else in the shell needs to change.
 */
export interface BureauModule {
  id: string;
  /** Where the module starts (a route of this app). */
  path: string;
  icon: FrIconClassName | RiIconClassName;
  name: Record<Locale, string>;
  description: Record<Locale, string>;
  /** Whether the signed-in person may use it; everyone when absent. */
  isAvailableTo?: (me: Me) => boolean;
}

export function isAdministrator(me: Me): boolean {
  return me.isInstanceAdmin || me.administeredOrganisationIds.length > 0;
}

/**
 * Each module's first page is lazy-loaded (app/router.tsx); its entry here is what the shell shows
 * before that code is fetched.
 */
export const bureauModules: readonly BureauModule[] = [
  {
    id: 'home',
    path: '/',
    icon: 'fr-icon-home-4-line',
    name: { fr: 'Accueil', en: 'Home' },
    description: { fr: 'Vos éléments récents et vos notifications', en: 'Your recent items and notifications' },
  },
  {
    id: 'chat',
    path: '/messagerie',
    icon: 'fr-icon-chat-3-line',
    name: { fr: 'Messagerie', en: 'Chat' },
    description: { fr: 'Salons et messages directs', en: 'Rooms and direct messages' },
  },
  {
    id: 'docs',
    path: '/documents',
    icon: 'fr-icon-file-text-line',
    name: { fr: 'Documents', en: 'Documents' },
    description: {
      fr: 'Pages rédigées à plusieurs, en direct',
      en: 'Pages written together, in real time',
    },
  },
  {
    id: 'assistant',
    path: '/albert',
    icon: 'ri-robot-2-line',
    name: { fr: 'Albert', en: 'Albert' },
    description: {
      fr: 'L’assistant IA souverain, réponses sourcées',
      en: 'The sovereign AI assistant, answers with sources',
    },
    // Its public knowledge is for agents; external partners would only find an empty shelf.
    isAvailableTo: (me) => me.kind === 'agent',
  },
  {
    id: 'search',
    path: '/recherche',
    icon: 'fr-icon-search-line',
    name: { fr: 'Recherche', en: 'Search' },
    description: { fr: 'Retrouver tout ce que vous pouvez lire', en: 'Find everything you may read' },
  },
  {
    id: 'directory',
    path: '/annuaire',
    icon: 'fr-icon-team-line',
    name: { fr: 'Annuaire', en: 'Directory' },
    description: { fr: 'Les agents, les services et les équipes', en: 'Agents, units and teams' },
    // External users cannot browse the directory (the API refuses them).
    isAvailableTo: (me) => me.kind === 'agent',
  },
  {
    id: 'admin',
    path: '/administration',
    icon: 'fr-icon-settings-5-line',
    name: { fr: 'Administration', en: 'Administration' },
    description: {
      fr: 'Organisations, comptes, groupes, journal d’audit',
      en: 'Organisations, accounts, groups, audit log',
    },
    isAvailableTo: isAdministrator,
  },
];

/** The modules the person may use, in order. */
export function modulesFor(me: Me): BureauModule[] {
  return bureauModules.filter((module) => module.isAvailableTo?.(me) ?? true);
}

/** The module a path belongs to (the longest matching start), for the navigation's current item. */
export function moduleOfPath(pathname: string): BureauModule | undefined {
  return [...bureauModules]
    .sort((a, b) => b.path.length - a.path.length)
    .find((module) => (module.path === '/' ? pathname === '/' : pathname.startsWith(module.path)));
}
