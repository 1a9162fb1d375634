import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AskResponse, Conversation } from '@bureau/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { captureLogs } from '../../testing/capture-logs.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { servicePublicXml, type FicheFixture } from './testing/knowledge-fixtures.ts';
import { startFakeOpenAiUpstream, type FakeChatRequest, type FakeUpstream } from './testing/fake-openai-upstream.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };

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
  {
    id: 'F1342',
    type: 'Fiche pratique',
    title: 'Carte d’identité d’un majeur',
    chapters: [
      {
        title: 'Coût',
        paragraphs: ['La carte d’identité est gratuite, sauf en cas de perte ou de vol : timbre fiscal de 25 €.'],
      },
    ],
  },
];

interface StreamedEvent {
  event: string;
  data: unknown;
}

/**
 * Albert answering agents end to end: Bureau listening, an OpenAI-compatible upstream started by the test
 * (its replies scripted per test), the public service-public collection imported from fixtures in the
 * official format, and agents signed in with sessions.
 */
describe('Albert answers (POST /api/assistant/ask)', () => {
  let upstream: FakeUpstream;
  let directory: string;
  let environment: TestEnvironment;
  let app: BureauApp;
  let address: string;
  let agentHeaders: Record<string, string>;
  let otherHeaders: Record<string, string>;
  let nextReply: (request: FakeChatRequest) => string;
  let otherUserId: string;
  let adminHeaders: Record<string, string>;
  const logs = captureLogs();

  beforeAll(async () => {
    upstream = await startFakeOpenAiUpstream({
      name: 'onprem',
      models: [{ id: 'mistral-small', type: 'chat' }],
      deltaCharacters: 3,
      reply: (request) => nextReply(request),
    });
    directory = await mkdtemp(join(tmpdir(), 'bureau-answers-'));
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
    app = await buildApp({ ...environment.config, dataDir: directory }, { logDestination: logs.stream });
    address = await app.listen();
    const identity = app.identity.directory;
    await identity.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await identity.createOrganisation({ name: 'Préfecture', domains: ['pref.gouv.fr'] }, system);
    await identity.createUser({ email: 'agent@min.gouv.fr', password, displayName: 'Agent Test' }, system);
    otherUserId = (
      await identity.createUser({ email: 'autre@pref.gouv.fr', password, displayName: 'Autre Agent' }, system)
    ).id;
    await identity.createUser(
      { email: 'admin@min.gouv.fr', password, displayName: 'Admin', isInstanceAdmin: true },
      system,
    );
    adminHeaders = await signInHeaders(app, { email: 'admin@min.gouv.fr', password, publicUrl });
    agentHeaders = await signInHeaders(app, { email: 'agent@min.gouv.fr', password, publicUrl });
    otherHeaders = await signInHeaders(app, { email: 'autre@pref.gouv.fr', password, publicUrl });
    const feed = join(directory, 'feed');
    await mkdir(feed);
    for (const fiche of fiches) await writeFile(join(feed, `${fiche.id}.xml`), servicePublicXml(fiche));
    await app.assistant.knowledge.runImport('service-public', { path: feed, actor: system });
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
    await upstream.close();
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(() => {
    upstream.reset();
    nextReply = () => 'Je ne sais pas.';
  });

  const ask = async (body: Record<string, unknown>, headers = agentHeaders) =>
    app.http.inject({ method: 'POST', url: '/api/assistant/ask', headers, payload: body });

  it('answers with the citations that hold, and removes and flags the others', async () => {
    nextReply = (request) => {
      const photocopy = numberOf(request, 'photocopie');
      return (
        `Une simple photocopie lisible suffit pour une administration française [${photocopy}]. ` +
        `Le délai de traitement est de trois semaines en mairie [${photocopy}]. Le faux est puni de dix ans de prison [7].`
      );
    };
    const response = await ask({ question: 'Faut-il une copie certifiée conforme pour une administration ?' });
    expect(response.statusCode).toBe(200);
    const body = response.json<AskResponse>();
    expect(body.mode).toBe('generative');
    const photocopy = body.citations[0]?.number;
    expect(body.answer).toContain(`suffit pour une administration française [${photocopy}].`);
    expect(body.answer).toContain('trois semaines en mairie.');
    expect(body.answer).not.toContain('[7]');
    expect(body.flaggedCitations).toEqual([
      { number: photocopy, reason: 'not-grounded' },
      { number: 7, reason: 'not-retrieved' },
    ]);
    expect(body.citations).toHaveLength(1);
    expect(body.citations[0]).toMatchObject({
      externalId: 'F1412',
      title: 'Copie certifiée conforme d’un document administratif',
      url: 'https://www.service-public.fr/particuliers/vosdroits/F1412',
      collection: { slug: 'service-public' },
    });
    expect(body.citations[0]?.quote).toContain('simple photocopie lisible');
    expect(body.provider).toMatchObject({ providerId: 'onprem-vllm', hosting: 'secnumcloud', model: 'albert-large' });
    expect(body.sensitivity).toBe('public');
    // The model was given the numbered sources and the question.
    const prompt = JSON.stringify((upstream.requests[0]?.body as FakeChatRequest).messages);
    expect(prompt).toContain(`[${photocopy}] Copie certifiée conforme d’un document administratif`);
    expect(prompt).toContain('Question : Faut-il une copie certifiée conforme');
  });

  it('streams the answer as server-sent events: deltas, then citations, then done', async () => {
    nextReply = (request) =>
      `La carte d’identité est gratuite, sauf perte ou vol (timbre de 25 €) [${numberOf(request, 'timbre')}][9].`;
    const response = await fetch(`${address}/api/assistant/ask`, {
      method: 'POST',
      headers: { ...agentHeaders, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ question: 'La carte d’identité est-elle gratuite ?' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseEvents(await response.text());
    const deltas = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text);
    expect(deltas.length).toBeGreaterThan(3);
    // The marker naming no source never reached the client, not even cut between two deltas.
    expect(deltas.join('')).not.toContain('[9]');
    expect(events.at(-2)).toMatchObject({
      event: 'citations',
      data: { flaggedCitations: [{ number: 9, reason: 'not-retrieved' }] },
    });
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    const final = done?.data as AskResponse;
    expect(final.citations[0]?.externalId).toBe('F1342');
    expect(final.answer).toBe(
      `La carte d’identité est gratuite, sauf perte ou vol (timbre de 25 €) [${final.citations[0]?.number}].`,
    );
  });

  it('stops the work when the reader leaves, streamed or not, and does not report it as an error', async () => {
    const until = async (condition: () => boolean) => {
      for (let attempt = 0; attempt < 200 && !condition(); attempt++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(condition()).toBe(true);
    };
    for (const accept of ['text/event-stream', 'application/json']) {
      // The model takes its time: the reader presses « Arrêter » (or closes the page) meanwhile.
      upstream.setBehaviour({ kind: 'hang', times: 1 });
      const reader = new AbortController();
      const answered = fetch(`${address}/api/assistant/ask`, {
        method: 'POST',
        headers: { ...agentHeaders, 'content-type': 'application/json', accept },
        body: JSON.stringify({ question: 'La carte d’identité est-elle gratuite ?' }),
        signal: reader.signal,
      }).then((response) => response.text());
      await until(() => upstream.inFlight === 1);
      reader.abort();
      await expect(answered).rejects.toThrow();
      // Bureau gives up on the model as soon as the reader is gone.
      await until(() => upstream.inFlight === 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs.lines().filter((line) => line['level'] === 'error' || line['level'] === 'fatal')).toEqual([]);
  });

  it('says it does not know, and where to look, when nothing relevant is found', async () => {
    const body = (await ask({ question: 'Quelle est la recette du couscous aux merguez ?' })).json<AskResponse>();
    expect(body.mode).toBe('no-answer');
    expect(body.answer).toMatch(/^Je ne sais pas/);
    expect(body.answer).toContain('service-public.fr');
    expect(body.citations).toEqual([]);
    expect(upstream.requests).toHaveLength(0);
  });

  it('gives the best passages, labelled as such, when no model serves the assistant', async () => {
    const provider = app.assistant.registry.get('onprem-vllm')!;
    app.assistant.registry.remove('onprem-vllm');
    try {
      const body = (await ask({ question: 'copie certifiée conforme' })).json<AskResponse>();
      expect(body.mode).toBe('extractive');
      expect(body.answer).toMatch(/^Réponse extractive \(aucun modèle de langage n’est configuré\)/);
      expect(body.answer).toContain('« Une administration française ne peut plus exiger');
      expect(body.citations[0]?.externalId).toBe('F1412');
      expect(body.provider).toBeNull();
    } finally {
      app.assistant.registry.add(provider.definition, 'file');
    }
  });

  it('lets the labels of the sources decide: a restricted collection never reaches a model cleared below it', async () => {
    const collection = (
      await app.http.inject({
        method: 'POST',
        url: '/api/assistant/collections',
        headers: agentHeaders,
        payload: { name: 'Dossiers signalés', scope: 'organisation', label: 'restricted' },
      })
    ).json<{ id: string; label: string; canEdit: boolean }>();
    expect(collection).toMatchObject({ label: 'restricted', canEdit: true });
    const upload = await app.http.inject({
      method: 'POST',
      url: `/api/assistant/collections/${collection.id}/documents?name=signalement.md`,
      headers: { ...agentHeaders, 'content-type': 'text/markdown' },
      payload: '# Signalement\n\nLe dossier zanzibar concerne un mineur suivi par l’aide sociale à l’enfance.',
    });
    expect(upload.statusCode).toBe(201);
    expect(upload.json()).toMatchObject({ status: 'ready' });

    const body = (
      await ask({ question: 'Que sait-on du dossier zanzibar ?', collections: [collection.id] })
    ).json<AskResponse>();
    expect(body.mode).toBe('extractive');
    expect(body.answer).toContain('aucun modèle n’est habilité au niveau de ces sources');
    expect(body.sensitivity).toBe('restricted');
    expect(upstream.requests).toHaveLength(0);

    // Another organisation's agent neither searches it nor learns it exists.
    const other = await ask({ question: 'dossier zanzibar', collections: [collection.id] }, otherHeaders);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ error: { code: 'AI_COLLECTION_NOT_FOUND' } });
    const defaultSearch = (await ask({ question: 'dossier zanzibar' }, otherHeaders)).json<AskResponse>();
    expect(defaultSearch.mode).toBe('no-answer');
    const listed = (
      await app.http.inject({ method: 'GET', url: '/api/assistant/collections', headers: otherHeaders })
    ).json<{ items: Array<{ id: string }> }>();
    expect(listed.items.map((item) => item.id)).not.toContain(collection.id);
  });

  it('keeps conversations: follow-up questions carry the previous turn, and the history can be renamed, rated and deleted', async () => {
    nextReply = (request) =>
      `Une simple photocopie lisible suffit pour une administration française [${numberOf(request, 'photocopie')}].`;
    const first = (await ask({ question: 'Copie certifiée conforme : est-ce obligatoire ?' })).json<AskResponse>();
    nextReply = (request) => `La carte d’identité est gratuite sauf perte ou vol [${numberOf(request, 'timbre')}].`;
    const second = (
      await ask({ question: 'Et la carte d’identité est-elle gratuite ?', conversationId: first.conversationId })
    ).json<AskResponse>();
    expect(second.conversationId).toBe(first.conversationId);
    const messages = (upstream.requests.at(-1)?.body as FakeChatRequest).messages;
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1]?.content).toBe('Copie certifiée conforme : est-ce obligatoire ?');

    const feedback = await app.http.inject({
      method: 'PUT',
      url: `/api/assistant/messages/${second.messageId}/feedback`,
      headers: agentHeaders,
      payload: {
        rating: 'down',
        reasons: ['imprecise', 'missing-sources'],
        comment: 'Il manque le cas du renouvellement.',
      },
    });
    expect(feedback.statusCode).toBe(200);
    const renamed = await app.http.inject({
      method: 'PATCH',
      url: `/api/assistant/conversations/${first.conversationId}`,
      headers: agentHeaders,
      payload: { title: 'Copies et carte d’identité' },
    });
    expect(renamed.json()).toMatchObject({ title: 'Copies et carte d’identité' });
    const list = (
      await app.http.inject({ method: 'GET', url: '/api/assistant/conversations?limit=50', headers: agentHeaders })
    ).json<{ items: Array<{ id: string; title: string }> }>();
    expect(list.items[0]).toMatchObject({ id: first.conversationId, title: 'Copies et carte d’identité' });
    const conversation = (
      await app.http.inject({
        method: 'GET',
        url: `/api/assistant/conversations/${first.conversationId}`,
        headers: agentHeaders,
      })
    ).json<Conversation>();
    expect(conversation.messages.map((message) => message.question)).toEqual([
      'Copie certifiée conforme : est-ce obligatoire ?',
      'Et la carte d’identité est-elle gratuite ?',
    ]);
    expect(conversation.messages[1]).toMatchObject({
      mode: 'generative',
      status: 'completed',
      errorCode: null,
      feedback: {
        rating: 'down',
        reasons: ['imprecise', 'missing-sources'],
        comment: 'Il manque le cas du renouvellement.',
      },
    });
    // Someone else's conversation does not exist for them.
    const foreign = await app.http.inject({
      method: 'GET',
      url: `/api/assistant/conversations/${first.conversationId}`,
      headers: otherHeaders,
    });
    expect(foreign.statusCode).toBe(404);
    const deleted = await app.http.inject({
      method: 'DELETE',
      url: `/api/assistant/conversations/${first.conversationId}`,
      headers: agentHeaders,
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await app.http.inject({
      method: 'GET',
      url: `/api/assistant/conversations/${first.conversationId}`,
      headers: agentHeaders,
    });
    expect(gone.json()).toMatchObject({ error: { code: 'AI_CONVERSATION_NOT_FOUND' } });
  });

  it('shares a collection with a colleague of another organisation, then stops sharing it', async () => {
    const collection = (
      await app.http.inject({
        method: 'POST',
        url: '/api/assistant/collections',
        headers: agentHeaders,
        payload: { name: 'Notes partagées', scope: 'user' },
      })
    ).json<{ id: string }>();
    const upload = await app.http.inject({
      method: 'POST',
      url: `/api/assistant/collections/${collection.id}/documents?name=note.txt`,
      headers: { ...agentHeaders, 'content-type': 'text/plain' },
      payload: 'La permanence du samedi matin se tient à la maison France services de Bellac.',
    });
    expect(upload.json()).toMatchObject({ status: 'ready' });
    const question = { question: 'Où se tient la permanence du samedi matin ?', collections: [collection.id] };
    expect((await ask(question, otherHeaders)).statusCode).toBe(404);
    const shared = await app.http.inject({
      method: 'POST',
      url: `/api/assistant/collections/${collection.id}/shares`,
      headers: agentHeaders,
      payload: { principal: { kind: 'user', id: otherUserId }, role: 'reader' },
    });
    expect(shared.statusCode).toBe(201);
    nextReply = (request) =>
      `La permanence du samedi matin se tient à la maison France services de Bellac [${numberOf(request, 'Bellac')}].`;
    const answered = (await ask(question, otherHeaders)).json<AskResponse>();
    expect(answered.citations[0]?.collection.id).toBe(collection.id);
    const summary = async (headers: Record<string, string>) =>
      (await app.http.inject({ method: 'GET', url: `/api/assistant/collections/${collection.id}`, headers })).json<{
        name: string;
        canEdit: boolean;
        canShare: boolean;
      }>();
    expect(await summary(agentHeaders)).toMatchObject({ name: 'Notes partagées', canEdit: true, canShare: true });
    expect(await summary(otherHeaders)).toMatchObject({ canEdit: false, canShare: false });
    // A reader may not share further, nor see who else reads it.
    const listedByReader = await app.http.inject({
      method: 'GET',
      url: `/api/assistant/collections/${collection.id}/shares`,
      headers: otherHeaders,
    });
    expect(listedByReader.statusCode).toBe(403);
    const shares = (
      await app.http.inject({
        method: 'GET',
        url: `/api/assistant/collections/${collection.id}/shares`,
        headers: agentHeaders,
      })
    ).json<{ items: Array<{ id: string; role: string; principal: { kind: string } }> }>();
    const owner = shares.items.find((item) => item.role === 'owner')!;
    const reader = shares.items.find((item) => item.role === 'reader')!;
    const removeOwner = await app.http.inject({
      method: 'DELETE',
      url: `/api/assistant/collections/${collection.id}/shares/${owner.id}`,
      headers: agentHeaders,
    });
    expect(removeOwner.json()).toMatchObject({ error: { code: 'AI_SHARE_OWNER' } });
    const removed = await app.http.inject({
      method: 'DELETE',
      url: `/api/assistant/collections/${collection.id}/shares/${reader.id}`,
      headers: agentHeaders,
    });
    expect(removed.statusCode).toBe(204);
    expect((await ask(question, otherHeaders)).statusCode).toBe(404);
  });

  it('lets instance administrators follow the imports and start one, whose failure is recorded', async () => {
    expect(
      (await app.http.inject({ method: 'GET', url: '/api/admin/assistant/imports', headers: agentHeaders })).statusCode,
    ).toBe(403);
    type ImportsList = {
      items: Array<{
        source: string;
        isRunning: boolean;
        collection: { slug: string; documentCount: number } | null;
        imports: Array<{ status: string; origin: string; processed: number; error: string | null }>;
      }>;
    };
    const list = async () =>
      (
        await app.http.inject({ method: 'GET', url: '/api/admin/assistant/imports', headers: adminHeaders })
      ).json<ImportsList>();
    const before = await list();
    expect(before.items.map((item) => item.source)).toEqual(['service-public', 'code-du-travail', 'fiches-travail']);
    expect(before.items[0]).toMatchObject({
      isRunning: false,
      collection: { slug: 'service-public', documentCount: 2 },
      imports: [{ status: 'completed', processed: 2 }],
    });
    const invalid = await app.http.inject({
      method: 'POST',
      url: '/api/admin/assistant/imports',
      headers: adminHeaders,
      payload: { source: 'wikipedia' },
    });
    expect(invalid.json()).toMatchObject({ error: { code: 'AI_REQUEST_INVALID' } });
    const started = await app.http.inject({
      method: 'POST',
      url: '/api/admin/assistant/imports',
      headers: adminHeaders,
      payload: { source: 'fiches-travail', packageSpec: '@bureau-test/absent-package@0.0.1' },
    });
    expect(started.statusCode).toBe(202);
    let latest: ImportsList['items'][number]['imports'][number] | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      latest = (await list()).items[2]?.imports[0];
      if (latest?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(latest).toMatchObject({ status: 'failed', origin: '@bureau-test/absent-package@0.0.1' });
    expect(latest?.error).toContain('@bureau-test/absent-package@0.0.1');
  });

  it('answers bad requests with clear errors', async () => {
    const empty = await ask({ question: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: { code: 'AI_REQUEST_INVALID' } });
    const tooLong = await ask({ question: 'a'.repeat(2_001) });
    expect(tooLong.statusCode).toBe(400);
    const anonymous = await app.http.inject({
      method: 'POST',
      url: '/api/assistant/ask',
      payload: { question: 'copie' },
    });
    expect(anonymous.statusCode).toBe(401);
    const unknownConversation = await ask({ question: 'copie', conversationId: crypto.randomUUID() });
    expect(unknownConversation.statusCode).toBe(404);
    const badFeedback = await app.http.inject({
      method: 'PUT',
      url: `/api/assistant/messages/${crypto.randomUUID()}/feedback`,
      headers: agentHeaders,
      payload: { rating: 'meh' },
    });
    expect(badFeedback.json()).toMatchObject({ error: { code: 'AI_REQUEST_INVALID' } });
  });
});

/** The number under which the prompt gave the passage holding `text`. */
function numberOf(request: FakeChatRequest, text: string): number {
  const prompt = request.messages.at(-1)?.content;
  const blocks = (typeof prompt === 'string' ? prompt : '').split('\n\n');
  const block = blocks.find((candidate) => /^\[\d+\]/.test(candidate) && candidate.includes(text));
  return Number(/^\[(\d+)\]/.exec(block ?? '')?.[1] ?? 0);
}

function parseEvents(text: string): StreamedEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}
