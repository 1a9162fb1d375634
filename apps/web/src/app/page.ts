import { useEffect, useSyncExternalStore } from 'react';
import { useInstance } from '../api/queries.ts';
import { useMessages } from '../i18n.tsx';
import { shellMessages } from '../messages.ts';

/**
 * Messages for assistive technologies, read from two polite live regions of the shell: `page` (the
 * title of the page reached by a navigation) and `notification` (a notification that just arrived).
 */
type Channel = 'page' | 'notification';
const announcements: Record<Channel, string> = { page: '', notification: '' };
const listeners = new Set<() => void>();
let hasNavigated = false;

export function announce(channel: Channel, message: string): void {
  // The same text twice in a row is not read again: vary it invisibly.
  announcements[channel] = announcements[channel] === message ? `${message}\u00a0` : message;
  for (const listener of listeners) listener();
}

export function useAnnouncement(channel: Channel): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => announcements[channel],
  );
}

/** Called by the shell on every navigation after the first page. */
export function markNavigation(): void {
  hasNavigated = true;
}

/**
 * Sets the document's title ("Page – Bureau – Administration") and, after a navigation, announces the
 * page (the focus moves to the main content, which would otherwise be silent).
 */
export function usePageTitle(title: string | undefined): void {
  const t = useMessages(shellMessages);
  const instance = useInstance();
  const instanceName = instance.data?.name;
  useEffect(() => {
    if (title === undefined) return;
    document.title = t.pageTitle(title, instanceName);
    if (hasNavigated) announce('page', title);
  }, [t, title, instanceName]);
}
