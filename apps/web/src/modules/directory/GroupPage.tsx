import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Group, GroupMember } from '../../api/types.ts';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { useDirectoryOrganisations, useGroup, useGroupMembership, usePeople } from './directory.api.ts';
import { directoryMessages } from './directory.messages.ts';
import { DirectoryFrame, DirectoryQueryState } from './DirectoryFrame.tsx';

/**
 * A group: its description and members. Its managers (and instance administrators) add members,
 * change their role and remove them; a member may leave.
 */
export function GroupPage() {
  const { id = '' } = useParams();
  const group = useGroup(id);
  if (!group.isSuccess) return <DirectoryQueryState error={group.error} onRetry={() => void group.refetch()} />;
  return <GroupView group={group.data} />;
}

function GroupView({ group }: { group: Group }) {
  const t = useMessages(directoryMessages);
  const me = useSignedInUser();
  const isAgent = me.kind === 'agent';
  const organisations = useDirectoryOrganisations(isAgent && group.organisationId !== null);
  const { setRole, remove } = useGroupMembership(group.id);
  const [feedback, setFeedback] = useState<string | null>(null);
  const own = group.members.find((member) => member.userId === me.id);
  const canManage = isAgent && (me.isInstanceAdmin || own?.role === 'manager');
  const organisationName = organisations.data?.find((item) => item.id === group.organisationId)?.name;
  const error = setRole.error ?? remove.error;
  const members = [...group.members].sort(
    (a, b) =>
      Number(b.role === 'manager') - Number(a.role === 'manager') || a.displayName.localeCompare(b.displayName, 'fr'),
  );

  function changeRole(member: GroupMember): void {
    setFeedback(null);
    remove.reset();
    setRole.mutate(
      { userId: member.userId, role: member.role === 'manager' ? 'member' : 'manager', name: member.displayName },
      { onSuccess: () => setFeedback(t.roleChanged(member.displayName)) },
    );
  }

  function removeMember(member: GroupMember): void {
    setFeedback(null);
    setRole.reset();
    remove.mutate(
      { userId: member.userId, name: member.displayName },
      {
        onSuccess: () => setFeedback(member.userId === me.id ? t.left(group.name) : t.removed(member.displayName)),
      },
    );
  }

  return (
    <DirectoryFrame
      title={group.name}
      lead={group.description ? <p className="fr-text--lead">{group.description}</p> : null}
    >
      {group.organisationId !== null && organisationName && (
        <dl className="bureau-card-fields fr-mb-3w">
          <dt>{t.groupOrganisation}</dt>
          <dd>
            <Link to={`/annuaire/organisations/${group.organisationId}`}>{organisationName}</Link>
          </dd>
        </dl>
      )}
      <div role="status">
        {feedback && <Alert severity="success" small description={feedback} className="fr-mb-3w" />}
      </div>
      {error && <ErrorNotice error={error} />}
      {own && (
        <div className="fr-mb-3w">
          <ConfirmAction
            label={t.leave}
            priority="secondary"
            question={t.confirmLeave(group.name)}
            disabled={remove.isPending}
            onConfirm={() => removeMember(own)}
          />
        </div>
      )}
      <section aria-labelledby="group-members">
        <h2 id="group-members" className="fr-h4">
          {t.members(group.members.length)}
        </h2>
        {members.length === 0 ? (
          <p>{t.noMembers}</p>
        ) : (
          <ul className="bureau-list" aria-labelledby="group-members">
            {members.map((member) => (
              <li key={member.userId} className="bureau-actions bureau-actions--spread">
                <div>
                  <p className="fr-text--bold fr-mb-0">
                    {isAgent || member.userId === me.id ? (
                      <Link to={`/annuaire/personnes/${member.userId}`}>{member.displayName}</Link>
                    ) : (
                      member.displayName
                    )}{' '}
                    {member.userId === me.id && <span className="bureau-meta">{t.you}</span>}{' '}
                    {member.role === 'manager' && (
                      <Badge small severity="info" noIcon>
                        {t.manager}
                      </Badge>
                    )}
                  </p>
                  <p className="bureau-meta">{member.email}</p>
                </div>
                {canManage && member.userId !== me.id && (
                  <div className="bureau-actions">
                    <button
                      type="button"
                      className="fr-btn fr-btn--sm fr-btn--tertiary"
                      disabled={setRole.isPending}
                      title={
                        member.role === 'manager'
                          ? t.makeMemberOf(member.displayName)
                          : t.makeManagerOf(member.displayName)
                      }
                      onClick={() => changeRole(member)}
                    >
                      {member.role === 'manager' ? t.makeMember : t.makeManager}
                    </button>
                    <ConfirmAction
                      label={t.remove}
                      title={t.removeFromGroup(member.displayName, group.name)}
                      question={t.confirmRemove(member.displayName, group.name)}
                      disabled={remove.isPending}
                      onConfirm={() => removeMember(member)}
                    />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {canManage && <AddMembers group={group} onAdded={(name) => setFeedback(t.added(name))} />}
    </DirectoryFrame>
  );
}

/** Managers find people in the directory and add them, as members or managers. */
function AddMembers({ group, onAdded }: { group: Group; onAdded: (name: string) => void }) {
  const t = useMessages(directoryMessages);
  const [search, setSearch] = useState('');
  const [role, setRoleChoice] = useState<'member' | 'manager'>('member');
  const people = usePeople({ search, organisationId: '' }, search !== '');
  const { setRole } = useGroupMembership(group.id);
  const memberIds = new Set(group.members.map((member) => member.userId));
  const found = people.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="group-add" className="fr-mt-5w">
      <h2 id="group-add" className="fr-h4">
        {t.addMembersTitle}
      </h2>
      <p className="fr-text--sm">{t.addMembersHint}</p>
      <form
        role="search"
        aria-label={t.findPerson}
        className="fr-search-bar fr-mb-2w"
        onSubmit={(event) => {
          event.preventDefault();
          const value = new FormData(event.currentTarget).get('person');
          setSearch(typeof value === 'string' ? value.trim() : '');
        }}
      >
        <label className="fr-label" htmlFor="group-add-search">
          {t.findPerson}
        </label>
        <input
          className="fr-input"
          id="group-add-search"
          name="person"
          type="search"
          maxLength={100}
          autoComplete="off"
          placeholder={t.findPersonHint}
        />
        <button className="fr-btn" type="submit" title={t.findPerson}>
          {t.findPerson}
        </button>
      </form>
      <Select
        label={t.addAs}
        nativeSelectProps={{
          value: role,
          onChange: (event) => setRoleChoice(event.currentTarget.value === 'manager' ? 'manager' : 'member'),
        }}
      >
        <option value="member">{t.member}</option>
        <option value="manager">{t.manager}</option>
      </Select>
      {people.isError && <ErrorNotice error={people.error} />}
      {setRole.isError && <ErrorNotice error={setRole.error} />}
      {people.isSuccess && found.length === 0 && <p role="status">{t.noMatch}</p>}
      {found.length > 0 && (
        <ul className="bureau-list" aria-label={t.findPerson}>
          {found.map((person) => (
            <li key={person.id} className="bureau-actions bureau-actions--spread">
              <div>
                <p className="fr-text--bold fr-mb-0">{person.displayName}</p>
                <p className="bureau-meta">{[person.title, person.email].filter(Boolean).join(' – ')}</p>
              </div>
              {memberIds.has(person.id) ? (
                <span className="bureau-meta">{t.alreadyMember}</span>
              ) : (
                <button
                  type="button"
                  className="fr-btn fr-btn--sm fr-btn--secondary"
                  title={t.addToGroup(person.displayName, group.name)}
                  disabled={setRole.isPending}
                  onClick={() =>
                    setRole.mutate(
                      { userId: person.id, role, name: person.displayName },
                      { onSuccess: () => onAdded(person.displayName) },
                    )
                  }
                >
                  {t.add}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
