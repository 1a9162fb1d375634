import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { api } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import type { ApiKey, NotificationPreferences, NotificationPreferencesUpdate, Session } from '../../api/types.ts';
import { SectionLayout, SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice, NotFoundPage, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { accountMessages } from './account.messages.ts';

/** "My account": profile, sessions, API keys, notification settings. */
export function AccountRoutes() {
  const t = useMessages(accountMessages);
  const items = [
    { to: '/compte/profil', text: t.profileTitle },
    { to: '/compte/sessions', text: t.sessionsTitle },
    { to: '/compte/cles-api', text: t.apiKeysTitle },
    { to: '/compte/notifications', text: t.preferencesTitle },
  ];
  return (
    <SectionLayout title={t.section} items={items}>
      <Routes>
        <Route index element={<Navigate to="/compte/profil" replace />} />
        <Route path="profil" element={<ProfilePage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="cles-api" element={<ApiKeysPage />} />
        <Route path="notifications" element={<NotificationPreferencesPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </SectionLayout>
  );
}

function text(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value.trim() : '';
}

function ProfilePage() {
  const t = useMessages(accountMessages);
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (body: { displayName: string; title: string | null; phone: string | null }) =>
      api<unknown>('/api/me', { method: 'PATCH', json: body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.me }),
  });
  const avatar = useMutation({
    mutationFn: (file: File) =>
      api<undefined>('/api/me/avatar', { method: 'PUT', body: { data: file, contentType: file.type } }),
  });
  return (
    <SectionPage title={t.profileTitle} intro={t.profileIntro}>
      <dl className="fr-mb-3w">
        <dt className="fr-text--bold">{t.email}</dt>
        <dd className="fr-mb-1w fr-ml-0">{me.email}</dd>
        <dt className="fr-text--bold">{t.accountKind}</dt>
        <dd className="fr-mb-1w fr-ml-0">{me.kind === 'agent' ? t.kindAgent : t.kindExternal}</dd>
        {me.organisation && (
          <>
            <dt className="fr-text--bold">{t.organisation}</dt>
            <dd className="fr-mb-1w fr-ml-0">{me.organisation.name}</dd>
          </>
        )}
      </dl>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          save.mutate({
            displayName: text(form, 'displayName'),
            title: text(form, 'title') || null,
            phone: text(form, 'phone') || null,
          });
        }}
      >
        <Input
          label={t.displayName}
          nativeInputProps={{ name: 'displayName', defaultValue: me.displayName, required: true, autoComplete: 'name' }}
        />
        <Input
          label={t.jobTitle}
          nativeInputProps={{ name: 'title', defaultValue: me.title ?? '', autoComplete: 'organization-title' }}
        />
        <Input
          label={t.phone}
          hintText={t.phoneHint}
          nativeInputProps={{ name: 'phone', type: 'tel', defaultValue: me.phone ?? '', autoComplete: 'tel' }}
        />
        {save.isError && <ErrorNotice error={save.error} />}
        {save.isSuccess && (
          <div role="status">
            <Alert severity="success" small description={t.saved} />
          </div>
        )}
        <Button type="submit" className="fr-mt-2w" disabled={save.isPending}>
          {t.save}
        </Button>
      </form>
      <div className="fr-upload-group fr-mt-5w">
        <label className="fr-label" htmlFor="avatar-upload">
          {t.avatar}
          <span className="fr-hint-text">{t.avatarHint}</span>
        </label>
        <input
          className="fr-upload"
          type="file"
          id="avatar-upload"
          accept="image/png,image/jpeg,image/webp"
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            if (file) avatar.mutate(file);
          }}
        />
      </div>
      {avatar.isError && <ErrorNotice error={avatar.error} />}
      {avatar.isSuccess && (
        <div role="status">
          <Alert severity="success" small description={t.avatarSaved} />
        </div>
      )}
    </SectionPage>
  );
}

