import { Select } from '@codegouvfr/react-dsfr/Select';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { SensitivityBadge, sensitivityNames } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { organisationOptions, useOrganisations } from './admin.api.ts';
import { DailyBarChart } from './DailyBarChart.tsx';
import { adminMessages } from './admin.messages.ts';
import {
  defaultImpactPeriod,
  impactCsvUrl,
  impactPeriods,
  isImpactPeriod,
  useAssistantImpact,
  type AssistantImpact,
  type Rate,
} from './assistant-impact.api.ts';
import { AlbertPage } from './AssistantPages.tsx';

/** Figures formatted in the interface's language: counts, shares and durations. */
function useFormats() {
  const { locale } = useLocale();
  const t = useMessages(adminMessages).albert.impact;
  const integer = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const seconds = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return {
    locale,
    number: (value: number) => integer.format(value),
    rate: (value: Rate) => (value === null ? t.notAvailable : percent.format(value)),
    duration: (milliseconds: number | null) =>
      milliseconds === null ? t.notAvailable : t.seconds(seconds.format(milliseconds / 1000)),
  };
}

/**
 * Albert's impact ("prove the value"), for instance administrators (every organisation, or one and its
 * sub-units) and organisation administrators (those they administer): how many agents ask, how well Albert
 * answers, what they say of it, which sources serve. Every chart has its table; nothing relies on colour.
 */
export function AssistantImpactPage() {
  const common = useMessages(adminMessages);
  const t = common.albert.impact;
  const me = useSignedInUser();
  const { locale } = useLocale();
  const [searchParams, setSearchParams] = useSearchParams();
  const asked = Number(searchParams.get('jours'));
  const days = isImpactPeriod(asked) ? asked : defaultImpactPeriod;
  const organisationId = searchParams.get('organisation') ?? undefined;
  const organisations = useOrganisations();
  const visible = organisations.data?.items ?? [];
  const impact = useAssistantImpact(days, organisationId);
  const choose = (name: 'jours' | 'organisation', value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearchParams(next, { replace: true });
  };
  // An organisation administrator of a single unit has nothing to choose from.
  const canChooseOrganisation = me.isInstanceAdmin || visible.length > 1;

  return (
    <AlbertPage title={t.title} intro={t.intro}>
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label={common.albert.period}
            nativeSelectProps={{
              name: 'period',
              value: String(days),
              onChange: (event) => choose('jours', event.currentTarget.value),
            }}
          >
            {impactPeriods.map((period) => (
              <option key={period} value={period}>
                {common.albert.lastDays(period)}
              </option>
            ))}
          </Select>
        </div>
        {canChooseOrganisation && (
          <div className="fr-col-12 fr-col-md-5">
            <Select
              label={t.organisationFilter}
              nativeSelectProps={{
                name: 'organisation',
                value: organisationId ?? '',
                onChange: (event) => choose('organisation', event.currentTarget.value),
              }}
            >
              <option value="">{t.allOrganisations}</option>
              {organisationOptions(visible).map((option) => (
                <option key={option.id} value={option.id}>
                  {option.label}
                </option>
              ))}
            </Select>
          </div>
        )}
        <div className="fr-col-12 fr-col-md-3 fr-mb-6w">
          <a className="fr-link fr-link--download" href={impactCsvUrl(days, organisationId, locale)} download>
            {t.downloadCsv}
            <span className="fr-link__detail">{t.csvDetail}</span>
          </a>
        </div>
      </div>
      {impact.isPending && <p className="bureau-loading">{common.loading}</p>}
      {impact.isError && <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} />}
      {impact.data && <ImpactReport report={impact.data} />}
    </AlbertPage>
  );
}

function ImpactReport({ report }: { report: AssistantImpact }) {
  const t = useMessages(adminMessages).albert.impact;
  const format = useFormats();
  const long = new Intl.DateTimeFormat(format.locale, { dateStyle: 'long', timeZone: 'UTC' });
  const dateOf = (day: string) => long.format(new Date(`${day}T00:00:00Z`));
  return (
    <>
      <p className="bureau-meta" role="status">
        {t.periodSummary(dateOf(report.period.from), dateOf(report.period.to))}
      </p>
      {report.questions === 0 ? (
        <p>{t.noQuestions}</p>
      ) : (
        <>
          <KeyFigures report={report} />
          <h2 className="fr-h4 fr-mt-4w">{t.questionsPerDay}</h2>
          <QuestionsChart perDay={report.questionsPerDay} />
          <AnswerQuality report={report} />
          <Feedback report={report} />
          <Sources report={report} />
          <Breakdowns report={report} />
        </>
      )}
    </>
  );
}

