import type { Dictionary } from './i18n.tsx';

/** Texts of the shell (header, footer, menus, common states). Pages keep theirs in their module. */
export interface ShellMessages {
  languageName: string;
  /** Accessible name of the language button, in the language it switches to. */
  switchToThisLanguage: string;
  skipToContent: string;
  skipToMenu: string;
  skipToSearch: string;
  skipToFooter: string;
  productName: string;
  productTagline: string;
  brandTop: [string, string];
  homeLinkTitle: (instance: string) => string;
  loading: string;
  pageLoading: string;
  retry: string;
  confirm: string;
  cancel: string;
  copy: string;
  copied: string;
  copyFailed: string;
  genericError: string;
  unavailableYet: string;
  searchLabel: string;
  searchPlaceholder: string;
  appSwitcher: string;
  appSwitcherTitle: string;
  bureauServices: string;
  otherServices: string;
  opensInNewWindow: string;
  notifications: string;
  /** Said after 'Notifications' on the bell. */
  unreadCount: (count: number) => string;
  newNotification: (title: string) => string;
  seeAllNotifications: string;
  noUnreadNotifications: string;
  markAllRead: string;
  userMenu: string;
  profile: string;
  sessions: string;
  apiKeys: string;
  notificationSettings: string;
  logout: string;
  moduleNavigation: string;
  footerDescription: string;
  footerLinks: string;
  apiDocs: string;
  serviceHealth: string;
  version: (version: string) => string;
  displaySettings: string;
  notFoundTitle: string;
  notFoundText: string;
  backHome: string;
  forbiddenTitle: string;
  forbiddenText: string;
  pageTitle: (page: string, instance: string | undefined) => string;
}

const fr: ShellMessages = {
  languageName: 'Français',
  switchToThisLanguage: 'Passer en français',
  skipToContent: 'Contenu',
  skipToMenu: 'Menu',
  skipToSearch: 'Recherche',
  skipToFooter: 'Pied de page',
  productName: 'Bureau',
  productTagline: 'Espace de travail numérique',
  brandTop: ['République', 'Française'],
  homeLinkTitle: (instance) => `Accueil – Bureau – ${instance}`,
  loading: 'Chargement…',
  pageLoading: 'Chargement de la page…',
  retry: 'Réessayer',
  confirm: 'Confirmer',
  cancel: 'Annuler',
  copy: 'Copier',
  copied: 'Copié dans le presse-papiers.',
  copyFailed: 'Copie impossible : sélectionnez le texte et copiez-le à la main.',
  genericError: 'Une erreur est survenue. Réessayez dans quelques instants.',
  unavailableYet: 'Ce service n’est pas encore disponible sur cette instance.',
  searchLabel: 'Rechercher',
  searchPlaceholder: 'Rechercher dans Bureau',
  appSwitcher: 'Services',
  appSwitcherTitle: 'Accéder aux services',
  bureauServices: 'Services de Bureau',
  otherServices: 'Autres services',
  opensInNewWindow: 'nouvelle fenêtre',
  notifications: 'Notifications',
  unreadCount: (count) => `, ${count} non lue${count > 1 ? 's' : ''}`,
  newNotification: (title) => `Nouvelle notification : ${title}`,
  seeAllNotifications: 'Voir toutes les notifications',
  noUnreadNotifications: 'Aucune notification non lue.',
  markAllRead: 'Tout marquer comme lu',
  userMenu: 'Mon compte',
  profile: 'Mon profil',
  sessions: 'Mes sessions',
  apiKeys: 'Mes clés d’API',
  notificationSettings: 'Préférences de notification',
  logout: 'Se déconnecter',
  moduleNavigation: 'Menu principal',
  footerDescription:
    'Bureau est l’espace de travail numérique de votre administration, hébergé par l’administration elle-même.',
  footerLinks: 'Liens utiles',
  apiDocs: 'Documentation de l’API',
  serviceHealth: 'État du service',
  version: (version) => `Version ${version}`,
  displaySettings: 'Paramètres d’affichage',
  notFoundTitle: 'Page introuvable',
  notFoundText: 'La page que vous cherchez n’existe pas ou a été déplacée.',
  backHome: 'Retour à l’accueil',
  forbiddenTitle: 'Accès refusé',
  forbiddenText: 'Vous n’avez pas les droits nécessaires pour afficher cette page.',
  pageTitle: (page, instance) => (instance ? `${page} – Bureau – ${instance}` : `${page} – Bureau`),
};

const en: ShellMessages = {
  languageName: 'English',
  switchToThisLanguage: 'Switch to English',
  skipToContent: 'Content',
  skipToMenu: 'Menu',
  skipToSearch: 'Search',
  skipToFooter: 'Footer',
  productName: 'Bureau',
  productTagline: 'Digital workplace',
  brandTop: ['République', 'Française'],
  homeLinkTitle: (instance) => `Home – Bureau – ${instance}`,
  loading: 'Loading…',
  pageLoading: 'Loading the page…',
  retry: 'Try again',
  confirm: 'Confirm',
  cancel: 'Cancel',
  copy: 'Copy',
  copied: 'Copied to the clipboard.',
  copyFailed: 'Cannot copy: select the text and copy it by hand.',
  genericError: 'Something went wrong. Try again in a few moments.',
  unavailableYet: 'This service is not available on this instance yet.',
  searchLabel: 'Search',
  searchPlaceholder: 'Search Bureau',
  appSwitcher: 'Services',
  appSwitcherTitle: 'Go to a service',
  bureauServices: 'Bureau’s services',
  otherServices: 'Other services',
  opensInNewWindow: 'new window',
  notifications: 'Notifications',
  unreadCount: (count) => `, ${count} unread`,
  newNotification: (title) => `New notification: ${title}`,
  seeAllNotifications: 'See all notifications',
  noUnreadNotifications: 'No unread notifications.',
  markAllRead: 'Mark all as read',
  userMenu: 'My account',
  profile: 'My profile',
  sessions: 'My sessions',
  apiKeys: 'My API keys',
  notificationSettings: 'Notification settings',
  logout: 'Sign out',
  moduleNavigation: 'Main menu',
  footerDescription: 'Bureau is your administration’s digital workplace, hosted by the administration itself.',
  footerLinks: 'Useful links',
  apiDocs: 'API documentation',
  serviceHealth: 'Service status',
  version: (version) => `Version ${version}`,
  displaySettings: 'Display settings',
  notFoundTitle: 'Page not found',
  notFoundText: 'The page you are looking for does not exist or has moved.',
  backHome: 'Back to the home page',
  forbiddenTitle: 'Access denied',
  forbiddenText: 'You do not have the rights needed to see this page.',
  pageTitle: (page, instance) => (instance ? `${page} – Bureau – ${instance}` : `${page} – Bureau`),
};

export const shellMessages: Dictionary<ShellMessages> = { fr, en };
