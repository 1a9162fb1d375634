import { apiErrorSchema, feedbackReasonSchema } from '@bureau/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import { preferredLocale } from '../../../platform/http/error-mapper.ts';
import { requireScope } from '../../identity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import { impactPeriods, type ImpactQuery, type ImpactService } from './impact.service.ts';

export interface ImpactRoutesDependencies {
  readonly impact: ImpactService;
}

const impactQuerySchema = z.object({
  days: z.coerce
    .number()
    .int()
    .refine((days) => (impactPeriods as readonly number[]).includes(days), {
      message: `expected one of ${impactPeriods.join(', ')}`,
    })
    .transform((days) => days as ImpactQuery['days'])
    .default(30),
  organisationId: z.uuid().optional(),
  /** The CSV's language (its headers); the request's Accept-Language otherwise. */
  lang: z.enum(['fr', 'en']).optional(),
});

const rateSchema = z.number().min(0).max(1).nullable();

const impactReportSchema = z
  .object({
    period: z.object({ days: z.number(), from: z.string(), to: z.string() }),
    organisationId: z.string().nullable(),
    questions: z.number(),
    activeUsers: z.number(),
    questionsPerDay: z.array(z.object({ day: z.string(), questions: z.number(), activeUsers: z.number() })),
    modes: z.object({ generative: z.number(), extractive: z.number(), noAnswer: z.number() }),
    answeredWithSources: z.object({ count: z.number(), rate: rateSchema }),
    noAnswerRate: rateSchema,
    failed: z.number(),
    failedRate: rateSchema,
    flaggedCitations: z.number(),
    feedback: z.object({
      rated: z.number(),
      ratedRate: rateSchema,
      up: z.number(),
      down: z.number(),
      upRate: rateSchema,
      reasons: z.array(
        z.object({ reason: feedbackReasonSchema, polarity: z.enum(['positive', 'negative']), count: z.number() }),
      ),
      latestComments: z.array(
        z.object({
          at: z.string(),
          rating: z.enum(['up', 'down']),
          reasons: z.array(feedbackReasonSchema),
          comment: z.string(),
        }),
      ),
    }),
    latency: z.object({ p50Ms: z.number().nullable(), p95Ms: z.number().nullable() }),
    topSources: z.array(
      z.object({
        sourceId: z.string(),
        title: z.string(),
        url: z.string().nullable(),
        collectionName: z.string(),
        answers: z.number(),
      }),
    ),
    topCollections: z.array(
      z.object({
        slug: z.string().nullable(),
        name: z.string().nullable(),
        isPersonal: z.boolean(),
        questions: z.number(),
      }),
    ),
    byOrganisation: z.array(
      z.object({
        organisationId: z.string().nullable(),
        organisationName: z.string().nullable(),
        questions: z.number(),
        activeUsers: z.number(),
        rated: z.number(),
        upRate: rateSchema,
      }),
    ),
    bySensitivity: z.array(z.object({ sensitivity: z.string(), questions: z.number() })),
    byProvider: z.array(
      z.object({ providerId: z.string().nullable(), providerName: z.string().nullable(), questions: z.number() }),
    ),
  })
  .meta({ id: 'AssistantImpact' });

const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema };

const csvHeaders = {
  fr: [
    'Jour (UTC)',
    'Organisation',
    'Questions',
    'Utilisateurs actifs',
    'Réponses avec sources',
    'Sans réponse',
    'Avis positifs',
    'Avis négatifs',
    'Durée médiane (ms)',
  ],
  en: [
    'Day (UTC)',
    'Organisation',
    'Questions',
    'Active users',
    'Answered with sources',
    'No answer',
    'Thumbs up',
    'Thumbs down',
    'Median duration (ms)',
  ],
} as const;
const noOrganisation = { fr: 'Sans organisation', en: 'No organisation' } as const;

/**
 * One CSV cell for French Excel: quoted when it holds the separator, a quote or a line break; text that
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@`…) is prefixed with an apostrophe.
 */
function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function parseQuery(query: unknown) {
  const result = impactQuerySchema.safeParse(query);
  if (result.success) return result.data;
  throw assistantErrors.create('AI_REQUEST_INVALID', {
    reason: result.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`).join('; '),
  });
}

/** The viewer: an administrator of the instance or of organisations (an API key needs the `admin` scope). */
function viewerOf(request: FastifyRequest): ImpactQuery['viewer'] {
  const { user } = requireScope(request, 'admin');
  return { userId: user.id, isInstanceAdmin: Boolean(user.is_instance_admin) };
}

/**
 * Albert's impact dashboard for administrators: `GET /api/admin/assistant/impact` (the figures, JSON) and
 * `GET /api/admin/assistant/impact.csv` (one row per day and organisation, for a spreadsheet).
 * Instance administrators see every organisation and may filter; organisation administrators see those
 * they administer and their sub-organisations; others get IDENTITY_FORBIDDEN (IDENTITY_NOT_AUTHENTICATED
 * when signed out).
 */
export function registerImpactRoutes(http: HttpServer, deps: ImpactRoutesDependencies): void {
  http.get(
    '/api/admin/assistant/impact',
    {
      schema: {
        tags: ['assistant'],
        summary:
          "Albert's impact over the last 7, 30 or 90 days: questions, askers, answers with sources, feedback, durations, sources, per organisation.",
        response: { 200: impactReportSchema, ...errors },
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      const { days, organisationId } = parseQuery(request.query);
      return deps.impact.report({ days, organisationId, viewer });
    },
  );

  http.get(
    '/api/admin/assistant/impact.csv',
    {
      schema: {
        tags: ['assistant'],
        summary: "Albert's impact per day and organisation, as CSV for French spreadsheets (semicolons, BOM).",
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const { days, organisationId, lang } = parseQuery(request.query);
      const locale = lang ?? preferredLocale(request.headers['accept-language']);
      const { period, rows } = await deps.impact.dailyRows({ days, organisationId, viewer });
      const lines = [
        csvHeaders[locale].map(csvCell).join(';'),
        ...rows.map((row) =>
          [
            row.day,
            row.organisationName ?? (row.organisationId === null ? noOrganisation[locale] : row.organisationId),
            row.questions,
            row.activeUsers,
            row.withSources,
            row.noAnswer,
            row.up,
            row.down,
            row.latencyP50Ms,
          ]
            .map(csvCell)
            .join(';'),
        ),
      ];
      // The byte order mark makes Excel read UTF-8 (accents) instead of the Windows code page.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="albert-impact-${period.from}-${period.to}.csv"`)
        .send(`\uFEFF${lines.join('\r\n')}\r\n`);
    },
  );
}
