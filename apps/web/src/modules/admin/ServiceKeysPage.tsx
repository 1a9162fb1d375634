import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { ServiceKey } from '../../api/types.ts';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { CopyButton } from '../../app/CopyButton.tsx';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { organisationOptions, useOrganisations } from './admin.api.ts';
import { adminMessages } from './admin.messages.ts';

/** The scopes a service key may carry (`serviceKeyScopeSchema`: never `admin`). */
const serviceKeyScopes = ['ai', 'chat', 'docs:read', 'docs:write', 'files', 'procedures'] as const;

const serviceKeysKey = (organisationId: string) => ['admin', 'service-keys', organisationId] as const;

/**
 * An organisation's service keys: programs of other administrations acting for the organisation. The
 * organisation is chosen among those the person administers (kept in the address: `?organisation=`).
 */
export function ServiceKeysPage() {
  const t = useMessages(adminMessages);
  const [searchParams, setSearchParams] = useSearchParams();
  const organisations = useOrganisations();
  const options = organisationOptions(organisations.data?.items ?? []);
  const chosen = searchParams.get('organisation');
  const organisationId = options.some((option) => option.id === chosen) ? (chosen ?? '') : (options[0]?.id ?? '');
  return (
    <SectionPage title={t.serviceKeys} intro={t.serviceKeysIntro}>
      <p className="fr-text--sm">{t.serviceKeysWhat}</p>
      {organisations.isPending && <p className="bureau-loading">{t.loading}</p>}
      {organisations.isError && <ErrorNotice error={organisations.error} />}
      {organisations.isSuccess && options.length === 0 && <p>{t.noAdministeredOrganisation}</p>}
      {options.length > 0 && (
        <>
          <Select
            label={t.chooseOrganisation}
            nativeSelectProps={{
              value: organisationId,
              onChange: (event) => setSearchParams({ organisation: event.currentTarget.value }, { replace: true }),
            }}
          >
            {options.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </Select>
          <OrganisationServiceKeys key={organisationId} organisationId={organisationId} />
        </>
      )}
    </SectionPage>
  );
}

function OrganisationServiceKeys({ organisationId }: { organisationId: string }) {
  const t = useMessages(adminMessages);
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const path = `/api/admin/organisations/${encodeURIComponent(organisationId)}/service-keys`;
  const keys = useQuery({
    queryKey: serviceKeysKey(organisationId),
    queryFn: () => api<{ items: ServiceKey[] }>(path),
  });
  const create = useMutation({
    mutationFn: (body: { name: string; scopes: string[]; expiresAt: string | null }) =>
      api<{ serviceKey: ServiceKey; secret: string }>(path, { method: 'POST', json: body }),
    onSuccess: async (answer) => {
      setSecret(answer.secret);
      setRevoked(null);
      await queryClient.invalidateQueries({ queryKey: serviceKeysKey(organisationId) });
    },
  });
  const revoke = useMutation({
    mutationFn: (key: ServiceKey) => api<undefined>(`${path}/${encodeURIComponent(key.id)}`, { method: 'DELETE' }),
    onSuccess: async (_answer, key) => {
      setRevoked(key.name);
      await queryClient.invalidateQueries({ queryKey: serviceKeysKey(organisationId) });
    },
  });
  const items = keys.data?.items ?? [];
  return (
    <>
      {secret && (
        <div role="status" className="fr-mb-3w">
          <Alert
            severity="warning"
            title={t.newKeyTitle}
            description={
              <>
                {t.newKeyWarning}
                <br />
                <code className="bureau-secret" data-testid="service-key-secret">
                  {secret}
                </code>
                <br />
                <CopyButton text={secret} label={t.copySecret} />
              </>
            }
          />
        </div>
      )}
      <h2 className="fr-h4">{t.createKey}</h2>
      <form
        className="fr-mb-5w"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const data = new FormData(form);
          const name = data.get('name');
          const expiry = data.get('expiresAt');
          create.mutate(
            {
              name: typeof name === 'string' ? name.trim() : '',
              scopes: data.getAll('scopes').filter((value): value is string => typeof value === 'string'),
              expiresAt: typeof expiry === 'string' && expiry ? new Date(`${expiry}T23:59:59`).toISOString() : null,
            },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <Input
          label={t.keyName}
          hintText={t.keyNameHint}
          nativeInputProps={{ name: 'name', required: true, maxLength: 100, autoComplete: 'off' }}
        />
        <Checkbox
          legend={t.keyScopes}
          orientation="horizontal"
          options={serviceKeyScopes.map((scope) => ({
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
      <h2 className="fr-h4">{t.serviceKeys}</h2>
      <div role="status">
        {revoked && <Alert severity="success" small description={t.keyRevoked(revoked)} className="fr-mb-2w" />}
      </div>
      {keys.isPending && <p className="bureau-loading">{t.loading}</p>}
      {keys.isError && <ErrorNotice error={keys.error} onRetry={() => void keys.refetch()} />}
      {revoke.isError && <ErrorNotice error={revoke.error} />}
      {keys.isSuccess && items.length === 0 && <p>{t.noServiceKeys}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.serviceKeys}
          noCaption
          headers={[t.keyName, t.keyScopes, t.keyCreated, t.keyLastUsed, t.keyExpires, t.actions]}
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
            <ConfirmAction
              key={key.id}
              label={t.revoke}
              title={t.revokeKeyOf(key.name)}
              question={t.confirmRevokeKey(key.name)}
              disabled={revoke.isPending}
              onConfirm={() => revoke.mutate(key)}
            />,
          ])}
        />
      )}
    </>
  );
}
