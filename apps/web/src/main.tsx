import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link, RouterProvider } from 'react-router';
import { createQueryClient } from './api/queries.ts';
import { createRouter } from './app/router.tsx';
import { I18nProvider, useLang } from './i18n.tsx';
import './styles.css';

declare module '@codegouvfr/react-dsfr/spa' {
  interface RegisterLink {
    Link: typeof Link;
  }
}

// The DSFR's theme logic runs from this file (no inline script: the CSP allows only 'self'). Its
// `:root { color-scheme }` <style> element would break the CSP: a nonce that is set but empty turns it
// off, and styles.css sets color-scheme from data-fr-theme instead.
startReactDsfr({
  defaultColorScheme: 'system',
  Link,
  useLang,
  nonce: null as unknown as string,
});

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element.');

const queryClient = createQueryClient();
const router = createRouter();

createRoot(container).render(
  <StrictMode>
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nProvider>
  </StrictMode>,
);
