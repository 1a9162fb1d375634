import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { ProConnectButton } from '@codegouvfr/react-dsfr/ProConnectButton';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, setCsrfToken, withQuery } from '../../api/client.ts';
import { queryKeys, useAuthProviders, useInstance, useMe } from '../../api/queries.ts';
import type { Me } from '../../api/types.ts';
import { usePageTitle } from '../../app/page.ts';
import { ErrorNotice, PageLoading } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { identityMessages } from './identity.messages.ts';

/** The public pages of the identity module: sign-in, forgotten and new password, invitation. */
export function IdentityRoutes({ page }: { page: 'login' | 'forgotten-password' | 'new-password' | 'invitation' }) {
  switch (page) {
    case 'login':
      return <LoginPage />;
    case 'forgotten-password':
      return <ForgottenPasswordPage />;
    case 'new-password':
      return <NewPasswordPage />;
    case 'invitation':
      return <InvitationPage />;
  }
}

/** A path of this app to go back to after sign-in; anything else becomes the home page. */
function safeReturnPath(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/connexion') ? value : '/';
}

/** A path the server answers itself (`/_matrix/...` single sign-on), not a route of this app. */
function isServerPath(path: string): boolean {
  return path.startsWith('/_matrix/');
}

/** Leaves the app for a server page (a client-side navigation would not reach it). */
function ServerRedirect({ to }: { to: string }) {
  useEffect(() => window.location.assign(to), [to]);
  return <PageLoading />;
}

function formString(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}

function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title);
  return (
    <div className="fr-container fr-my-6w fr-mb-8w">
      <div className="fr-grid-row fr-grid-row--center">
        <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <h1>{title}</h1>
          {children}
        </div>
      </div>
    </div>
  );
}

function useSignedIn(): (me: Me, returnTo: string) => void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (me, returnTo) => {
    setCsrfToken(me.csrfToken);
    queryClient.setQueryData(queryKeys.me, me);
    void queryClient.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    // The server's own pages (Matrix single sign-on) are not routes of this app: load them.
    if (isServerPath(returnTo)) window.location.assign(returnTo);
    // A push, not a replace: the page reached is a navigation (the focus moves to its content).
    else void navigate(returnTo);
  };
}

function LoginPage() {
  const t = useMessages(identityMessages);
  const [searchParams] = useSearchParams();
  const me = useMe();
  const instance = useInstance();
  const providers = useAuthProviders();
  const signedIn = useSignedIn();
  const returnTo = safeReturnPath(searchParams.get('retour'));
  const login = useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      api<{ user: Me }>('/api/auth/login', { method: 'POST', json: credentials }),
    onSuccess: (answer) => signedIn(answer.user, returnTo),
  });

  if (me.data && !login.isSuccess) {
    return isServerPath(returnTo) ? <ServerRedirect to={returnTo} /> : <Navigate to={returnTo} replace />;
  }
  if (searchParams.get('lier') === '1') return <LinkIdentity returnTo={returnTo} />;

  const ssoErrorCode = searchParams.get('erreur') === 'sso' ? (searchParams.get('code') ?? '') : undefined;
  const oidc = providers.data?.oidc ?? null;
  const oidcUrl = oidc ? withQuery(oidc.loginUrl, { returnTo: returnTo === '/' ? undefined : returnTo }) : undefined;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const form = event.currentTarget;
    login.mutate({ email: formString(form, 'email').trim(), password: formString(form, 'password') });
  }

  return (
    <AuthFrame title={t.loginTitle}>
      {instance.data && <p className="fr-text--lead">{t.loginIntro(instance.data.name)}</p>}
      {ssoErrorCode !== undefined && (
        <Alert severity="error" small className="fr-mb-3w" description={t.ssoError(ssoErrorCode)} />
      )}
      {searchParams.get('sso') === 'unavailable' && (
        <Alert severity="info" small className="fr-mb-3w" description={t.ssoUnavailable} />
      )}
      {oidc && oidcUrl && (
        <>
          {oidc.name === 'ProConnect' ? (
            <ProConnectButton url={oidcUrl} />
          ) : (
            <a className="fr-btn fr-btn--lg" href={oidcUrl}>
              {t.withProvider(oidc.name)}
            </a>
          )}
          <p className="fr-hr-or fr-my-4w">{t.or}</p>
        </>
      )}
      <form onSubmit={submit} aria-labelledby="password-login-title" noValidate>
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend" id="password-login-title">
            <h2 className="fr-h5 fr-mb-0">{t.passwordLoginTitle}</h2>
          </legend>
          <div className="fr-fieldset__element">
            <Input
              label={t.email}
              hintText={t.emailHint}
              nativeInputProps={{ name: 'email', type: 'email', autoComplete: 'username', required: true }}
            />
          </div>
          <div className="fr-fieldset__element">
            <Input
              label={t.password}
              nativeInputProps={{
                name: 'password',
                type: 'password',
                autoComplete: 'current-password',
                required: true,
              }}
            />
            <p className="fr-mt-1w">
              <Link className="fr-link" to="/mot-de-passe/oubli">
                {t.forgotPassword}
              </Link>
            </p>
          </div>
          {login.isError && (
            <div className="fr-fieldset__element">
              <ErrorNotice error={login.error} />
            </div>
          )}
          <div className="fr-fieldset__element">
            <Button type="submit" disabled={login.isPending}>
              {login.isPending ? t.signingIn : t.submitLogin}
            </Button>
          </div>
        </fieldset>
      </form>
    </AuthFrame>
  );
}

