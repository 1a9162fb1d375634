import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AskResponse, Citation } from '@bureau/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createManualClock } from '../../platform/clock.ts';
import { createSeededRandom } from '../../testing/seeded-random.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import {
  createConversationsRepository,
  type AssistantFeedbackRow,
  type AssistantMessageRow,
} from './answers/conversations.repository.ts';
import type { ImpactReport } from './answers/impact.service.ts';
import { servicePublicXml, type FicheFixture } from './testing/knowledge-fixtures.ts';
import { startFakeOpenAiUpstream, type FakeChatRequest, type FakeUpstream } from './testing/fake-openai-upstream.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };
const now = '2026-12-15T14:00:00.000Z';
const dayMs = 86_400_000;
const startOfToday = Date.parse('2026-12-15T00:00:00.000Z');

const fiches: FicheFixture[] = [
  {
    id: 'F1412',
    type: 'Fiche pratique',
    title: 'Copie certifiée conforme d’un document administratif',
    chapters: [
      {
        title: 'Demandée par une administration française',
        paragraphs: [
          'Une administration française ne peut plus exiger de copie certifiée conforme : une simple photocopie lisible suffit.',
        ],
      },
    ],
  },
];

const reasonsUp = ['clear', 'concise', 'reliable-sources'] as const;
const reasonsDown = ['hallucination', 'missing-sources', 'too-long', 'inconsistent', 'imprecise', 'grammar'] as const;
const personalTitle = 'Note personnelle : dossier de Mme Martin';

interface StoredQuestion {
  message: AssistantMessageRow;
  feedback: AssistantFeedbackRow | undefined;
}