/** A short description of a browser from its User-Agent ("Firefox, Linux"). */
function describeDevice(userAgent: string | null, unknown: string): string {
  if (!userAgent) return unknown;
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl\//.test(userAgent)
            ? 'curl'
            : undefined;
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  return [browser, system].filter(Boolean).join(', ') || unknown;
}

function SessionsPage() {
  const t = useMessages(accountMessages);
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['me', 'sessions'],
    queryFn: () => api<{ items: Session[] }>('/api/me/sessions'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<undefined>(`/api/me/sessions/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me', 'sessions'] }),
  });
  const items = sessions.data?.items ?? [];
  return (
    <SectionPage title={t.sessionsTitle} intro={t.sessionsIntro}>
      {sessions.isError && <ErrorNotice error={sessions.error} onRetry={() => void sessions.refetch()} />}
      {revoke.isError && <ErrorNotice error={revoke.error} />}
      {sessions.isSuccess && items.length === 0 && <p>{t.noSessions}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.sessionsTitle}
          noCaption
          headers={[t.sessionDevice, t.sessionMethod, t.sessionCreated, t.sessionLastSeen, t.sessionIp, '']}
          data={items.map((session) => {
            const device = describeDevice(session.userAgent, t.unknownDevice);
            return [
              <>
                {device}
                {session.isCurrent && (
                  <>
                    {' '}
                    <span className="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">{t.current}</span>
                  </>
                )}
              </>,
              session.method === 'oidc' ? t.methodOidc : t.methodPassword,
              formatDateTime(locale, session.createdAt),
              formatDateTime(locale, session.lastSeenAt),
              session.ip ?? '—',
              session.isCurrent ? (
                ''
              ) : (
                <Button
                  priority="tertiary"
                  size="small"
                  title={t.revokeSession(`${device} (${formatDateTime(locale, session.createdAt)})`)}
                  onClick={() => revoke.mutate(session.id)}
                  disabled={revoke.isPending}
                >
                  {t.revoke}
                </Button>
              ),
            ];
          })}
        />
      )}
    </SectionPage>
  );
}

const scopes = ['ai', 'chat', 'docs:read', 'docs:write', 'files', 'procedures', 'admin'] as const;

function ApiKeysPage() {
  const t = useMessages(accountMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ['me', 'api-keys'], queryFn: () => api<{ items: ApiKey[] }>('/api/me/api-keys') });
  const create = useMutation({
    mutationFn: (body: { name: string; scopes: string[]; expiresAt: string | null }) =>
      api<{ apiKey: ApiKey; secret: string }>('/api/me/api-keys', { method: 'POST', json: body }),
    onSuccess: async (answer) => {
      setSecret(answer.secret);
      await queryClient.invalidateQueries({ queryKey: ['me', 'api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<undefined>(`/api/me/api-keys/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me', 'api-keys'] }),
  });
  const availableScopes = scopes.filter(
    (scope) => scope !== 'admin' || me.isInstanceAdmin || me.administeredOrganisationIds.length > 0,
  );
  const items = keys.data?.items ?? [];
  return (
    <SectionPage title={t.apiKeysTitle} intro={t.apiKeysIntro}>
      {secret && (
        <div role="status" className="fr-mb-3w">
          <Alert
            severity="warning"
            title={t.newKeyTitle}
            description={
              <>
                {t.newKeyWarning}
                <br />
                <code className="bureau-secret" data-testid="api-key-secret">
                  {secret}
                </code>
              </>
            }
          />
        </div>
      )}
      <form
        className="fr-mb-5w"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const data = new FormData(form);
          const expiry = text(form, 'expiresAt');
          create.mutate({
            name: text(form, 'name'),
            scopes: data.getAll('scopes').filter((value): value is string => typeof value === 'string'),
            expiresAt: expiry ? new Date(`${expiry}T23:59:59`).toISOString() : null,
          });
        }}
      >
        <Input label={t.keyName} nativeInputProps={{ name: 'name', required: true, maxLength: 100 }} />
        <Checkbox
          legend={t.keyScopes}
          orientation="horizontal"
          options={availableScopes.map((scope) => ({
            label: t.scopeNames[scope] ?? scope,
            nativeInputProps: { name: 'scopes', value: scope },
          }))}
        />
        <Input
          label={t.keyExpires}
          hintText={t.keyExpiresHint}
          nativeInputProps={{ name: 'expiresAt', type: 'date' }}
        />
        {create.isError && <ErrorNotice error={create.error} />}
        <Button type="submit" disabled={create.isPending}>
          {t.createKey}
        </Button>
      </form>
      {keys.isError && <ErrorNotice error={keys.error} />}
      {revoke.isError && <ErrorNotice error={revoke.error} />}
      {keys.isSuccess && items.length === 0 && <p>{t.noKeys}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.apiKeysTitle}
          noCaption
          headers={[t.keyName, t.keyScopes, t.keyCreated, t.keyLastUsed, t.keyExpires, '']}
          data={items.map((key) => [
            <>
              {key.name}
              <br />
              <code>bk_{key.prefix}_…</code>
            </>,
            key.scopes.map((scope) => t.scopeNames[scope] ?? scope).join(', '),
            formatDateTime(locale, key.createdAt),
            key.lastUsedAt ? formatDateTime(locale, key.lastUsedAt) : t.never,
            key.expiresAt ? formatDateTime(locale, key.expiresAt) : '—',
            <Button
              key={key.id}
              priority="tertiary"
              size="small"
              title={t.revokeKey(key.name)}
              onClick={() => revoke.mutate(key.id)}
              disabled={revoke.isPending}
            >
              {t.revoke}
            </Button>,
          ])}
        />
      )}
    </SectionPage>
  );
}