/** After single sign-on found an account with the same e-mail: its password proves it and links both. */
function LinkIdentity({ returnTo }: { returnTo: string }) {
  const t = useMessages(identityMessages);
  const signedIn = useSignedIn();
  const pending = useQuery({
    queryKey: ['oidc-link'],
    queryFn: () => api<{ email: string; providerName?: string }>('/api/auth/oidc/link'),
    retry: false,
  });
  const link = useMutation({
    mutationFn: (password: string) => api<{ user: Me }>('/api/auth/oidc/link', { method: 'POST', json: { password } }),
    onSuccess: (answer) => signedIn(answer.user, returnTo),
  });
  if (pending.isPending) return <PageLoading />;
  return (
    <AuthFrame title={t.linkTitle}>
      {pending.isError ? (
        <ErrorNotice error={pending.error} />
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            link.mutate(formString(event.currentTarget, 'password'));
          }}
        >
          <p>{t.linkIntro(pending.data.email, pending.data.providerName ?? 'ProConnect')}</p>
          <Input
            label={t.password}
            nativeInputProps={{ name: 'password', type: 'password', autoComplete: 'current-password', required: true }}
          />
          {link.isError && <ErrorNotice error={link.error} />}
          <Button type="submit" className="fr-mt-2w" disabled={link.isPending}>
            {t.linkSubmit}
          </Button>
        </form>
      )}
      <p className="fr-mt-4w">
        <Link to="/connexion">{t.backToLogin}</Link>
      </p>
    </AuthFrame>
  );
}

function ForgottenPasswordPage() {
  const t = useMessages(identityMessages);
  const request = useMutation({
    mutationFn: (email: string) => api<undefined>('/api/auth/password-reset', { method: 'POST', json: { email } }),
  });
  return (
    <AuthFrame title={t.forgottenTitle}>
      {request.isSuccess ? (
        <Alert severity="success" small description={t.forgottenSent} />
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            request.mutate(formString(event.currentTarget, 'email').trim());
          }}
        >
          <p>{t.forgottenIntro}</p>
          <Input
            label={t.email}
            hintText={t.emailHint}
            nativeInputProps={{ name: 'email', type: 'email', autoComplete: 'email', required: true }}
          />
          {request.isError && <ErrorNotice error={request.error} />}
          <Button type="submit" className="fr-mt-2w" disabled={request.isPending}>
            {t.forgottenSubmit}
          </Button>
        </form>
      )}
      <p className="fr-mt-4w">
        <Link to="/connexion">{t.backToLogin}</Link>
      </p>
    </AuthFrame>
  );
}

