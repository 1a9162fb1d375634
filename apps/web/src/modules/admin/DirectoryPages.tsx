import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../../api/client.ts';
import type { DirectoryEntry, Group, Invitation, Page, User } from '../../api/types.ts';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice, ForbiddenPage, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { organisationOptions, useOrganisations } from './admin.api.ts';
import { adminMessages } from './admin.messages.ts';

function text(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value.trim() : '';
}

function OrganisationSelect({ name, label, allowNone }: { name: string; label: string; allowNone: boolean }) {
  const t = useMessages(adminMessages);
  const organisations = useOrganisations();
  return (
    <Select label={label} nativeSelectProps={{ name, defaultValue: '' }}>
      {allowNone && <option value="">{t.none}</option>}
      {organisationOptions(organisations.data?.items ?? []).map((option) => (
        <option key={option.id} value={option.id}>
          {option.label}
        </option>
      ))}
    </Select>
  );
}

export function UsersPage() {
  const t = useMessages(adminMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const organisations = useOrganisations();
  const users = useInfiniteQuery({
    queryKey: ['admin', 'users', search],
    queryFn: ({ pageParam }) =>
      api<Page<User>>('/api/admin/users', { query: { search, cursor: pageParam, limit: 50 } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: me.isInstanceAdmin,
  });
  const create = useMutation({
    mutationFn: (body: {
      email: string;
      displayName?: string;
      title: string | null;
      kind: 'agent' | 'external';
      organisationId: string | null;
      isInstanceAdmin: boolean;
    }) => api<User>('/api/admin/users', { method: 'POST', json: body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
  const deactivate = useMutation({
    mutationFn: (id: string) => api<undefined>(`/api/admin/users/${id}/deactivate`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
  if (!me.isInstanceAdmin) return <ForbiddenPage />;
  const organisationName = new Map((organisations.data?.items ?? []).map((item) => [item.id, item.name]));
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <SectionPage title={t.users} intro={t.usersIntro}>
      <h2 className="fr-h4">{t.createUser}</h2>
      <form
        className="fr-mb-5w"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const displayName = text(form, 'displayName');
          create.mutate(
            {
              email: text(form, 'email'),
              ...(displayName ? { displayName } : {}),
              title: text(form, 'title') || null,
              kind: text(form, 'kind') === 'external' ? 'external' : 'agent',
              organisationId: text(form, 'organisationId') || null,
              isInstanceAdmin: new FormData(form).get('isInstanceAdmin') === 'on',
            },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <p className="fr-hint-text">{t.createUserHint}</p>
        <Input
          label={t.email}
          nativeInputProps={{ name: 'email', type: 'email', required: true, autoComplete: 'off' }}
        />
        <Input label={t.displayName} nativeInputProps={{ name: 'displayName', maxLength: 200, autoComplete: 'off' }} />
        <Input label={t.jobTitle} nativeInputProps={{ name: 'title', maxLength: 200 }} />
        <Select label={t.kind} nativeSelectProps={{ name: 'kind', defaultValue: 'agent' }}>
          <option value="agent">{t.kindAgent}</option>
          <option value="external">{t.kindExternal}</option>
        </Select>
        <OrganisationSelect name="organisationId" label={t.organisation} allowNone />
        <Checkbox options={[{ label: t.instanceAdmin, nativeInputProps: { name: 'isInstanceAdmin' } }]} />
        {create.isError && <ErrorNotice error={create.error} />}
        {create.isSuccess && (
          <div role="status">
            <Alert severity="success" small description={t.userCreated(create.data.email)} />
          </div>
        )}
        <Button type="submit" disabled={create.isPending}>
          {t.createUser}
        </Button>
      </form>
      <form
        role="search"
        className="fr-search-bar fr-mb-3w"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(text(event.currentTarget, 'search'));
        }}
      >
        <label className="fr-label" htmlFor="admin-user-search">
          {t.searchUsers}
        </label>
        <input className="fr-input" id="admin-user-search" name="search" type="search" placeholder={t.searchUsers} />
        <button className="fr-btn" type="submit" title={t.searchUsers}>
          {t.searchUsers}
        </button>
      </form>
      {users.isError && <ErrorNotice error={users.error} />}
      {deactivate.isError && <ErrorNotice error={deactivate.error} />}
      {users.isSuccess && items.length === 0 && <p>{t.noUsers}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.users}
          noCaption
          headers={[t.displayName, t.email, t.organisation, t.status, t.lastLogin, t.actions]}
          data={items.map((user) => [
            <>
              {user.displayName}
              {user.title && <span className="bureau-meta"> – {user.title}</span>}
              {user.kind === 'external' && (
                <>
                  {' '}
                  <span className="fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon">{t.kindExternal}</span>
                </>
              )}
            </>,
            user.email,
            user.organisationId ? (organisationName.get(user.organisationId) ?? '—') : '—',
            user.status === 'active' ? t.active : t.deactivated,
            user.lastLoginAt ? formatDateTime(locale, user.lastLoginAt) : t.never,
            user.status === 'active' && user.kind !== 'service' ? (
              <span key={user.id} className="bureau-actions">
                <Link
                  className="fr-btn fr-btn--sm fr-btn--tertiary"
                  to={`/administration/utilisateurs/${user.id}/fusion`}
                  title={t.mergeOf(user.displayName)}
                >
                  {t.merge}
                </Link>
                {user.id !== me.id && (
                  <ConfirmAction
                    label={t.deactivate}
                    title={t.deactivateUser(user.displayName)}
                    question={t.confirmDeactivate(user.displayName)}
                    disabled={deactivate.isPending}
                    onConfirm={() => deactivate.mutate(user.id)}
                  />
                )}
              </span>
            ) : (
              ''
            ),
          ])}
        />
      )}
      {users.hasNextPage && (
        <Button priority="secondary" className="fr-mt-3w" onClick={() => void users.fetchNextPage()}>
          {t.more}
        </Button>
      )}
    </SectionPage>
  );
}

export function GroupsPage() {
  const t = useMessages(adminMessages);
  const queryClient = useQueryClient();
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api<{ items: Group[] }>('/api/groups') });
  const create = useMutation({
    mutationFn: (body: { name: string; description: string | null }) =>
      api<Group>('/api/groups', { method: 'POST', json: body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['groups'] }),
  });
  const items = groups.data?.items ?? [];
  return (
    <SectionPage title={t.groups} intro={t.groupsIntro}>
      {groups.isError && <ErrorNotice error={groups.error} />}
      {groups.isSuccess && items.length === 0 && <p>{t.noGroups}</p>}
      {items.map((group) => (
        <GroupCard key={group.id} group={group} />
      ))}
      <h2 className="fr-h4 fr-mt-5w">{t.createGroup}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          create.mutate(
            { name: text(form, 'name'), description: text(form, 'description') || null },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <Input label={t.name} nativeInputProps={{ name: 'name', required: true, maxLength: 200 }} />
        <Input label={t.description} textArea nativeTextAreaProps={{ name: 'description', maxLength: 1000 }} />
        {create.isError && <ErrorNotice error={create.error} />}
        <Button type="submit" disabled={create.isPending}>
          {t.createGroup}
        </Button>
      </form>
    </SectionPage>
  );
}

function GroupCard({ group }: { group: Group }) {
  const t = useMessages(adminMessages);
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const add = useMutation({
    mutationFn: async (email: string) => {
      const found = await api<Page<DirectoryEntry>>('/api/directory/users', { query: { search: email, limit: 5 } });
      const entry = found.items.find((item) => item.email.toLowerCase() === email.toLowerCase());
      if (!entry) throw new ApiError(404, 'NOT_IN_DIRECTORY', t.memberSearchHint);
      return api<Group>(`/api/groups/${group.id}/members/${entry.id}`, { method: 'PUT', json: { role: 'member' } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['groups'] }),
    onError: setError,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => api<Group>(`/api/groups/${group.id}/members/${userId}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['groups'] }),
    onError: setError,
  });
  return (
    <section className="fr-mb-4w fr-p-3w bureau-card" aria-labelledby={`group-${group.id}`}>
      <h2 className="fr-h5" id={`group-${group.id}`}>
        <Link to={`/annuaire/groupes/${group.id}`}>{group.name}</Link>
      </h2>
      {group.description && <p>{group.description}</p>}
      <h3 className="fr-text--md fr-text--bold fr-mb-1w">{t.members}</h3>
      {group.members.length === 0 ? (
        <p>{t.noMembers}</p>
      ) : (
        <ul className="bureau-list fr-mb-2w">
          {group.members.map((member) => (
            <li key={member.userId} className="bureau-actions">
              <span>
                {member.displayName} <span className="bureau-meta">({member.email})</span>
                {member.role === 'manager' && (
                  <>
                    {' '}
                    <span className="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">{t.manager}</span>
                  </>
                )}
              </span>
              <button
                type="button"
                className="fr-link fr-text--sm"
                aria-label={t.removeMember(member.displayName, group.name)}
                onClick={() => remove.mutate(member.userId)}
              >
                {t.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="bureau-actions"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          setError(null);
          add.mutate(text(form, 'email'), { onSuccess: () => form.reset() });
        }}
      >
        <Input
          label={t.addMemberLabel(group.name)}
          hintText={t.memberSearchHint}
          nativeInputProps={{ name: 'email', type: 'email', required: true }}
        />
        <Button type="submit" priority="secondary" size="small" disabled={add.isPending}>
          {t.addMember}
        </Button>
      </form>
      {error !== null && <ErrorNotice error={error} />}
    </section>
  );
}

export function InvitationsPage() {
  const t = useMessages(adminMessages);
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const [revoked, setRevoked] = useState<string | null>(null);
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api<{ items: Group[] }>('/api/groups') });
  const organisations = useOrganisations();
  const pending = useInfiniteQuery({
    queryKey: ['admin', 'invitations'],
    queryFn: ({ pageParam }) =>
      api<Page<Invitation>>('/api/admin/invitations', { query: { limit: 50, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const invite = useMutation({
    mutationFn: (body: {
      email: string;
      kind: 'agent' | 'external';
      organisationId: string | null;
      groupId: string | null;
    }) =>
      api<{ id: string; email: string; expiresAt: string }>('/api/admin/invitations', { method: 'POST', json: body }),
    onSuccess: () => {
      setRevoked(null);
      return queryClient.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (invitation: Invitation) =>
      api<undefined>(`/api/admin/invitations/${encodeURIComponent(invitation.id)}`, { method: 'DELETE' }),
    onSuccess: (_answer, invitation) => {
      setRevoked(invitation.email);
      invite.reset();
      return queryClient.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
  });
  const items = pending.data?.pages.flatMap((page) => page.items) ?? [];
  const organisationName = new Map((organisations.data?.items ?? []).map((item) => [item.id, item.name]));
  const groupName = new Map((groups.data?.items ?? []).map((item) => [item.id, item.name]));
  return (
    <SectionPage title={t.invitations} intro={t.invitationsIntro}>
      <form
        className="fr-mb-5w"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          invite.mutate(
            {
              email: text(form, 'email'),
              kind: text(form, 'kind') === 'external' ? 'external' : 'agent',
              organisationId: text(form, 'organisationId') || null,
              groupId: text(form, 'groupId') || null,
            },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <Input label={t.email} nativeInputProps={{ name: 'email', type: 'email', required: true }} />
        <Select label={t.kind} nativeSelectProps={{ name: 'kind', defaultValue: 'agent' }}>
          <option value="agent">{t.kindAgent}</option>
          <option value="external">{t.kindExternal}</option>
        </Select>
        <OrganisationSelect name="organisationId" label={t.organisation} allowNone />
        <Select label={t.group} nativeSelectProps={{ name: 'groupId', defaultValue: '' }}>
          <option value="">{t.none}</option>
          {(groups.data?.items ?? []).map((group) => (
            <option key={group.id} value={group.id}>
              {group.name}
            </option>
          ))}
        </Select>
        {invite.isError && <ErrorNotice error={invite.error} />}
        {invite.isSuccess && (
          <div role="status">
            <Alert
              severity="success"
              small
              description={t.invitationSent(invite.data.email, formatDateTime(locale, invite.data.expiresAt))}
            />
          </div>
        )}
        <Button type="submit" disabled={invite.isPending}>
          {t.invite}
        </Button>
      </form>
      <h2 className="fr-h4">{t.pendingInvitations}</h2>
      <div role="status">
        {revoked && <Alert severity="success" small description={t.invitationRevoked(revoked)} className="fr-mb-2w" />}
      </div>
      {pending.isPending && <p className="bureau-loading">{t.loading}</p>}
      {pending.isError && <ErrorNotice error={pending.error} onRetry={() => void pending.refetch()} />}
      {revoke.isError && <ErrorNotice error={revoke.error} />}
      {pending.isSuccess && items.length === 0 && <p>{t.noInvitations}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.pendingInvitations}
          noCaption
          headers={[t.email, t.kind, t.organisation, t.groupColumn, t.invitedOn, t.expires, t.actions]}
          data={items.map((invitation) => [
            invitation.email,
            invitation.kind === 'agent' ? t.kindAgent : t.kindExternal,
            invitation.organisationId ? (organisationName.get(invitation.organisationId) ?? '—') : '—',
            invitation.groupId ? (groupName.get(invitation.groupId) ?? '—') : '—',
            formatDateTime(locale, invitation.createdAt),
            formatDateTime(locale, invitation.expiresAt),
            <ConfirmAction
              key={invitation.id}
              label={t.revoke}
              title={t.revokeInvitationOf(invitation.email)}
              question={t.confirmRevokeInvitation(invitation.email)}
              disabled={revoke.isPending}
              onConfirm={() => revoke.mutate(invitation)}
            />,
          ])}
        />
      )}
      {pending.hasNextPage && (
        <Button
          priority="secondary"
          className="fr-mt-3w"
          onClick={() => void pending.fetchNextPage()}
          disabled={pending.isFetchingNextPage}
        >
          {t.more}
        </Button>
      )}
    </SectionPage>
  );
}

export function ImportPage() {
  const t = useMessages(adminMessages);
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const run = useMutation({
    mutationFn: async ({ dryRun }: { dryRun: boolean }) => {
      if (!file) throw new ApiError(400, 'NO_FILE', t.csvHint);
      return api<{ rows: number; created: number; dryRun: boolean }>('/api/admin/users/import', {
        method: 'POST',
        query: { dryRun: dryRun ? 'true' : 'false' },
        body: { data: await file.text(), contentType: 'text/csv' },
      });
    },
    onSuccess: (report) => {
      if (!report.dryRun) void queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
  });
  if (!me.isInstanceAdmin) return <ForbiddenPage />;
  return (
    <SectionPage title={t.import} intro={t.importIntro}>
      <div className="fr-upload-group fr-mb-3w">
        <label className="fr-label" htmlFor="csv-upload">
          {t.csvFile}
          <span className="fr-hint-text">{t.csvHint}</span>
        </label>
        <input
          className="fr-upload"
          type="file"
          id="csv-upload"
          accept=".csv,text/csv"
          onChange={(event) => {
            setFile(event.currentTarget.files?.[0] ?? null);
            run.reset();
          }}
        />
      </div>
      {run.isError && <ErrorNotice error={run.error} />}
      {run.isSuccess && (
        <div role="status" className="fr-mb-3w">
          <Alert
            severity="success"
            small
            description={run.data.dryRun ? t.importChecked(run.data.rows) : t.importDone(run.data.created)}
          />
        </div>
      )}
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button priority="secondary" disabled={!file || run.isPending} onClick={() => run.mutate({ dryRun: true })}>
            {t.check}
          </Button>
        </li>
        <li>
          <Button
            disabled={!file || run.isPending || !(run.isSuccess && run.data.dryRun)}
            onClick={() => run.mutate({ dryRun: false })}
          >
            {t.importNow}
          </Button>
        </li>
      </ul>
    </SectionPage>
  );
}
