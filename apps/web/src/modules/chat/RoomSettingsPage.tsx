import { EventType, type Room, type RoomMember } from 'matrix-js-sdk';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { usePageTitle } from '../../app/page.ts';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { useMessages } from '../../i18n.tsx';
import { Avatar } from './Avatar.tsx';
import { useChat } from './chat-client.tsx';
import { chatMessages, type ChatMessages } from './chat.messages.ts';
import { ChosenPeople } from './CreateRoomPage.tsx';
import { PeoplePicker, type Person } from './PeoplePicker.tsx';
import { useRoomParam } from './RoomPage.tsx';

/** The usual power levels: administrator, moderator, member (Element's names). */
const roles = [100, 50, 0] as const;

function roleName(level: number, t: ChatMessages): string {
  if (level >= 100) return t.roleAdministrator;
  if (level >= 50) return t.roleModerator;
  if (level === 0) return t.roleMember;
  return t.roleCustom(level);
}

function TextSetting({
  id,
  label,
  initial,
  isMultiline,
  canEdit,
  onSave,
}: {
  id: string;
  label: string;
  initial: string;
  isMultiline?: boolean;
  canEdit: boolean;
  onSave: (value: string) => Promise<unknown>;
}) {
  const t = useMessages(chatMessages);
  const [value, setValue] = useState(initial);
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setState('saving');
    try {
      await onSave(value.trim());
      setState('saved');
    } catch {
      setState('failed');
    }
  }
  return (
    <form onSubmit={(event) => void submit(event)} className="fr-mb-3w">
      <div className="fr-input-group fr-mb-1w">
        <label className="fr-label" htmlFor={id}>
          {label}
        </label>
        {isMultiline ? (
          <textarea
            className="fr-input"
            id={id}
            rows={2}
            maxLength={1000}
            value={value}
            readOnly={!canEdit}
            onChange={(event) => setValue(event.target.value)}
          />
        ) : (
          <input
            className="fr-input"
            id={id}
            type="text"
            maxLength={255}
            value={value}
            readOnly={!canEdit}
            onChange={(event) => setValue(event.target.value)}
          />
        )}
      </div>
      {canEdit && (
        <button type="submit" className="fr-btn fr-btn--sm fr-btn--secondary" disabled={state === 'saving'}>
          {t.save}
        </button>
      )}
      <p role="status" className="fr-text--sm fr-mt-1w fr-mb-0">
        {state === 'saved' ? t.saved : ''}
      </p>
      {state === 'failed' && (
        <p className="fr-error-text" role="alert">
          {t.saveFailed}
        </p>
      )}
    </form>
  );
}

function MemberCell({ member }: { member: RoomMember }) {
  const t = useMessages(chatMessages);
  const { client, userId } = useChat();
  return (
    <span className="bureau-chat-member">
      <Avatar client={client} name={member.name} seed={member.userId} mxc={member.getMxcAvatarUrl()} size="sm" />
      <span>
        {member.name}
        {member.userId === userId && <span className="bureau-chat-muted"> ({t.you})</span>}
        <br />
        <span className="fr-text--xs bureau-chat-muted">{member.userId}</span>
      </span>
    </span>
  );
}

function RoleCell({ room, member, canChangeRoles }: { room: Room; member: RoomMember; canChangeRoles: boolean }) {
  const t = useMessages(chatMessages);
  const { client, userId } = useChat();
  const [error, setError] = useState(false);
  const myLevel = room.getMember(userId)?.powerLevel ?? 0;
  const canChange = canChangeRoles && member.userId !== userId && member.powerLevel < myLevel;
  const selectId = `chat-role-${member.userId.replace(/[^a-z0-9]/gi, '-')}`;
  if (!canChange) return <>{roleName(member.powerLevel, t)}</>;
  return (
    <>
      <label className="fr-label fr-sr-only" htmlFor={selectId}>
        {t.roleOf(member.name)}
      </label>
      <select
        className="fr-select"
        id={selectId}
        value={roles.includes(member.powerLevel as (typeof roles)[number]) ? member.powerLevel : ''}
        onChange={(event) => {
          setError(false);
          client.setPowerLevel(room.roomId, member.userId, Number(event.target.value)).catch(() => setError(true));
        }}
      >
        {!roles.includes(member.powerLevel as (typeof roles)[number]) && (
          <option value="">{roleName(member.powerLevel, t)}</option>
        )}
        {roles
          .filter((level) => level <= myLevel)
          .map((level) => (
            <option key={level} value={level}>
              {roleName(level, t)}
            </option>
          ))}
      </select>
      {error && (
        <p className="fr-error-text" role="alert">
          {t.roleChangeFailed}
        </p>
      )}
    </>
  );
}