function NewPasswordFields({ mismatch }: { mismatch: boolean }) {
  const t = useMessages(identityMessages);
  return (
    <>
      <Input
        label={t.newPassword}
        hintText={t.newPasswordHint}
        nativeInputProps={{
          name: 'password',
          type: 'password',
          autoComplete: 'new-password',
          required: true,
          minLength: 12,
        }}
      />
      <Input
        label={t.confirmPassword}
        state={mismatch ? 'error' : 'default'}
        stateRelatedMessage={t.passwordsDiffer}
        nativeInputProps={{ name: 'confirmation', type: 'password', autoComplete: 'new-password', required: true }}
      />
    </>
  );
}

function NewPasswordPage() {
  const t = useMessages(identityMessages);
  const [searchParams] = useSearchParams();
  const token = searchParams.get('jeton') ?? '';
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: (password: string) =>
      api<undefined>('/api/auth/password-reset/confirm', { method: 'POST', json: { token, password } }),
  });
  return (
    <AuthFrame title={t.newPasswordTitle}>
      {token.length < 20 ? (
        <Alert severity="error" small description={t.missingToken} />
      ) : reset.isSuccess ? (
        <>
          <Alert severity="success" small description={t.newPasswordDone} />
          <p className="fr-mt-3w">
            <Link className="fr-btn" to="/connexion">
              {t.submitLogin}
            </Link>
          </p>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const password = formString(event.currentTarget, 'password');
            const isMismatch = password !== formString(event.currentTarget, 'confirmation');
            setMismatch(isMismatch);
            if (!isMismatch) reset.mutate(password);
          }}
        >
          <p>{t.newPasswordIntro}</p>
          <NewPasswordFields mismatch={mismatch} />
          {reset.isError && <ErrorNotice error={reset.error} />}
          <Button type="submit" className="fr-mt-2w" disabled={reset.isPending}>
            {t.newPasswordSubmit}
          </Button>
        </form>
      )}
    </AuthFrame>
  );
}

interface InvitationDescription {
  email: string;
  kind: 'agent' | 'external';
  organisationName: string | null;
  invitedBy: string | null;
  expiresAt: string;
}

function InvitationPage() {
  const t = useMessages(identityMessages);
  const { locale } = useLocale();
  const [searchParams] = useSearchParams();
  const token = searchParams.get('jeton') ?? '';
  const [mismatch, setMismatch] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<InvitationDescription>(`/api/invitations/${encodeURIComponent(token)}`),
    enabled: token.length >= 20,
    retry: false,
  });
  const accept = useMutation({
    mutationFn: (body: { displayName: string; password: string }) =>
      api<{ userId: string }>(`/api/invitations/${encodeURIComponent(token)}/accept`, { method: 'POST', json: body }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      void navigate('/', { replace: true });
    },
  });
  return (
    <AuthFrame title={t.invitationTitle}>
      {token.length < 20 ? (
        <Alert severity="error" small description={t.missingToken} />
      ) : invitation.isPending ? (
        <PageLoading />
      ) : invitation.isError ? (
        <ErrorNotice error={invitation.error} />
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const password = formString(form, 'password');
            const isMismatch = password !== formString(form, 'confirmation');
            setMismatch(isMismatch);
            if (!isMismatch) accept.mutate({ displayName: formString(form, 'displayName').trim(), password });
          }}
        >
          <p>{t.invitationIntro(invitation.data.email, invitation.data.organisationName, invitation.data.invitedBy)}</p>
          <p className="bureau-meta">{t.invitationExpires(formatDateTime(locale, invitation.data.expiresAt))}</p>
          <Input
            label={t.displayName}
            nativeInputProps={{ name: 'displayName', autoComplete: 'name', required: true, maxLength: 200 }}
          />
          <NewPasswordFields mismatch={mismatch} />
          {accept.isError && <ErrorNotice error={accept.error} />}
          <Button type="submit" className="fr-mt-2w" disabled={accept.isPending}>
            {t.acceptInvitation}
          </Button>
        </form>
      )}
    </AuthFrame>
  );
}
