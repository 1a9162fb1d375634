/**
 * A tiny typed dictionary until the web shell brings a real i18n library. French is the default; the
 * person's choice is kept in localStorage and applied to `<html lang>`.
 */
export const locales = ['fr', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'fr';

export interface Messages {
  /** Name of this language in itself, shown on the button that switches to it. */
  languageName: string;
  /** Accessible name of that button ("Switch to English"), in the language it switches to. */
  switchToThisLanguage: string;
  skipToContent: string;
  productName: string;
  productTagline: string;
  loading: string;
  instanceUnavailable: string;
  welcomeTitle: string;
  welcomeIntro: string;
  welcomeSetup: string;
  comingTitle: string;
  chatTitle: string;
  chatText: string;
  documentsTitle: string;
  documentsText: string;
  albertTitle: string;
  albertText: string;
  statusTitle: string;
  statusChecking: string;
  statusReady: string;
  statusNotReady: string;
  statusUnreachable: string;
  statusCheckedAt: (time: string) => string;
  statusRefresh: string;
  technicalTitle: string;
  technicalText: string;
  apiDocsLink: string;
  healthLink: string;
  footerLinks: string;
  version: (version: string) => string;
}

const fr: Messages = {
  languageName: 'Français',
  switchToThisLanguage: 'Passer en français',
  skipToContent: 'Aller au contenu',
  productName: 'Bureau',
  productTagline: 'Espace de travail numérique',
  loading: 'Chargement…',
  instanceUnavailable: 'Les informations de l’instance sont indisponibles.',
  welcomeTitle: 'Bienvenue sur Bureau',
  welcomeIntro:
    'Bureau est l’espace de travail numérique de votre administration : un seul endroit pour échanger, partager et produire, hébergé par l’administration elle-même.',
  welcomeSetup: 'Il est en cours de mise en place. Les premiers services arrivent bientôt.',
  comingTitle: 'Bientôt dans Bureau',
  chatTitle: 'Messagerie',
  chatText: 'Des discussions et des salons pour échanger en direct avec vos collègues et vos équipes.',
  documentsTitle: 'Documents',
  documentsText: 'Vos fichiers rangés, partagés et retrouvés facilement, au même endroit.',
  albertTitle: 'Albert',
  albertText: 'L’assistant d’intelligence artificielle de l’État, pour vous aider à rédiger, résumer et chercher.',
  statusTitle: 'État du service',
  statusChecking: 'Vérification de l’état du service…',
  statusReady: 'Le service est opérationnel.',
  statusNotReady: 'Le service n’est pas encore prêt. Il le sera dans quelques instants.',
  statusUnreachable: 'Le serveur ne répond pas.',
  statusCheckedAt: (time) => `Dernière vérification à ${time}.`,
  statusRefresh: 'Vérifier à nouveau',
  technicalTitle: 'Pour les équipes techniques',
  technicalText: 'L’API de Bureau et son état de santé sont accessibles ici :',
  apiDocsLink: 'Documentation de l’API',
  healthLink: 'État de santé du serveur',
  footerLinks: 'Liens du pied de page',
  version: (version) => `Version ${version}`,
};

const en: Messages = {
  languageName: 'English',
  switchToThisLanguage: 'Switch to English',
  skipToContent: 'Skip to content',
  productName: 'Bureau',
  productTagline: 'Digital workplace',
  loading: 'Loading…',
  instanceUnavailable: 'The instance’s information is unavailable.',
  welcomeTitle: 'Welcome to Bureau',
  welcomeIntro:
    'Bureau is your administration’s digital workplace: one place to talk, share and work together, hosted by the administration itself.',
  welcomeSetup: 'It is being set up. The first services are coming soon.',
  comingTitle: 'Coming soon to Bureau',
  chatTitle: 'Chat',
  chatText: 'Conversations and rooms to talk in real time with your colleagues and teams.',
  documentsTitle: 'Documents',
  documentsText: 'Your files stored, shared and easily found, all in one place.',
  albertTitle: 'Albert',
  albertText: 'The French State’s artificial intelligence assistant, to help you write, summarise and search.',
  statusTitle: 'Service status',
  statusChecking: 'Checking the service status…',
  statusReady: 'The service is up and running.',
  statusNotReady: 'The service is not ready yet. It will be in a few moments.',
  statusUnreachable: 'The server does not answer.',
  statusCheckedAt: (time) => `Last checked at ${time}.`,
  statusRefresh: 'Check again',
  technicalTitle: 'For technical teams',
  technicalText: 'Bureau’s API and its health are available here:',
  apiDocsLink: 'API documentation',
  healthLink: 'Server health',
  footerLinks: 'Footer links',
  version: (version) => `Version ${version}`,
};

export const messages: Readonly<Record<Locale, Messages>> = { fr, en };

const storageKey = 'bureau.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** The language chosen earlier on this browser, or French. */
export function initialLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(storageKey);
    return isLocale(stored) ? stored : defaultLocale;
  } catch {
    // Storage disabled (private browsing, policy): French.
    return defaultLocale;
  }
}

/** Remembers the person's choice of language on this browser. */
export function storeLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(storageKey, locale);
  } catch {
    // Storage disabled: the choice lasts until the page is reloaded.
  }
}

/** The other language, offered by the language button. */
export function otherLocale(locale: Locale): Locale {
  return locale === 'fr' ? 'en' : 'fr';
}
