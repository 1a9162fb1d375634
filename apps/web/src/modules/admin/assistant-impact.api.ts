import type * as contracts from '@bureau/contracts';
import { useQuery } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client.ts';
import type { Locale } from '../../i18n.tsx';

/*
 * Albert's impact dashboard for administrators (apps/server/src/modules/assistant/answers/impact.routes.ts):
 * the figures of a period as JSON, and the same per day and organisation as CSV.
 */

export type FeedbackReason = contracts.FeedbackReason;

/** The periods the server accepts (`impactPeriods` of impact.service.ts). */
export const impactPeriods = [7, 30, 90] as const;
export type ImpactPeriod = (typeof impactPeriods)[number];
export const defaultImpactPeriod: ImpactPeriod = 30;

/** Whether a number read from the address is a period the server accepts. */
export function isImpactPeriod(value: number): value is ImpactPeriod {
  return (impactPeriods as readonly number[]).includes(value);
}

/** A share between 0 and 1, null when there was nothing to divide. */
export type Rate = number | null;

/** `GET /api/admin/assistant/impact`. */
export interface AssistantImpact {
  period: { days: number; from: string; to: string };
  organisationId: string | null;
  questions: number;
  activeUsers: number;
  questionsPerDay: { day: string; questions: number; activeUsers: number }[];
  modes: { generative: number; extractive: number; noAnswer: number };
  /** Generative answers with at least one citation, and extractive ones. */
  answeredWithSources: { count: number; rate: Rate };
  noAnswerRate: Rate;
  failed: number;
  failedRate: Rate;
  /** Answers from which the server removed at least one citation. */
  flaggedCitations: number;
  feedback: {
    rated: number;
    ratedRate: Rate;
    up: number;
    down: number;
    upRate: Rate;
    reasons: { reason: FeedbackReason; polarity: 'positive' | 'negative'; count: number }[];
    /** Newest first; nothing says who wrote them. */
    latestComments: { at: string; rating: 'up' | 'down'; reasons: FeedbackReason[]; comment: string }[];
  };
  latency: { p50Ms: number | null; p95Ms: number | null };
  topSources: { sourceId: string; title: string; url: string | null; collectionName: string; answers: number }[];
  /** Personal collections are counted together, without names (`isPersonal`). */
  topCollections: { slug: string | null; name: string | null; isPersonal: boolean; questions: number }[];
  byOrganisation: {
    organisationId: string | null;
    organisationName: string | null;
    questions: number;
    activeUsers: number;
    rated: number;
    upRate: Rate;
  }[];
  bySensitivity: { sensitivity: string; questions: number }[];
  /** null provider: no model wrote the answer (extractive or no answer). */
  byProvider: { providerId: string | null; providerName: string | null; questions: number }[];
}

const impactPath = '/api/admin/assistant/impact';

/** The figures of the period, for an organisation and its sub-units or everything the caller may see. */
export function useAssistantImpact(days: ImpactPeriod, organisationId: string | undefined) {
  return useQuery({
    queryKey: ['admin', 'assistant', 'impact', days, organisationId ?? null],
    queryFn: () => api<AssistantImpact>(impactPath, { query: { days, organisationId } }),
  });
}

/** The CSV export's address (one row per day and organisation), headers in the interface's language. */
export function impactCsvUrl(days: ImpactPeriod, organisationId: string | undefined, lang: Locale): string {
  return withQuery(`${impactPath}.csv`, { days, organisationId, lang });
}
