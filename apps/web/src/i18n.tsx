import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * Typed dictionaries, French by default, English on request. The shell's texts are in `messages.ts`;
 * each module keeps its own dictionary beside its pages (`<module>.messages.ts`), so that a lazily
 * loaded module brings its texts with it. The person's choice is kept in localStorage and applied to
 * `<html lang>`.
 */
export const locales = ['fr', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'fr';

/** A module's dictionary: the same keys in every language. */
export type Dictionary<M> = Readonly<Record<Locale, M>>;

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

function storeLocale(locale: Locale): void {
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

/** The current language outside React (the API client sends it as Accept-Language). */
let currentLocale: Locale = defaultLocale;
export function activeLocale(): Locale {
  return currentLocale;
}

interface LocaleState {
  locale: Locale;
  setLocale: (locale: Locale) => void;
}

const LocaleContext = createContext<LocaleState | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    currentLocale = initialLocale();
    return currentLocale;
  });
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    currentLocale = next;
    storeLocale(next);
    setLocaleState(next);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error('useLocale() needs an <I18nProvider>.');
  return state;
}

/** The hook react-dsfr calls to translate its own components' texts. */
export function useLang(): Locale {
  return useLocale().locale;
}

/** The dictionary of a module in the current language. */
export function useMessages<M>(dictionary: Dictionary<M>): M {
  return dictionary[useLocale().locale];
}

/** Formats a date in the current language (e.g. "12 mars 2026"). */
export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(date);
}

/** Formats a date and time in the current language (e.g. "12 mars 2026 à 14:05"). */
export function formatDateTime(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
