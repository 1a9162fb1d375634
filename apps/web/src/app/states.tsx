import { Alert } from '@codegouvfr/react-dsfr/Alert';
import type { ReactNode } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { ApiError, isMissingEndpoint } from '../api/client.ts';
import { useMe } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { useMessages } from '../i18n.tsx';
import { shellMessages } from '../messages.ts';
import { usePageTitle } from './page.ts';

/** While a page's code or data loads. */
export function PageLoading() {
  const t = useMessages(shellMessages);
  return (
    <div className="fr-container fr-my-6w">
      <p role="status" className="bureau-loading">
        {t.pageLoading}
      </p>
    </div>
  );
}

/** An error answered by the API, in the person's language, with a way to try again. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useMessages(shellMessages);
  if (isMissingEndpoint(error)) {
    return <Alert severity="info" small description={t.unavailableYet} />;
  }
  const message = error instanceof ApiError && error.code !== 'NETWORK_ERROR' ? error.message : t.genericError;
  return (
    <Alert
      severity="error"
      small
      description={
        <>
          {message}{' '}
          {onRetry && (
            <button type="button" className="fr-link" onClick={onRetry}>
              {t.retry}
            </button>
          )}
        </>
      }
    />
  );
}

/** The routes behind sign-in: unknown visitors go to the sign-in page, which brings them back. */
export function RequireSession() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoading />;
  if (me.isError) {
    return (
      <div className="fr-container fr-my-6w">
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
      </div>
    );
  }
  if (me.data === null) {
    const returnTo = `${location.pathname}${location.search}`;
    return (
      <Navigate to={returnTo === '/' ? '/connexion' : `/connexion?retour=${encodeURIComponent(returnTo)}`} replace />
    );
  }
  return <Outlet />;
}

/** The signed-in person (inside {@link RequireSession}). */
export function useSignedInUser(): Me {
  const me = useMe().data;
  if (!me) throw new Error('useSignedInUser() used outside <RequireSession>.');
  return me;
}

/** A page's frame: a container and its one h1. */
export function PageFrame(props: { title: string; intro?: ReactNode; children: ReactNode; wide?: boolean }) {
  usePageTitle(props.title);
  return (
    <div className="fr-container fr-my-4w fr-mb-8w">
      <h1>{props.title}</h1>
      {props.intro && <p className="fr-text--lead">{props.intro}</p>}
      {props.children}
    </div>
  );
}

export function NotFoundPage() {
  const t = useMessages(shellMessages);
  return (
    <PageFrame title={t.notFoundTitle}>
      <p>{t.notFoundText}</p>
      <Link className="fr-btn" to="/">
        {t.backHome}
      </Link>
    </PageFrame>
  );
}

export function ForbiddenPage() {
  const t = useMessages(shellMessages);
  return (
    <PageFrame title={t.forbiddenTitle}>
      <p>{t.forbiddenText}</p>
      <Link className="fr-btn" to="/">
        {t.backHome}
      </Link>
    </PageFrame>
  );
}