/** A room's settings: name and topic, members and their roles (power levels), invitations, leaving. */
export function RoomSettingsPage() {
  const t = useMessages(chatMessages);
  const { client, userId, version } = useChat();
  const { room } = useRoomParam();
  const navigate = useNavigate();
  const [invitees, setInvitees] = useState<Person[]>([]);
  const [inviteState, setInviteState] = useState<'idle' | 'busy' | 'done' | 'failed'>('idle');
  const [leaveError, setLeaveError] = useState(false);
  usePageTitle(`${t.settingsOf(room?.name ?? '')} – ${t.title}`);
  void version;
  if (!room || room.getMyMembership() !== 'join') {
    return (
      <div className="bureau-chat-pane bureau-chat-pane--padded">
        <h1>{t.roomNotFound}</h1>
        <Link to="/messagerie" className="fr-link fr-icon-arrow-left-line fr-link--icon-left">
          {t.backToRooms}
        </Link>
      </div>
    );
  }
  const state = room.currentState;
  const members = [...room.getMembers()]
    .filter((member) => member.membership === 'join' || member.membership === 'invite')
    .sort((a, b) => b.powerLevel - a.powerLevel || a.name.localeCompare(b.name));
  const topic = String(state.getStateEvents(EventType.RoomTopic, '')?.getContent().topic ?? '');
  const name = String(state.getStateEvents(EventType.RoomName, '')?.getContent().name ?? '');
  const myLevel = room.getMember(userId)?.powerLevel ?? 0;
  const canInvite = state.hasSufficientPowerLevelFor('invite', myLevel);
  const excluded = new Set([...members.map((member) => member.userId), ...invitees.map((person) => person.userId)]);
  const roomPath = `/messagerie/salons/${encodeURIComponent(room.roomId)}`;

  async function invite(): Promise<void> {
    if (!room) return;
    setInviteState('busy');
    try {
      for (const person of invitees) await client.invite(room.roomId, person.userId);
      setInvitees([]);
      setInviteState('done');
    } catch {
      setInviteState('failed');
    }
  }

  return (
    <div className="bureau-chat-pane bureau-chat-pane--padded">
      <Link to={roomPath} className="fr-link fr-icon-arrow-left-line fr-link--icon-left fr-mb-2w">
        {t.backToRoom(room.name)}
      </Link>
      <h1 className="fr-h3 fr-mt-2w">{t.settingsOf(room.name)}</h1>

      <h2 className="fr-h5">{t.aboutRoom}</h2>
      <TextSetting
        id="chat-settings-name"
        label={t.roomName}
        initial={name}
        canEdit={state.maySendStateEvent(EventType.RoomName, userId)}
        onSave={(value) => client.setRoomName(room.roomId, value)}
      />
      <TextSetting
        id="chat-settings-topic"
        label={t.roomTopic}
        initial={topic}
        isMultiline
        canEdit={state.maySendStateEvent(EventType.RoomTopic, userId)}
        onSave={(value) => client.setRoomTopic(room.roomId, value)}
      />

      <h2 className="fr-h5">{t.members(members.length)}</h2>
      <ScrollTable
        caption={t.membersTable}
        headers={[t.person, t.membership, t.role]}
        data={members.map((member) => [
          <MemberCell key="person" member={member} />,
          member.membership === 'invite' ? t.memberInvitedState : t.memberJoinedState,
          <RoleCell
            key="role"
            room={room}
            member={member}
            canChangeRoles={state.maySendStateEvent(EventType.RoomPowerLevels, userId)}
          />,
        ])}
      />

      {canInvite && (
        <section aria-labelledby="chat-settings-invite" className="fr-mt-3w">
          <h2 id="chat-settings-invite" className="fr-h5">
            {t.inviteTitle}
          </h2>
          <PeoplePicker
            id="chat-settings-people"
            label={t.invitePeople}
            excluded={excluded}
            onPick={(person) => {
              setInviteState('idle');
              setInvitees((current) => [...current, person]);
            }}
          />
          <ChosenPeople
            people={invitees}
            onRemove={(removed) => setInvitees((current) => current.filter((person) => person.userId !== removed))}
          />
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-icon-user-add-line fr-btn--icon-left"
            disabled={invitees.length === 0 || inviteState === 'busy'}
            onClick={() => void invite()}
          >
            {t.invite}
          </button>
          <p role="status" className="fr-text--sm fr-mt-1w">
            {inviteState === 'done' ? t.invitationsSent : ''}
          </p>
          {inviteState === 'failed' && (
            <p className="fr-error-text" role="alert">
              {t.inviteFailed}
            </p>
          )}
        </section>
      )}

      <section aria-labelledby="chat-settings-leave" className="fr-mt-3w">
        <h2 id="chat-settings-leave" className="fr-h5">
          {t.leaveTitle}
        </h2>
        <p className="fr-text--sm">{t.leaveText}</p>
        <ConfirmAction
          label={t.leave}
          question={t.confirmLeave(room.name)}
          confirmLabel={t.leave}
          priority="secondary"
          onConfirm={() => {
            setLeaveError(false);
            client
              .leave(room.roomId)
              .then(() => navigate('/messagerie'))
              .catch(() => setLeaveError(true));
          }}
        />
        {leaveError && (
          <p className="fr-error-text" role="alert">
            {t.leaveFailed}
          </p>
        )}
      </section>
    </div>
  );
}
