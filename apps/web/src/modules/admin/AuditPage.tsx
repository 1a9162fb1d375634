import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, withQuery } from '../../api/client.ts';
import type { AuditEvent, Page } from '../../api/types.ts';
import { SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { adminMessages } from './admin.messages.ts';

/** The filters, kept in the address (`?action=identity.login&outcome=failure`), so a view can be shared. */
const filterNames = ['actionPrefix', 'outcome', 'actorUserId', 'since', 'until'] as const;

function toApiFilters(searchParams: URLSearchParams): Record<string, string | undefined> {
  const filters: Record<string, string | undefined> = {};
  for (const name of filterNames) {
    const value = searchParams.get(name) ?? undefined;
    if (!value) continue;
    // Dates are days in the form; the API takes instants.
    if (name === 'since') filters[name] = new Date(`${value}T00:00:00`).toISOString();
    else if (name === 'until') filters[name] = new Date(`${value}T23:59:59.999`).toISOString();
    else filters[name] = value;
  }
  return filters;
}

const outcomeSeverity = { success: 'success', failure: 'error', denied: 'warning' } as const;

export function AuditPage() {
  const t = useMessages(adminMessages);
  const { locale } = useLocale();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = toApiFilters(searchParams);
  const events = useInfiniteQuery({
    queryKey: ['admin', 'audit', filters],
    queryFn: ({ pageParam }) =>
      api<Page<AuditEvent>>('/api/admin/audit', { query: { ...filters, limit: 50, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  const outcomeNames = { success: t.success, failure: t.failure, denied: t.denied };

  return (
    <SectionPage title={t.audit} intro={t.auditIntro}>
      <form
        className="fr-mb-3w"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const next = new URLSearchParams();
          for (const name of filterNames) {
            const value = data.get(name);
            if (typeof value === 'string' && value.trim()) next.set(name, value.trim());
          }
          setSearchParams(next);
        }}
      >
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <Input
              label={t.action}
              hintText={t.actionHint}
              nativeInputProps={{ name: 'actionPrefix', defaultValue: searchParams.get('actionPrefix') ?? '' }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <Select
              label={t.outcome}
              nativeSelectProps={{ name: 'outcome', defaultValue: searchParams.get('outcome') ?? '' }}
            >
              <option value="">{t.anyOutcome}</option>
              <option value="success">{t.success}</option>
              <option value="failure">{t.failure}</option>
              <option value="denied">{t.denied}</option>
            </Select>
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Input
              label={t.actor}
              hintText={t.actorHint}
              nativeInputProps={{ name: 'actorUserId', defaultValue: searchParams.get('actorUserId') ?? '' }}
            />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <Input
              label={t.since}
              nativeInputProps={{ name: 'since', type: 'date', defaultValue: searchParams.get('since') ?? '' }}
            />
          </div>
          <div className="fr-col-6 fr-col-md-4">
            <Input
              label={t.until}
              nativeInputProps={{ name: 'until', type: 'date', defaultValue: searchParams.get('until') ?? '' }}
            />
          </div>
        </div>
        <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
          <li>
            <Button type="submit">{t.filter}</Button>
          </li>
          <li>
            <Button type="button" priority="secondary" onClick={() => setSearchParams(new URLSearchParams())}>
              {t.reset}
            </Button>
          </li>
          <li>
            <a
              className="fr-btn fr-btn--tertiary fr-icon-download-line fr-btn--icon-left"
              href={withQuery('/api/admin/audit/export', filters)}
              download
            >
              {t.export}
            </a>
          </li>
        </ul>
      </form>
      {events.isPending && <p className="bureau-loading">{t.loading}</p>}
      {events.isError && <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />}
      {events.isSuccess && items.length === 0 && <p>{t.noEvents}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.audit}
          noCaption
          headers={[t.when, t.action, t.outcome, t.actor, t.target, t.details]}
          data={items.map((event) => [
            formatDateTime(locale, event.occurredAt),
            <code key="action">{event.action}</code>,
            <Badge key="outcome" small noIcon severity={outcomeSeverity[event.outcome]}>
              {outcomeNames[event.outcome]}
            </Badge>,
            event.actor.system ? t.system : (event.actor.label ?? event.actor.userId ?? '—'),
            event.target ? (event.target.label ?? `${event.target.type} ${event.target.id}`) : '—',
            Object.keys(event.details).length > 0 ? (
              <code key="details" className="bureau-secret">
                {JSON.stringify(event.details)}
              </code>
            ) : (
              ''
            ),
          ])}
        />
      )}
      {events.hasNextPage && (
        <Button priority="secondary" className="fr-mt-3w" onClick={() => void events.fetchNextPage()}>
          {t.more}
        </Button>
      )}
    </SectionPage>
  );
}
