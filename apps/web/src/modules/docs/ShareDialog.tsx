import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { usePrincipalChoice } from '../../app/PrincipalChoice.tsx';
import { CopyButton } from '../../app/CopyButton.tsx';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { Dialog } from './Dialog.tsx';
import {
  addShare,
  docsKeys,
  docsLimits,
  docsRoles,
  removeShare,
  useShares,
  type DocsRole,
  type DocsShare,
  type SharePrincipal,
  type ShareTarget,
} from './docs.api.ts';
import { docsMessages, type DocsMessages } from './docs.messages.ts';
import { dayAfter, dayOf, expiryOf } from './share-expiry.ts';

type Kind = 'user' | 'group' | 'organisation' | 'all_agents' | 'link';
type LinkScope = 'authenticated' | 'public';

/**
 * Who has access to a space or a page, in a dialog: the grants given here (each removable), those
 * inherited from the space or a page above (shown, with where they come from, changed there), and a
 * form to give access to a person, a group, a unit, every agent or whoever has the link, with a role and,
 * if wished, an end date.
 */
export function ShareDialog(props: { target: ShareTarget; name: string; onClose: () => void }) {
  const t = useMessages(docsMessages);
  const shares = useShares(props.target);
  const [outcome, setOutcome] = useState('');
  const outcomeRef = useRef<HTMLParagraphElement>(null);
  const direct = (shares.data ?? []).filter((share) => share.inheritedFrom === null);
  const inherited = (shares.data ?? []).filter((share) => share.inheritedFrom !== null);
  const pageUrl =
    props.target.type === 'document'
      ? `${window.location.origin}/documents/${encodeURIComponent(props.target.id)}`
      : `${window.location.origin}/documents/espaces/${encodeURIComponent(props.target.id)}`;
  // The page's address is also its public link's: visitors who are not signed in read the page there.
  const hasPublicLink = (shares.data ?? []).some(isLivePublicLink);

  function said(message: string): void {
    setOutcome(message);
    outcomeRef.current?.focus();
  }

  return (
    <Dialog title={t.shareTitle(props.name)} closeLabel={t.close} onClose={props.onClose}>
      <p className="fr-text--sm">{props.target.type === 'space' ? t.shareIntroSpace : t.shareIntroDocument}</p>
      <div className="fr-mb-2w">
        <p className="fr-text--sm fr-mb-1v">
          {props.target.type === 'space' ? t.spaceLink : t.pageLink} : <span className="bureau-secret">{pageUrl}</span>
        </p>
        <CopyButton text={pageUrl} label={t.copyLink} />
        {hasPublicLink && <p className="fr-text--sm fr-mt-1w fr-mb-0">{t.publicLinkActive[props.target.type]}</p>}
      </div>
      <p ref={outcomeRef} tabIndex={-1} role="status" className="fr-text--sm bureau-docs-status">
        {outcome}
      </p>
      {shares.isPending && <p className="bureau-loading">{t.loading}</p>}
      {shares.isError && <ErrorNotice error={shares.error} onRetry={() => void shares.refetch()} />}
      {shares.isSuccess && (
        <>
          <h3 className="fr-h6 fr-mb-1w">{t.directTitle}</h3>
          {direct.length === 0 ? (
            <p className="fr-text--sm">{t.noShares}</p>
          ) : (
            <ul className="bureau-list fr-mb-3w" aria-label={t.directTitle}>
              {direct.map((share) => (
                <ShareItem key={share.id} target={props.target} share={share} onRemoved={said} />
              ))}
            </ul>
          )}
          {inherited.length > 0 && (
            <>
              <h3 className="fr-h6 fr-mb-1v">{t.inheritedTitle}</h3>
              <p className="bureau-meta fr-mb-1w">{t.inheritedHint}</p>
              <ul className="bureau-list fr-mb-3w" aria-label={t.inheritedTitle}>
                {inherited.map((share) => (
                  <ShareItem key={share.id} target={props.target} share={share} onRemoved={said} />
                ))}
              </ul>
            </>
          )}
        </>
      )}
      <AddShareForm target={props.target} onAdded={said} />
    </Dialog>
  );
}

/** A grant to anyone who has the link, signed in or not, that has not expired. */
function isLivePublicLink(share: DocsShare): boolean {
  return (
    share.principal.kind === 'link' &&
    share.principal.scope === 'public' &&
    (share.expiresAt === null || Date.parse(share.expiresAt) > Date.now())
  );
}

/** Whom a grant is for, in words. */
function principalName(t: DocsMessages, principal: DocsShare['principal']): string {
  switch (principal.kind) {
    case 'all_agents':
      return t.allAgents;
    case 'link':
      return t.linkScopes[principal.scope];
    default:
      return principal.name;
  }
}

function ShareItem(props: { target: ShareTarget; share: DocsShare; onRemoved: (message: string) => void }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const { share } = props;
  const name = principalName(t, share.principal);
  const remove = useMutation({
    mutationFn: () => removeShare(props.target, share.id),
    onSuccess: async () => {
      props.onRemoved(t.shareRemoved(name));
      await queryClient.invalidateQueries({ queryKey: docsKeys.shares(props.target) });
    },
  });
  const details = [
    t.principalKinds[share.principal.kind],
    t.roleNames[share.role],
    ...(share.expiresAt ? [t.expiresOn(formatDateTime(locale, share.expiresAt))] : []),
    ...(share.inheritedFrom ? [t.inheritedFrom(share.inheritedFrom.type, share.inheritedFrom.title)] : []),
  ];
  return (
    <li className="bureau-actions bureau-actions--spread">
      <span>
        <strong>{name}</strong>
        <span className="bureau-meta"> ({details.join(' · ')})</span>
      </span>
      {/* One's own grant stays: removing it would lock one out (the server keeps a last owner anyway). */}
      {share.inheritedFrom === null && !(share.principal.kind === 'user' && share.principal.id === me.id) && (
        <ConfirmAction
          label={t.removeShare}
          title={t.removeShareOf(name)}
          question={t.confirmRemoveShare(name)}
          disabled={remove.isPending}
          onConfirm={() => remove.mutate()}
        />
      )}
      {remove.isError && <ErrorNotice error={remove.error} />}
    </li>
  );
}

