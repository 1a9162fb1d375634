import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../api/client.ts';
import type { DirectoryPerson, MergeReport, Page, User } from '../../api/types.ts';
import { SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice, ForbiddenPage, useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { adminMessages } from './admin.messages.ts';

/**
 * Merges a duplicate account (typically created by a first single sign-on) into the account of the
 * address: the administrator finds the duplicate, reads what will happen, confirms, and sees what moved.
 */
export function MergeAccountPage() {
  const t = useMessages(adminMessages);
  const me = useSignedInUser();
  const { id = '' } = useParams();
  // The kept account, as the directory describes it (active accounts only: a deactivated one is not a target).
  const target = useQuery({
    queryKey: ['directory', 'person', id],
    queryFn: () => api<DirectoryPerson>(`/api/directory/users/${encodeURIComponent(id)}`),
    enabled: me.isInstanceAdmin,
  });
  if (!me.isInstanceAdmin) return <ForbiddenPage />;
  const isUnknown = target.error instanceof ApiError && (target.error.status === 404 || target.error.status === 400);
  return (
    <SectionPage title={t.mergeTitle}>
      {target.isPending && <p className="bureau-loading">{t.loading}</p>}
      {isUnknown && <Alert severity="error" small description={t.mergeUnknownTarget} className="fr-mb-3w" />}
      {target.isError && !isUnknown && <ErrorNotice error={target.error} onRetry={() => void target.refetch()} />}
      {target.isSuccess && <MergeForm target={target.data} />}
      <p className="fr-mt-4w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to="/administration/utilisateurs">
          {t.backToUsers}
        </Link>
      </p>
    </SectionPage>
  );
}

function MergeForm({ target }: { target: DirectoryPerson }) {
  const t = useMessages(adminMessages);
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [sourceId, setSourceId] = useState<string | null>(null);
  const candidates = useQuery({
    queryKey: ['admin', 'users', search, 'merge'],
    queryFn: () => api<Page<User>>('/api/admin/users', { query: { search, limit: 20 } }),
    enabled: search !== '',
  });
  const merge = useMutation({
    mutationFn: (sourceUserId: string) =>
      api<MergeReport>(`/api/admin/users/${encodeURIComponent(target.id)}/merge`, {
        method: 'POST',
        json: { sourceUserId },
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
      await queryClient.invalidateQueries({ queryKey: ['directory'] });
    },
  });
  const options = (candidates.data?.items ?? []).filter(
    (user) => user.id !== target.id && user.status === 'active' && user.kind !== 'service',
  );
  const source = options.find((user) => user.id === sourceId);

  if (merge.isSuccess) {
    const mergedName = source ? `${source.displayName} (${source.email})` : '';
    return (
      <div role="status">
        <Alert
          severity="success"
          title={t.mergeDone(mergedName, `${target.displayName} (${target.email})`)}
          description={
            <>
              <ul>
                {t.mergeMoved(merge.data.moved).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              {merge.data.moved.passwordMoved && <p>{t.mergePasswordMoved}</p>}
            </>
          }
        />
      </div>
    );
  }

  return (
    <>
      <p>{t.mergeIntro(target.displayName, target.email)}</p>
      <form
        role="search"
        aria-label={t.mergeSearch}
        className="fr-search-bar fr-mb-3w"
        onSubmit={(event) => {
          event.preventDefault();
          const value = new FormData(event.currentTarget).get('search');
          setSearch(typeof value === 'string' ? value.trim() : '');
          setSourceId(null);
        }}
      >
        <label className="fr-label" htmlFor="merge-search">
          {t.mergeSearch}
        </label>
        <input
          className="fr-input"
          id="merge-search"
          name="search"
          type="search"
          autoComplete="off"
          placeholder={t.mergeSearchHint}
        />
        <button className="fr-btn" type="submit" title={t.mergeSearch}>
          {t.mergeSearch}
        </button>
      </form>
      {candidates.isFetching && <p className="bureau-loading">{t.loading}</p>}
      {candidates.isError && <ErrorNotice error={candidates.error} />}
      {candidates.isSuccess && options.length === 0 && <p role="status">{t.mergeNoCandidates}</p>}
      {options.length > 0 && (
        <RadioButtons
          legend={t.mergeCandidates}
          name="source"
          options={options.map((user) => ({
            label: t.mergeChoose(user.displayName, user.email),
            hintText: user.title ?? undefined,
            nativeInputProps: {
              value: user.id,
              checked: sourceId === user.id,
              onChange: () => setSourceId(user.id),
            },
          }))}
        />
      )}
      {source && (
        <div className="fr-mt-2w">
          <Alert
            severity="warning"
            title={t.mergeWarningTitle}
            description={t.mergeWarning(
              `${source.displayName} (${source.email})`,
              `${target.displayName} (${target.email})`,
            )}
            className="fr-mb-2w"
          />
          {merge.isError && <ErrorNotice error={merge.error} />}
          <Button onClick={() => merge.mutate(source.id)} disabled={merge.isPending}>
            {t.mergeConfirm}
          </Button>
        </div>
      )}
    </>
  );
}
