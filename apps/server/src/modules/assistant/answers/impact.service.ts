import { feedbackReasons, type FeedbackReason } from '@bureau/contracts';
import { identityErrors } from '../../identity/index.ts';
import type { DayOrganisationTotals, ImpactRepository, ImpactScope } from './impact.repository.ts';

/** The periods the dashboard offers, in days up to today's (UTC). */
export const impactPeriods = [7, 30, 90] as const;
export type ImpactPeriod = (typeof impactPeriods)[number];

/** An organisation as the identity module describes it: its name, and its parent for sub-trees. */
export interface ImpactOrganisation {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
}

/** What the dashboard needs of the identity module's directory (passed in: modules never reach its tables). */
export interface ImpactDirectory {
  /** The organisations the user administers, with all their sub-organisations (empty: none). */
  organisationsAdministeredBy(userId: string): Promise<ReadonlySet<string>>;
  listOrganisations(): Promise<readonly ImpactOrganisation[]>;
}

export interface ImpactServiceDependencies {
  readonly repository: ImpactRepository;
  readonly directory: ImpactDirectory;
  readonly now: () => Date;
}

/** Who looks at the dashboard: what they may see follows. */
export interface ImpactViewer {
  readonly userId: string;
  readonly isInstanceAdmin: boolean;
}

export interface ImpactQuery {
  readonly days: ImpactPeriod;
  /** An organisation and its sub-organisations; undefined: everything the viewer may see. */
  readonly organisationId?: string | undefined;
  readonly viewer: ImpactViewer;
}

export interface ImpactPeriodBounds {
  readonly days: ImpactPeriod;
  /** First and last UTC days of the period ('YYYY-MM-DD'), both included. */
  readonly from: string;
  readonly to: string;
}

const topSourcesCount = 10;
const topCollectionsCount = 10;
const latestCommentsCount = 10;
const dayMs = 86_400_000;

/** `part / whole`, rounded to 4 decimals; null when there is nothing to divide. */
function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

function parseReasons(json: string): FeedbackReason[] {
  const known: readonly string[] = [...feedbackReasons.positive, ...feedbackReasons.negative];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value)
      ? value.filter((reason): reason is FeedbackReason => typeof reason === 'string' && known.includes(reason))
      : [];
  } catch {
    return [];
  }
}

/**
 * Albert's impact dashboard ("prove the value"): who asks, how often, how well Albert answers (sources,
 * no-answer, failures, citations removed), what agents say of the answers, how fast, which sources serve,
 * per organisation, level and provider. Instance administrators see every organisation; organisation
 * administrators those they administer and their sub-organisations.
 */