/** Nearest-rank percentile, as the dashboard computes it. */
function percentile(values: readonly number[], rank: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : (sorted[Math.max(1, Math.ceil((sorted.length * rank) / 100)) - 1] ?? null);
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

function hasSources(message: AssistantMessageRow): boolean {
  return message.mode === 'extractive' || (message.mode === 'generative' && message.citations !== '[]');
}

/**
 * Albert's impact dashboard against a real database: a real question asked through `POST /api/assistant/ask`
 * (an OpenAI-compatible upstream started by the test, the service-public collection imported from fixtures),
 * then a hundred days of questions and feedback of agents of three organisations stored through the
 * conversations repository. Every figure is compared with the same figures computed here from the rows.
 */
describe('Albert impact dashboard (GET /api/admin/assistant/impact)', () => {
  let upstream: FakeUpstream;
  let directory: string;
  let environment: TestEnvironment;
  let app: BureauApp;
  let adminHeaders: Record<string, string>;
  let headHeaders: Record<string, string>;
  let agentHeaders: Record<string, string>;
  const organisations = { ministry: '', direction: '', prefecture: '' };
  const organisationNames = {
    ministry: 'Ministère de l’Intérieur',
    direction: 'Direction des titres',
    prefecture: 'Préfecture "Nord"; Lille',
  };
  const stored: StoredQuestion[] = [];
  const userIds: string[] = [];

  beforeAll(async () => {
    upstream = await startFakeOpenAiUpstream({
      name: 'onprem',
      models: [{ id: 'mistral-small', type: 'chat' }],
      deltaCharacters: 20,
      reply: (request: FakeChatRequest) => {
        const prompt = request.messages.at(-1)?.content;
        const block = (typeof prompt === 'string' ? prompt : '')
          .split('\n\n')
          .find((candidate) => /^\[\d+\]/.test(candidate) && candidate.includes('photocopie'));
        return `Une simple photocopie lisible suffit pour une administration française [${/^\[(\d+)\]/.exec(block ?? '')?.[1] ?? 0}].`;
      },
    });
    directory = await mkdtemp(join(tmpdir(), 'bureau-impact-'));
    const providersFile = join(directory, 'providers.yaml');
    await writeFile(
      providersFile,
      [
        'providers:',
        '  - id: onprem-vllm',
        '    name: vLLM du ministère',
        `    baseUrl: ${upstream.baseUrl}`,
        '    hosting: secnumcloud',
        '    clearance: sensitive',
        '    timeouts: { firstByteMs: 2000, totalMs: 10000 }',
        '    models:',
        '      - { name: albert-large, upstream: mistral-small, type: chat }',
      ].join('\n'),
    );
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_LOG_LEVEL: 'error',
      BUREAU_HOST: '127.0.0.1',
      BUREAU_AI_PROVIDERS_FILE: providersFile,
    });
    app = await buildApp({ ...environment.config, dataDir: directory }, { clock: createManualClock(now) });
    await app.listen();
    const people = app.identity.directory;
    organisations.ministry = (
      await people.createOrganisation({ name: organisationNames.ministry, domains: ['interieur.gouv.fr'] }, system)
    ).id;
    organisations.direction = (
      await people.createOrganisation(
        { name: organisationNames.direction, parentId: organisations.ministry, domains: ['titres.interieur.gouv.fr'] },
        system,
      )
    ).id;
    organisations.prefecture = (
      await people.createOrganisation({ name: organisationNames.prefecture, domains: ['nord.gouv.fr'] }, system)
    ).id;
    await people.createUser({ email: 'admin@interieur.gouv.fr', password, isInstanceAdmin: true }, system);
    const head = await people.createUser({ email: 'cheffe@interieur.gouv.fr', password }, system);
    await people.addOrganisationAdmin(organisations.ministry, head.id, system);
    const asker = await people.createUser({ email: 'agent@nord.gouv.fr', password }, system);
    adminHeaders = await signInHeaders(app, { email: 'admin@interieur.gouv.fr', password, publicUrl });
    headHeaders = await signInHeaders(app, { email: 'cheffe@interieur.gouv.fr', password, publicUrl });
    agentHeaders = await signInHeaders(app, { email: 'agent@nord.gouv.fr', password, publicUrl });

    const feed = join(directory, 'feed');
    await mkdir(feed);
    for (const fiche of fiches) await writeFile(join(feed, `${fiche.id}.xml`), servicePublicXml(fiche));
    await app.assistant.knowledge.runImport('service-public', { path: feed, actor: system });

    // One real question, answered by the model with a checked citation.
    const asked = await app.http.inject({
      method: 'POST',
      url: '/api/assistant/ask',
      headers: agentHeaders,
      payload: { question: 'Faut-il une copie certifiée conforme pour une administration ?' },
    });
    expect(asked.statusCode).toBe(200);
    const answer = asked.json<AskResponse>();
    expect(answer.mode).toBe('generative');
    const conversations = createConversationsRepository(app.platform.database);
    const askedRow = await conversations.findMessage(answer.messageId, asker.id);
    if (!askedRow) throw new Error('the asked question was not stored');
    stored.push({ message: askedRow, feedback: undefined });
    const servicePublic = answer.citations[0]?.collection;
    if (!servicePublic) throw new Error('the answer cites no source');

    const personal = (
      await app.http.inject({
        method: 'POST',
        url: '/api/assistant/collections',
        headers: agentHeaders,
        payload: { name: 'Mes dossiers', scope: 'user' },
      })
    ).json<{ id: string; slug: string; name: string }>();
    const personalCollection = { id: personal.id, slug: personal.slug, name: personal.name };

    // Agents of the three organisations, and a partner without one.
    const askers: { id: string; organisationId: string | null }[] = [
      { id: asker.id, organisationId: organisations.prefecture },
    ];
    const domains = [
      ['interieur.gouv.fr', organisations.ministry, 6],
      ['titres.interieur.gouv.fr', organisations.direction, 4],
      ['nord.gouv.fr', organisations.prefecture, 5],
    ] as const;
    for (const [domain, organisationId, count] of domains) {
      for (let index = 0; index < count; index += 1) {
        const user = await people.createUser({ email: `agent${index}@${domain}`, password }, system);
        askers.push({ id: user.id, organisationId });
      }
    }
    const partner = await people.createUser(
      { email: 'partenaire@exemple.fr', password, kind: 'external', organisationId: null },
      system,
    );
    askers.push({ id: partner.id, organisationId: null });
    userIds.push(...askers.map((entry) => entry.id), head.id);

    const sources: Citation[] = [
      ...['F1412', 'F1342', 'F21089', 'F2727', 'F34885'].map((externalId, index) => ({
        number: 1,
        sourceId: `source-${externalId}`,
        externalId,
        title: `Fiche ${externalId}`,
        url: `https://www.service-public.fr/particuliers/vosdroits/${externalId}`,
        date: null,
        quote: `Passage ${index}`,
        headings: [],
        collection: servicePublic,
      })),
    ];
    const personalSource: Citation = {
      number: 1,
      sourceId: 'source-personal',
      externalId: 'note.md',
      title: personalTitle,
      url: null,
      date: null,
      quote: 'Mme Martin',
      headings: [],
      collection: personalCollection,
    };
    const random = createSeededRandom(20261215);
    const providers = [
      { providerId: 'onprem-vllm', providerName: 'vLLM du ministère' },
      { providerId: 'albert-dinum', providerName: 'Albert API (DINUM)' },
    ];
    for (let index = 0; index < 600; index += 1) {
      const user = random.pick(askers);
      const createdAt = new Date(
        startOfToday - Math.floor(random.next() * 100) * dayMs + Math.floor(random.next() * 13 * 3_600_000),
      ).toISOString();
      const mode = random.pick(['generative', 'generative', 'generative', 'extractive', 'no-answer'] as const);
      const cited: Citation[] = [];
      if (mode !== 'no-answer') {
        const count = mode === 'extractive' ? 1 + Math.floor(random.next() * 2) : Math.floor(random.next() * 3);
        for (let citation = 0; citation < count; citation += 1) {
          cited.push({ ...random.pick(sources), number: citation + 1 });
        }
        if (random.chance(0.1)) cited.push({ ...personalSource, number: count + 1 });
      }
      const searched = [
        ...(mode === 'no-answer' ? [] : ['service-public']),
        ...(cited.some((citation) => citation.sourceId === 'source-personal') ? [personalCollection.slug] : []),
      ];
      const provider = mode === 'generative' ? random.pick(providers) : null;
      const message: AssistantMessageRow = {
        id: crypto.randomUUID(),
        conversation_id: crypto.randomUUID(),
        user_id: user.id,
        organisation_id: user.organisationId,
        question: `Question ${index}`,
        answer: `Réponse ${index}`,
        citations: JSON.stringify(cited),
        flagged_citations: JSON.stringify(
          mode === 'generative' && random.chance(0.15) ? [{ number: 9, reason: 'not-retrieved' }] : [],
        ),
        collections: JSON.stringify(searched),
        mode,
        served_by: provider
          ? JSON.stringify({
              ...provider,
              hosting: 'secnumcloud',
              operator: null,
              model: 'albert-large',
              isPseudonymised: false,
            })
          : null,
        sensitivity: random.pick(['public', 'public', 'internal', 'sensitive']),
        status: mode === 'generative' && random.chance(0.05) ? 'failed' : 'completed',
        error_code: null,
        latency_ms: 150 + Math.floor(random.next() * 9_000),
        created_at: createdAt,
      };
      await conversations.insertMessage(message);
      let feedback: AssistantFeedbackRow | undefined;
      if (random.chance(0.4)) {
        const rating = random.chance(0.7) ? 'up' : 'down';
        const tags = (rating === 'up' ? reasonsUp : reasonsDown).filter(() => random.chance(0.35));
        const at = new Date(Date.parse(createdAt) + 60_000 + index).toISOString();
        feedback = {
          message_id: message.id,
          user_id: user.id,
          rating,
          reasons: JSON.stringify(tags),
          comment: random.chance(0.3) ? `Commentaire ${index}; « utile » ?` : random.chance(0.2) ? '' : null,
          created_at: at,
          updated_at: at,
        };
        await conversations.upsertFeedback(feedback);
      }
      stored.push({ message, feedback });
    }
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
    await upstream.close();
    await rm(directory, { recursive: true, force: true });
  });

  const getImpact = (query: string, headers = adminHeaders) =>
    app.http.inject({ method: 'GET', url: `/api/admin/assistant/impact${query}`, headers });

  /** The questions of the last `days` UTC days (today's included), of the organisations given. */
  function within(days: number, organisationIds?: readonly (string | null)[]): StoredQuestion[] {
    const since = startOfToday - (days - 1) * dayMs;
    return stored.filter(
      ({ message }) =>
        Date.parse(message.created_at) >= since &&
        (organisationIds === undefined || organisationIds.includes(message.organisation_id)),
    );
  }

  /** The report's figures, computed from the stored rows. */
  function expectedFigures(questions: StoredQuestion[]) {
    const rated = questions.flatMap((question) => (question.feedback ? [question.feedback] : []));
    const up = rated.filter((feedback) => feedback.rating === 'up').length;
    const count = (predicate: (message: AssistantMessageRow) => boolean) =>
      questions.filter(({ message }) => predicate(message)).length;
    const reasons = new Map<string, number>();
    for (const feedback of rated) {
      for (const reason of JSON.parse(feedback.reasons) as string[])
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    return {
      questions: questions.length,
      activeUsers: new Set(questions.map(({ message }) => message.user_id)).size,
      modes: {
        generative: count((message) => message.mode === 'generative'),
        extractive: count((message) => message.mode === 'extractive'),
        noAnswer: count((message) => message.mode === 'no-answer'),
      },
      answeredWithSources: { count: count(hasSources), rate: rate(count(hasSources), questions.length) },
      noAnswerRate: rate(
        count((message) => message.mode === 'no-answer'),
        questions.length,
      ),
      failed: count((message) => message.status === 'failed'),
      failedRate: rate(
        count((message) => message.status === 'failed'),
        questions.length,
      ),
      flaggedCitations: count((message) => message.flagged_citations !== '[]'),
      feedback: {
        rated: rated.length,
        ratedRate: rate(rated.length, questions.length),
        up,
        down: rated.length - up,
        upRate: rate(up, rated.length),
        reasons: [...reasonsUp, ...reasonsDown].map((reason) => ({
          reason,
          polarity: (reasonsUp as readonly string[]).includes(reason) ? 'positive' : 'negative',
          count: reasons.get(reason) ?? 0,
        })),
      },
      latency: {
        p50Ms: percentile(
          questions.map(({ message }) => message.latency_ms),
          50,
        ),
        p95Ms: percentile(
          questions.map(({ message }) => message.latency_ms),
          95,
        ),
      },
    };
  }

  it('gives instance administrators every figure of the last 30 days, as the questions and feedback were stored', async () => {
    const response = await getImpact('?days=30');
    expect(response.statusCode).toBe(200);
    const report = response.json<ImpactReport>();
    const questions = within(30);
    expect(questions.length).toBeGreaterThan(150);
    expect(report).toMatchObject({
      period: { days: 30, from: '2026-11-16', to: '2026-12-15' },
      organisationId: null,
      ...expectedFigures(questions),
    });
    expect(report.questionsPerDay).toHaveLength(30);
    expect(report.questionsPerDay.reduce((sum, day) => sum + day.questions, 0)).toBe(questions.length);
    const today = questions.filter(({ message }) => message.created_at.startsWith('2026-12-15'));
    expect(report.questionsPerDay.at(-1)).toEqual({
      day: '2026-12-15',
      questions: today.length,
      activeUsers: new Set(today.map(({ message }) => message.user_id)).size,
    });

    const perOrganisation = (organisationId: string | null, name: string | null) => {
      const own = questions.filter(({ message }) => message.organisation_id === organisationId);
      const rated = own.filter((question) => question.feedback);
      return {
        organisationId,
        organisationName: name,
        questions: own.length,
        activeUsers: new Set(own.map(({ message }) => message.user_id)).size,
        rated: rated.length,
        upRate: rate(rated.filter((question) => question.feedback?.rating === 'up').length, rated.length),
      };
    };
    expect(report.byOrganisation).toEqual(
      expect.arrayContaining([
        perOrganisation(organisations.ministry, organisationNames.ministry),
        perOrganisation(organisations.direction, organisationNames.direction),
        perOrganisation(organisations.prefecture, organisationNames.prefecture),
        perOrganisation(null, null),
      ]),
    );
    expect(report.byOrganisation).toHaveLength(4);

    const bySensitivity = new Map<string, number>();
    for (const { message } of questions)
      bySensitivity.set(message.sensitivity, (bySensitivity.get(message.sensitivity) ?? 0) + 1);
    expect(report.bySensitivity).toEqual(
      expect.arrayContaining([...bySensitivity].map(([sensitivity, count]) => ({ sensitivity, questions: count }))),
    );
    expect(report.bySensitivity).toHaveLength(bySensitivity.size);
    const served = (providerId: string | null) =>
      questions.filter(
        ({ message }) =>
          (message.served_by === null ? null : (JSON.parse(message.served_by) as { providerId: string }).providerId) ===
          providerId,
      ).length;
    expect(report.byProvider).toEqual(
      expect.arrayContaining([
        { providerId: 'onprem-vllm', providerName: 'vLLM du ministère', questions: served('onprem-vllm') },
        { providerId: 'albert-dinum', providerName: 'Albert API (DINUM)', questions: served('albert-dinum') },
        { providerId: null, providerName: null, questions: served(null) },
      ]),
    );
  });

  it('counts only the last 7 days when asked, every day of the period listed in order, empty days included', async () => {
    const report = (await getImpact('?days=7')).json<ImpactReport>();
    const questions = within(7);
    expect(report).toMatchObject({
      period: { days: 7, from: '2026-12-09', to: '2026-12-15' },
      ...expectedFigures(questions),
    });
    expect(report.questionsPerDay.map((day) => day.day)).toEqual([
      '2026-12-09',
      '2026-12-10',
      '2026-12-11',
      '2026-12-12',
      '2026-12-13',
      '2026-12-14',
      '2026-12-15',
    ]);
    const ninety = (await getImpact('?days=90')).json<ImpactReport>();
    expect(ninety.questions).toBe(within(90).length);
    expect(ninety.questions).toBeLessThan(stored.length);
  });

  it('names the sources cited most with their links, and never the titles of an agent’s personal documents', async () => {
    const report = (await getImpact('?days=90')).json<ImpactReport>();
    const questions = within(90);
    const answersCiting = new Map<string, number>();
    for (const { message } of questions) {
      const cited = new Set((JSON.parse(message.citations) as Citation[]).map((citation) => citation.sourceId));
      for (const sourceId of cited) answersCiting.set(sourceId, (answersCiting.get(sourceId) ?? 0) + 1);
    }
    const top = report.topSources[0];
    expect(top?.answers).toBe(
      Math.max(...[...answersCiting].filter(([id]) => id !== 'source-personal').map(([, n]) => n)),
    );
    expect(top?.collectionName).toBe('Service-public.fr — Vos droits et démarches');
    expect(top?.url).toMatch(/^https:\/\/www\.service-public\.fr\//);
    for (const source of report.topSources) expect(source.answers).toBe(answersCiting.get(source.sourceId));
    // The real question's citation (F1412 of the imported collection) is counted with the others.
    expect(report.topSources.map((source) => source.title)).toContain(
      'Copie certifiée conforme d’un document administratif',
    );
    expect(JSON.stringify(report)).not.toContain(personalTitle);
    expect(JSON.stringify(report)).not.toContain('Mes dossiers');
    const personalSearches = questions.filter(({ message }) => message.collections.includes('"user-')).length;
    expect(personalSearches).toBeGreaterThan(0);
    expect(report.topCollections).toEqual(
      expect.arrayContaining([
        { slug: null, name: null, isPersonal: true, questions: personalSearches },
        {
          slug: 'service-public',
          name: 'Service-public.fr — Vos droits et démarches',
          isPersonal: false,
          questions: questions.filter(({ message }) => message.collections.includes('"service-public"')).length,
        },
      ]),
    );
  });

  it('shows the ten latest comments, newest first, without saying who wrote them', async () => {
    const report = (await getImpact('?days=90')).json<ImpactReport>();
    const expected = within(90)
      .flatMap(({ feedback }) => (feedback?.comment ? [feedback] : []))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
      .slice(0, 10);
    expect(report.feedback.latestComments).toEqual(
      expected.map((feedback) => ({
        at: feedback.updated_at,
        rating: feedback.rating,
        reasons: JSON.parse(feedback.reasons) as string[],
        comment: feedback.comment,
      })),
    );
    const body = JSON.stringify(report);
    for (const userId of userIds) expect(body).not.toContain(userId);
    expect(body).not.toContain('@');
  });

  it('lets an organisation administrator see their organisation and its sub-units, and no other', async () => {
    const own = [organisations.ministry, organisations.direction];
    const report = (await getImpact('?days=30', headHeaders)).json<ImpactReport>();
    expect(report).toMatchObject(expectedFigures(within(30, own)));
    expect(report.byOrganisation.map((row) => row.organisationId).sort()).toEqual([...own].sort());

    const direction = await getImpact(`?days=30&organisationId=${organisations.direction}`, headHeaders);
    expect(direction.json()).toMatchObject(expectedFigures(within(30, [organisations.direction])));

    const other = await getImpact(`?days=30&organisationId=${organisations.prefecture}`, headHeaders);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ error: { code: 'IDENTITY_FORBIDDEN' } });
  });

  it('lets instance administrators narrow the figures to an organisation and its sub-units', async () => {
    const report = (await getImpact(`?days=90&organisationId=${organisations.ministry}`)).json<ImpactReport>();
    expect(report).toMatchObject({
      organisationId: organisations.ministry,
      ...expectedFigures(within(90, [organisations.ministry, organisations.direction])),
    });
  });

  it('refuses agents who administer nothing, and visitors who are not signed in', async () => {
    const agent = await getImpact('?days=30', agentHeaders);
    expect(agent.statusCode).toBe(403);
    expect(agent.json()).toMatchObject({ error: { code: 'IDENTITY_FORBIDDEN' } });
    const csv = await app.http.inject({ url: '/api/admin/assistant/impact.csv?days=30', headers: agentHeaders });
    expect(csv.statusCode).toBe(403);
    const anonymous = await app.http.inject({ url: '/api/admin/assistant/impact?days=30' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'IDENTITY_NOT_AUTHENTICATED' } });
  });

  it('rejects a period other than 7, 30 or 90 days, and an organisation that is not an id', async () => {
    for (const query of ['?days=14', '?days=trente', `?days=30&organisationId=ministere`]) {
      const response = await getImpact(query);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'AI_REQUEST_INVALID' } });
    }
    expect((await getImpact('')).json<ImpactReport>().period.days).toBe(30);
  });

  it('exports one row per day and organisation as a semicolon-separated CSV that French Excel opens', async () => {
    const response = await app.http.inject({
      url: '/api/admin/assistant/impact.csv?days=30',
      headers: { ...adminHeaders, 'accept-language': 'fr-FR' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="albert-impact-2026-11-16-2026-12-15.csv"',
    );
    expect(response.body.startsWith('\uFEFF')).toBe(true);
    const lines = response.body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Jour (UTC);Organisation;Questions;Utilisateurs actifs;Réponses avec sources;Sans réponse;Avis positifs;Avis négatifs;Durée médiane (ms)',
    );
    const questions = within(30);
    const groups = new Map<string, StoredQuestion[]>();
    for (const question of questions) {
      const key = `${question.message.created_at.slice(0, 10)} ${question.message.organisation_id ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), question]);
    }
    expect(lines).toHaveLength(1 + groups.size);
    const prefectureRows = lines.filter((line) => line.includes(';"Préfecture ""Nord""; Lille";'));
    expect(prefectureRows.length).toBeGreaterThan(0);
    const [day = ''] = prefectureRows[0]?.split(';') ?? [];
    const group = groups.get(`${day} ${organisations.prefecture}`) ?? [];
    expect(prefectureRows[0]).toBe(
      [
        day,
        '"Préfecture ""Nord""; Lille"',
        group.length,
        new Set(group.map(({ message }) => message.user_id)).size,
        group.filter(({ message }) => hasSources(message)).length,
        group.filter(({ message }) => message.mode === 'no-answer').length,
        group.filter(({ feedback }) => feedback?.rating === 'up').length,
        group.filter(({ feedback }) => feedback?.rating === 'down').length,
        percentile(
          group.map(({ message }) => message.latency_ms),
          50,
        ),
      ].join(';'),
    );
    expect(lines.some((line) => line.includes(';Sans organisation;'))).toBe(true);

    const english = await app.http.inject({
      url: `/api/admin/assistant/impact.csv?days=7&lang=en&organisationId=${organisations.ministry}`,
      headers: headHeaders,
    });
    expect(english.body.slice(1).split('\r\n')[0]).toMatch(/^Day \(UTC\);Organisation;Questions;Active users;/);
    expect(english.body).not.toContain('Préfecture');
  });
});