function AddShareForm({ target, onAdded }: { target: ShareTarget; onAdded: (message: string) => void }) {
  const t = useMessages(docsMessages);
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const id = useId();
  // People, groups and units come from the directory, which external partners do not browse.
  const kinds: Kind[] = me.kind === 'agent' ? ['user', 'group', 'organisation', 'all_agents', 'link'] : ['link'];
  const [kind, setKind] = useState<Kind>(kinds[0] ?? 'link');
  const named = usePrincipalChoice(kind);
  const [scope, setScope] = useState<LinkScope>('authenticated');
  const [role, setRole] = useState<DocsRole>('reader');
  const [expiry, setExpiry] = useState('');
  const [error, setError] = useState('');
  const [expiryError, setExpiryError] = useState('');
  const isPublicLink = kind === 'link' && scope === 'public';
  // Whoever has a link may read, comment or edit; owning (sharing further) is given to named people only.
  const roles: readonly DocsRole[] = kind === 'link' ? docsRoles.filter((item) => item !== 'owner') : docsRoles;
  const today = new Date();
  const maxDays = kind === 'link' ? docsLimits.linkMaxDays : undefined;

  const add = useMutation({
    mutationFn: (input: { principal: SharePrincipal; name: string; expiresAt: string | null }) =>
      addShare(target, {
        principal: input.principal,
        role: isPublicLink || (kind === 'link' && role === 'owner') ? 'reader' : role,
        expiresAt: input.expiresAt,
      }),
    onSuccess: async (_share, input) => {
      named.reset();
      setExpiry('');
      onAdded(t.shareAdded(input.name));
      await queryClient.invalidateQueries({ queryKey: docsKeys.shares(target) });
    },
  });

  function chosen(): { principal: SharePrincipal; name: string } | undefined {
    if (kind === 'all_agents') return { principal: { kind }, name: t.allAgents };
    if (kind === 'link') return { principal: { kind, scope }, name: t.linkScopes[scope] };
    return named.chosen();
  }

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const input = chosen();
        const end = expiryOf(expiry, new Date(), maxDays);
        setError(input ? '' : t.choosePrincipal);
        setExpiryError(end.isValid ? '' : t.expiryInvalid(maxDays ?? docsLimits.linkMaxDays));
        if (!end.isValid) {
          document.getElementById(`${id}-expiry`)?.focus();
          return;
        }
        if (input) add.mutate({ ...input, expiresAt: end.expiresAt });
      }}
    >
      <h3 className="fr-h6">{t.addShareTitle}</h3>
      {me.kind !== 'agent' && <p className="fr-text--sm">{t.externalShareHint}</p>}
      {kinds.length > 1 && (
        <RadioButtons
          legend={t.shareWith}
          name={`${id}-kind`}
          orientation="horizontal"
          small
          options={kinds.map((value) => ({
            label: t.principalKinds[value],
            nativeInputProps: { value, checked: kind === value, onChange: () => setKind(value) },
          }))}
        />
      )}
      {named.fields}
      {kind === 'link' && (
        <RadioButtons
          legend={t.linkScopeLabel}
          name={`${id}-scope`}
          small
          options={(['authenticated', 'public'] as const).map((value) => ({
            label: t.linkScopes[value],
            nativeInputProps: { value, checked: scope === value, onChange: () => setScope(value) },
          }))}
        />
      )}
      <Select
        label={t.roleLabel}
        hint={isPublicLink ? t.publicLinkReadOnly : undefined}
        disabled={isPublicLink}
        nativeSelectProps={{
          value: isPublicLink || !roles.includes(role) ? 'reader' : role,
          onChange: (event) => setRole(roles.find((item) => item === event.currentTarget.value) ?? 'reader'),
        }}
      >
        {roles.map((item) => (
          <option key={item} value={item}>
            {t.roleHints[item]}
          </option>
        ))}
      </Select>
      <div className={`fr-input-group${expiryError ? ' fr-input-group--error' : ''}`}>
        <label className="fr-label" htmlFor={`${id}-expiry`}>
          {t.expiryLabel}
          <span className="fr-hint-text">{t.expiryHint(docsLimits.linkMaxDays)}</span>
        </label>
        <input
          id={`${id}-expiry`}
          className={`fr-input${expiryError ? ' fr-input--error' : ''}`}
          type="date"
          value={expiry}
          min={dayOf(today)}
          max={maxDays === undefined ? undefined : dayAfter(today, maxDays)}
          aria-describedby={expiryError ? `${id}-expiry-error` : undefined}
          onChange={(event) => setExpiry(event.target.value)}
        />
        {expiryError && (
          <p id={`${id}-expiry-error`} className="fr-error-text">
            {expiryError}
          </p>
        )}
      </div>
      {error && (
        <p className="fr-message fr-message--error" role="alert">
          {error}
        </p>
      )}
      {add.isError && <ErrorNotice error={add.error} />}
      <button type="submit" className="fr-btn" disabled={add.isPending}>
        {t.giveAccess}
      </button>
    </form>
  );
}