/** The headline figures as tiles: each a label, a value and what the value is made of, all as text. */
function KeyFigures({ report }: { report: AssistantImpact }) {
  const t = useMessages(adminMessages).albert.impact;
  const format = useFormats();
  const tiles: { label: string; value: string; detail?: string }[] = [
    { label: t.questions, value: format.number(report.questions) },
    { label: t.activeUsers, value: format.number(report.activeUsers) },
    {
      label: t.answeredWithSources,
      value: format.rate(report.answeredWithSources.rate),
      detail: t.outOf(format.number(report.answeredWithSources.count), format.number(report.questions)),
    },
    {
      label: t.upRate,
      value: format.rate(report.feedback.upRate),
      detail: t.outOfRated(format.number(report.feedback.up), format.number(report.feedback.rated)),
    },
    {
      label: t.noAnswerRate,
      value: format.rate(report.noAnswerRate),
      detail: t.outOf(format.number(report.modes.noAnswer), format.number(report.questions)),
    },
    {
      label: t.latency,
      value: format.duration(report.latency.p50Ms),
      detail: t.latencyDetail(format.duration(report.latency.p95Ms)),
    },
  ];
  return (
    <>
      <h2 className="fr-h4 fr-mt-4w">{t.keyFigures}</h2>
      <ul className="fr-grid-row fr-grid-row--gutters fr-raw-list">
        {tiles.map((tile) => (
          <li key={tile.label} className="fr-col-12 fr-col-sm-6 fr-col-lg-4">
            <div className="fr-card fr-card--sm fr-card--grey fr-card--no-border">
              <div className="fr-card__body">
                <div className="fr-card__content">
                  <p className="fr-text--sm fr-text--bold fr-mb-1v">{tile.label}</p>
                  <p className="fr-h3 fr-mb-1v">{tile.value}</p>
                  {tile.detail && <p className="fr-text--xs fr-mb-0">{tile.detail}</p>}
                </div>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Questions per day as bars, with the active users of each day in the table assistive technologies read. */
function QuestionsChart({ perDay }: { perDay: AssistantImpact['questionsPerDay'] }) {
  const t = useMessages(adminMessages).albert.impact;
  return (
    <DailyBarChart
      days={perDay.map((entry) => ({ day: entry.day, values: [entry.questions, entry.activeUsers] }))}
      caption={t.questionsPerDay}
      maximumLabel={t.chartMaximum}
      dayHeader={t.day}
      valueHeaders={[t.questions, t.activeUsers]}
    />
  );
}

/** A section: its h2, an optional introduction, then a table captioned like the heading. */
function TableSection(props: { title: string; intro?: string; headers: string[]; rows: ReactNode[][]; empty: string }) {
  return (
    <>
      <h2 className="fr-h4 fr-mt-4w">{props.title}</h2>
      {props.intro && <p>{props.intro}</p>}
      {props.rows.length === 0 ? (
        <p>{props.empty}</p>
      ) : (
        <ScrollTable caption={props.title} noCaption headers={props.headers} data={props.rows} />
      )}
    </>
  );
}

function AnswerQuality({ report }: { report: AssistantImpact }) {
  const t = useMessages(adminMessages).albert.impact;
  const format = useFormats();
  const share = (count: number) => format.rate(report.questions === 0 ? null : count / report.questions);
  const rows: [string, number][] = [
    [t.modeNames.generative, report.modes.generative],
    [t.modeNames.extractive, report.modes.extractive],
    [t.modeNames.noAnswer, report.modes.noAnswer],
    [t.modeNames.withSources, report.answeredWithSources.count],
    [t.modeNames.failed, report.failed],
    [t.modeNames.flagged, report.flaggedCitations],
  ];
  return (
    <TableSection
      title={t.quality}
      intro={t.qualityIntro}
      headers={[t.answers, t.count, t.shareOfQuestions]}
      rows={rows.map(([label, count]) => [label, format.number(count), share(count)])}
      empty={t.noQuestions}
    />
  );
}

function Feedback({ report }: { report: AssistantImpact }) {
  const t = useMessages(adminMessages).albert.impact;
  const format = useFormats();
  const { feedback } = report;
  return (
    <>
      <h2 className="fr-h4 fr-mt-4w">{t.feedback}</h2>
      <p>
        {t.feedbackSummary(
          format.number(feedback.rated),
          format.rate(feedback.ratedRate),
          format.number(feedback.up),
          format.number(feedback.down),
        )}
      </p>
      <h3 className="fr-h5">{t.reasons}</h3>
      <ScrollTable
        caption={t.reasons}
        noCaption
        headers={[t.reason, t.polarity, t.ratings]}
        data={feedback.reasons.map((entry) => [
          t.reasonNames[entry.reason],
          t.polarityNames[entry.polarity],
          format.number(entry.count),
        ])}
      />
      <h3 className="fr-h5">{t.latestComments}</h3>
      <p className="bureau-meta">{t.commentsPrivacy}</p>
      {feedback.latestComments.length === 0 ? (
        <p>{t.noComments}</p>
      ) : (
        <ScrollTable
          caption={t.latestComments}
          noCaption
          headers={[t.date, t.rating, t.reason, t.comment]}
          data={feedback.latestComments.map((entry) => [
            formatDateTime(format.locale, entry.at),
            t.ratingNames[entry.rating],
            entry.reasons.map((reason) => t.reasonNames[reason]).join(', ') || t.none,
            entry.comment,
          ])}
        />
      )}
    </>
  );
}

function Sources({ report }: { report: AssistantImpact }) {
  const t = useMessages(adminMessages).albert.impact;
  const format = useFormats();
  return (
    <>
      <TableSection
        title={t.topSources}
        intro={t.topSourcesIntro}
        headers={[t.source, t.collection, t.answersCiting]}
        rows={report.topSources.map((source) => [
          source.url ? (
            <a
              key="source"
              href={source.url}
              target="_blank"
              rel="noopener noreferrer"
              title={t.newWindow(source.title)}
              className="fr-link"
            >
              {source.title}
            </a>
          ) : (
            source.title
          ),
          source.collectionName,
          format.number(source.answers),
        ])}
        empty={t.noSources}
      />
      <TableSection
        title={t.topCollections}
        intro={t.topCollectionsIntro}
        headers={[t.collection, t.questions]}
        rows={report.topCollections.map((collection) => [
          collection.isPersonal ? t.personalCollections : (collection.name ?? collection.slug ?? t.notAvailable),
          format.number(collection.questions),
        ])}
        empty={t.noSources}
      />
    </>
  );
}

function Breakdowns({ report }: { report: AssistantImpact }) {
  const t = useMessages(adminMessages).albert.impact;
  const format = useFormats();
  return (
    <>
      <TableSection
        title={t.byOrganisation}
        headers={[t.organisation, t.questions, t.activeUsers, t.rated, t.upRate]}
        rows={report.byOrganisation.map((row) => [
          row.organisationName ?? (row.organisationId === null ? t.noOrganisation : t.unknownOrganisation),
          format.number(row.questions),
          format.number(row.activeUsers),
          format.number(row.rated),
          format.rate(row.upRate),
        ])}
        empty={t.noQuestions}
      />
      <TableSection
        title={t.bySensitivity}
        intro={t.bySensitivityIntro}
        headers={[t.level, t.questions]}
        rows={report.bySensitivity.map((row) => [
          row.sensitivity in sensitivityNames ? (
            <SensitivityBadge key="level" level={row.sensitivity} />
          ) : (
            row.sensitivity
          ),
          format.number(row.questions),
        ])}
        empty={t.noQuestions}
      />
      <TableSection
        title={t.byProvider}
        headers={[t.provider, t.questions]}
        rows={report.byProvider.map((row) => [
          row.providerName ?? row.providerId ?? t.noModel,
          format.number(row.questions),
        ])}
        empty={t.noQuestions}
      />
    </>
  );
}