function NotificationPreferencesPage() {
  const t = useMessages(accountMessages);
  const queryClient = useQueryClient();
  const preferences = useQuery({
    queryKey: ['notifications', 'preferences'],
    queryFn: () => api<NotificationPreferences>('/api/notifications/preferences'),
    retry: false,
  });
  const save = useMutation({
    mutationFn: (body: NotificationPreferencesUpdate) =>
      api<NotificationPreferences>('/api/notifications/preferences', { method: 'PUT', json: body }),
    onSuccess: (answer) => queryClient.setQueryData(['notifications', 'preferences'], answer),
  });
  return (
    <SectionPage title={t.preferencesTitle} intro={t.preferencesIntro}>
      {preferences.isError && <ErrorNotice error={preferences.error} />}
      {preferences.isSuccess && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            const digest = data.get('digest');
            save.mutate({
              types: preferences.data.types.map((type) => ({
                type: type.type,
                inApp: data.get(`inApp:${type.type}`) === 'on',
                email: data.get(`email:${type.type}`) === 'on',
              })),
              digest: digest === 'daily' || digest === 'weekly' ? digest : 'off',
            });
          }}
        >
          {preferences.data.types.map((type) => (
            <Checkbox
              key={type.type}
              legend={type.label}
              orientation="horizontal"
              small
              options={[
                { label: t.inApp, nativeInputProps: { name: `inApp:${type.type}`, defaultChecked: type.inApp } },
                { label: t.byEmail, nativeInputProps: { name: `email:${type.type}`, defaultChecked: type.email } },
              ]}
            />
          ))}
          <Select label={t.digest} nativeSelectProps={{ name: 'digest', defaultValue: preferences.data.digest }}>
            <option value="off">{t.digestOff}</option>
            <option value="daily">{t.digestDaily}</option>
            <option value="weekly">{t.digestWeekly}</option>
          </Select>
          {save.isError && <ErrorNotice error={save.error} />}
          {save.isSuccess && (
            <div role="status">
              <Alert severity="success" small description={t.saved} />
            </div>
          )}
          <Button type="submit" disabled={save.isPending}>
            {t.save}
          </Button>
        </form>
      )}
    </SectionPage>
  );
}