export function createImpactService(deps: ImpactServiceDependencies) {
  const { repository, directory } = deps;

  /** The period's UTC days: `days` of them, up to today's included. */
  function boundsOf(days: ImpactPeriod): ImpactPeriodBounds & { since: string; until: string; dayList: string[] } {
    const now = deps.now();
    const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + dayMs;
    const start = tomorrow - days * dayMs;
    const dayList = Array.from({ length: days }, (_, index) =>
      new Date(start + index * dayMs).toISOString().slice(0, 10),
    );
    return {
      days,
      from: dayList[0] ?? '',
      to: dayList.at(-1) ?? '',
      since: new Date(start).toISOString(),
      until: new Date(tomorrow).toISOString(),
      dayList,
    };
  }

  /** The organisation and all its descendants. */
  function subtreeOf(organisationId: string, organisations: readonly ImpactOrganisation[]): string[] {
    const children = new Map<string, string[]>();
    for (const organisation of organisations) {
      if (organisation.parentId === null) continue;
      children.set(organisation.parentId, [...(children.get(organisation.parentId) ?? []), organisation.id]);
    }
    const subtree = [organisationId];
    for (let index = 0; index < subtree.length; index += 1) {
      const id = subtree[index];
      if (id !== undefined) subtree.push(...(children.get(id) ?? []));
    }
    return subtree;
  }

  /**
   * The organisations whose questions the viewer may count, narrowed to `organisationId`'s sub-tree when
   * given. Throws IDENTITY_FORBIDDEN for one who administers nothing, or asks for another organisation.
   */
  async function organisationsOf(
    query: ImpactQuery,
    organisations: readonly ImpactOrganisation[],
  ): Promise<string[] | undefined> {
    const { viewer, organisationId } = query;
    if (viewer.isInstanceAdmin) {
      return organisationId === undefined ? undefined : subtreeOf(organisationId, organisations);
    }
    const administered = await directory.organisationsAdministeredBy(viewer.userId);
    if (administered.size === 0) throw identityErrors.create('IDENTITY_FORBIDDEN');
    if (organisationId === undefined) return [...administered];
    if (!administered.has(organisationId)) throw identityErrors.create('IDENTITY_FORBIDDEN');
    // `administered` holds sub-trees already; the intersection guards against a tree changed meanwhile.
    return subtreeOf(organisationId, organisations).filter((id) => administered.has(id));
  }

  async function prepare(query: ImpactQuery) {
    const organisations = await directory.listOrganisations();
    const bounds = boundsOf(query.days);
    const scope: ImpactScope = {
      since: bounds.since,
      until: bounds.until,
      organisationIds: await organisationsOf(query, organisations),
    };
    const names = new Map(organisations.map((organisation) => [organisation.id, organisation.name] as const));
    const nameOf = (id: string | null) => (id === null ? null : (names.get(id) ?? null));
    return { bounds, scope, nameOf };
  }

  return {
    /** Every figure of the dashboard over the period, for what the viewer may see. */
    async report(query: ImpactQuery) {
      const { bounds, scope, nameOf } = await prepare(query);
      const [
        totals,
        perDay,
        perOrganisation,
        latency,
        feedback,
        reasons,
        comments,
        sources,
        collections,
        sensitivities,
        providers,
      ] = await Promise.all([
        repository.messageTotals(scope),
        repository.perDay(scope),
        repository.perOrganisation(scope),
        repository.latencyPercentiles(scope, [50, 95]),
        repository.feedbackTotals(scope),
        repository.feedbackReasons(scope),
        repository.latestComments(scope, latestCommentsCount),
        repository.topSources(scope, topSourcesCount),
        repository.searchedCollections(scope),
        repository.bySensitivity(scope),
        repository.byProvider(scope),
      ]);
      const dayTotals = new Map(perDay.map((row) => [row.day, row] as const));
      // Personal collections are counted together, without their names (an agent's own documents). One
      // since deleted keeps its slug (a personal one's is `user-<uuid>`: it names nothing).
      const isPersonal = (collection: { scope: string | null }) => collection.scope === 'user';
      const personalQuestions = collections
        .filter(isPersonal)
        .reduce((sum, collection) => sum + collection.questions, 0);
      const shared = collections
        .filter((collection) => !isPersonal(collection))
        .map((collection) => ({
          slug: collection.slug,
          name: collection.name,
          isPersonal: false,
          questions: collection.questions,
        }));
      const topCollections = [
        ...shared,
        ...(personalQuestions > 0 ? [{ slug: null, name: null, isPersonal: true, questions: personalQuestions }] : []),
      ]
        .sort((a, b) => b.questions - a.questions)
        .slice(0, topCollectionsCount);
      return {
        period: { days: bounds.days, from: bounds.from, to: bounds.to },
        organisationId: query.organisationId ?? null,
        questions: totals.questions,
        activeUsers: totals.activeUsers,
        // Every day of the period, those without questions too, so that a chart shows the gaps.
        questionsPerDay: bounds.dayList.map((day) => ({
          day,
          questions: dayTotals.get(day)?.questions ?? 0,
          activeUsers: dayTotals.get(day)?.activeUsers ?? 0,
        })),
        modes: { generative: totals.generative, extractive: totals.extractive, noAnswer: totals.noAnswer },
        answeredWithSources: { count: totals.withSources, rate: rate(totals.withSources, totals.questions) },
        noAnswerRate: rate(totals.noAnswer, totals.questions),
        failed: totals.failed,
        failedRate: rate(totals.failed, totals.questions),
        flaggedCitations: totals.flaggedCitations,
        feedback: {
          rated: feedback.rated,
          ratedRate: rate(feedback.rated, totals.questions),
          up: feedback.up,
          down: feedback.down,
          upRate: rate(feedback.up, feedback.rated),
          reasons: [
            ...feedbackReasons.positive.map((reason) => ({ reason, polarity: 'positive' as const })),
            ...feedbackReasons.negative.map((reason) => ({ reason, polarity: 'negative' as const })),
          ].map((entry) => ({ ...entry, count: reasons.get(entry.reason) ?? 0 })),
          latestComments: comments.map((comment) => ({
            at: comment.at,
            rating: comment.rating,
            reasons: parseReasons(comment.reasons),
            comment: comment.comment,
          })),
        },
        latency: { p50Ms: latency.get(50) ?? null, p95Ms: latency.get(95) ?? null },
        topSources: sources.map((source) => ({
          sourceId: source.sourceId,
          title: source.title,
          url: source.url,
          collectionName: source.collectionName,
          answers: source.answers,
        })),
        topCollections,
        byOrganisation: perOrganisation.map((row) => ({
          organisationId: row.organisationId,
          organisationName: nameOf(row.organisationId),
          questions: row.questions,
          activeUsers: row.activeUsers,
          rated: row.rated,
          upRate: rate(row.up, row.rated),
        })),
        bySensitivity: sensitivities.sort((a, b) => b.questions - a.questions),
        byProvider: providers,
      };
    },

    /** The CSV export's rows: per UTC day and organisation of the period, for what the viewer may see. */
    async dailyRows(query: ImpactQuery): Promise<{
      period: ImpactPeriodBounds;
      rows: (DayOrganisationTotals & { organisationName: string | null })[];
    }> {
      const { bounds, scope, nameOf } = await prepare(query);
      const rows = await repository.perDayAndOrganisation(scope);
      return {
        period: { days: bounds.days, from: bounds.from, to: bounds.to },
        rows: rows
          .map((row) => ({ ...row, organisationName: nameOf(row.organisationId) }))
          .sort(
            (a, b) =>
              a.day.localeCompare(b.day) ||
              (a.organisationName ?? '\uffff').localeCompare(b.organisationName ?? '\uffff', 'fr'),
          ),
      };
    },
  };
}

export type ImpactService = ReturnType<typeof createImpactService>;
export type ImpactReport = Awaited<ReturnType<ImpactService['report']>>;
