import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineExampleDocumentTypes } from '../../testing/authz-fixtures.ts';
import { createTestEnvironment, testDialect, type TestEnvironment } from '../../testing/test-database.ts';
import { silentAuditLog } from '../../testing/silent-audit-log.ts';
import { createAuthzService, type AuthzService, type ResourceRef } from '../authz/index.ts';
import type { Subject } from '../authz/subject.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner, portableColumnTypes } from '../db/migrations.ts';
import { AppError } from '../errors.ts';
import { createInProcessEventBus, type EventBus } from '../events.ts';
import { createIdGenerator, type IdGenerator } from '../ids.ts';
import { platformSearchPrefixesMigration } from '../migrations/202612011100_platform_search_prefixes.ts';
import { platformMigrations } from '../migrations/index.ts';
import { createSearchService, type SearchDocument, type SearchResult, type SearchService } from './search.service.ts';

declare module '../events.ts' {
  interface EventMap {
    /** Only in this test: a note of an imaginary module, saved or deleted. */
    'searchtest.note.changed': { noteId: string; deleted: boolean };
  }
}

const silentAudit = silentAuditLog;

async function expectSearchError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).kind).toBe('invalid');
}

const titles = (result: SearchResult) => result.items.map((item) => item.title);

describe('Search', () => {
  let environment: TestEnvironment;
  let database: Database;
  let clock: ManualClock;
  let newId: IdGenerator;
  let authz: AuthzService;
  let events: EventBus;
  let sut: SearchService;
  let space: ResourceRef;
  let folder: ResourceRef;
  /** Reads the whole space. */
  let agent: Subject;
  const system = { system: true } as const;

  function buildAgent(overrides: Partial<Subject> = {}): Subject {
    return { userId: newId(), kind: 'agent', groupIds: [], organisationPath: [newId()], ...overrides };
  }

  function buildExternal(): Subject {
    return { userId: newId(), kind: 'external', groupIds: [], organisationPath: [] };
  }

  /** A document of the space's folder, registered with authz, and its search document. */
  async function buildDocument(title: string, text = '', overrides: Partial<SearchDocument> = {}) {
    const resource = { type: 'docs.document', id: newId() };
    await authz.registerResource({ ...resource, parent: folder });
    const document: SearchDocument = {
      type: 'docs.document',
      id: resource.id,
      title,
      text,
      resource,
      url: `/documents/${resource.id}`,
      updatedAt: clock.now(),
      ...overrides,
    };
    return { resource, document };
  }

  async function indexDocument(title: string, text = '', overrides: Partial<SearchDocument> = {}) {
    const built = await buildDocument(title, text, overrides);
    await sut.index(built.document);
    return built;
  }

  async function grantReader(resource: ResourceRef, subject: Subject) {
    await authz.grant(
      { resource, principal: { kind: 'user', id: subject.userId ?? '' }, role: 'reader' },
      { actor: system },
    );
  }

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    clock = createManualClock('2026-12-01T08:00:00.000Z');
    newId = createIdGenerator(clock);
    const logger = pino({ level: 'silent' });
    authz = createAuthzService({ database, clock, newId, audit: silentAudit });
    defineExampleDocumentTypes(authz);
    events = createInProcessEventBus({ logger, now: () => clock.now() });
    sut = createSearchService({ database, clock, authz, logger, events });
    sut.defineType({ type: 'docs.document', resourceType: 'docs.document' });
    sut.defineType({ type: 'docs.folder', resourceType: 'docs.folder' });
    space = { type: 'docs.space', id: newId() };
    folder = { type: 'docs.folder', id: newId() };
    await authz.registerResource(space);
    await authz.registerResource({ ...folder, parent: space });
    agent = buildAgent();
    await grantReader(space, agent);
  });

  afterEach(async () => {
    await events.drain();
    await environment.destroy();
  });

  describe('French analysis', () => {
    it('finds words whatever their accents, both ways', async () => {
      await indexDocument('Liste des élèves de seconde');
      await indexDocument('Conseil de classe', 'Les eleves delegues sont invites.');

      expect(titles(await sut.search(agent, { q: 'eleves ' }))).toEqual(
        expect.arrayContaining(['Liste des élèves de seconde', 'Conseil de classe']),
      );
      expect((await sut.search(agent, { q: 'ÉLÈVE ' })).items).toHaveLength(2);
      expect(titles(await sut.search(agent, { q: 'délégués ' }))).toEqual(['Conseil de classe']);
    });

    it("finds a word written with an elision (l'administration) by the word alone, and the other way round", async () => {
      await indexDocument("Rapport sur l'administration territoriale");
      await indexDocument('Administration centrale');

      expect((await sut.search(agent, { q: 'administration ' })).items).toHaveLength(2);
      expect((await sut.search(agent, { q: "l'administration territoriale" })).items).toHaveLength(1);
    });

    it('finds plural and singular, noun and adjective forms of a word (light stemming)', async () => {
      await indexDocument('Déclaration des impôts sur le revenu');
      await indexDocument('Mes déclarations', "L'impôt a été payé.");
      await indexDocument('Procédures administratives');
      await indexDocument('Agent administratif');

      expect((await sut.search(agent, { q: 'impôt ' })).items).toHaveLength(2);
      expect((await sut.search(agent, { q: 'impots ' })).items).toHaveLength(2);
      expect((await sut.search(agent, { q: 'déclarations ' })).items).toHaveLength(2);
      expect((await sut.search(agent, { q: 'declaration ' })).items).toHaveLength(2);
      expect(titles(await sut.search(agent, { q: 'administratif ' })).sort()).toEqual([
        'Agent administratif',
        'Procédures administratives',
      ]);
    });

    it('takes the last word being typed as a prefix, and a word followed by * anywhere', async () => {
      await indexDocument('Déclaration de revenus');
      await indexDocument('Décret du 3 mai');
      await indexDocument('Rapport budgétaire', 'Le budget de la direction.');

      expect(titles(await sut.search(agent, { q: 'déclar' }))).toEqual(['Déclaration de revenus']);
      expect(titles(await sut.search(agent, { q: 'décl' }))).toEqual(['Déclaration de revenus']);
      expect((await sut.search(agent, { q: 'déc' })).items).toHaveLength(2);
      expect(titles(await sut.search(agent, { q: 'budg* direction ' }))).toEqual(['Rapport budgétaire']);
      // A complete word is not a prefix: "décr " is a word of its own.
      expect(titles(await sut.search(agent, { q: 'décr' }))).toEqual(['Décret du 3 mai']);
      expect((await sut.search(agent, { q: 'décr ' })).items).toHaveLength(0);
    });

    it('takes the word being typed as a prefix from three letters only', async () => {
      await indexDocument('Budget primitif');
      await indexDocument('Note', 'Un bu de plus.');

      expect(titles(await sut.search(agent, { q: 'bu' }))).toEqual(['Note']);
      expect(titles(await sut.search(agent, { q: 'bud' }))).toEqual(['Budget primitif']);
      expect((await sut.search(agent, { q: 'bu* ' })).items).toHaveLength(2);
    });

    it('requires every word, in the title or in the text', async () => {
      await indexDocument('Budget 2026', 'Voté par le conseil municipal.');
      await indexDocument('Budget 2025', 'Voté en commission.');

      expect(titles(await sut.search(agent, { q: 'budget conseil ' }))).toEqual(['Budget 2026']);
      expect(titles(await sut.search(agent, { q: 'budget 2025 ' }))).toEqual(['Budget 2025']);
    });
  });

  describe('results', () => {
    it('ranks a document whose title matches before one where only the text does', async () => {
      await indexDocument('Compte rendu', 'Il a été question du télétravail, du télétravail et encore du télétravail.');
      await indexDocument('Charte du télétravail', 'Les règles communes.');

      expect(titles(await sut.search(agent, { q: 'télétravail ' }))).toEqual(['Charte du télétravail', 'Compte rendu']);
    });

    it('returns highlighted snippets as segments, and each hit as the module described it', async () => {
      const { document } = await indexDocument(
        'Note de service',
        "Rappel : la déclaration d'impôt doit être déposée avant le 31 mai.",
        { label: 'sensitive' },
      );

      const [hit] = (await sut.search(agent, { q: 'impots declar' })).items;
      expect(hit).toEqual({
        type: 'docs.document',
        id: document.id,
        title: 'Note de service',
        url: document.url,
        updatedAt: '2026-12-01T08:00:00.000Z',
        label: 'sensitive',
        snippet: [
          { text: 'Rappel : la ', match: false },
          { text: 'déclaration', match: true },
          { text: " d'", match: false },
          { text: 'impôt', match: true },
          { text: ' doit être déposée avant le 31 mai.', match: false },
        ],
      });
    });

    it('counts hits by type in facets, and filters the page by type without changing the facets', async () => {
      await indexDocument('Budget du rectorat');
      await indexDocument('Budget des lycées');
      await sut.index({
        type: 'docs.folder',
        id: folder.id,
        title: 'Budget',
        resource: folder,
        url: `/dossiers/${folder.id}`,
        updatedAt: clock.now(),
      });

      const all = await sut.search(agent, { q: 'budget ' });
      expect(all.facets).toEqual([
        { type: 'docs.document', count: 2, isLowerBound: false },
        { type: 'docs.folder', count: 1, isLowerBound: false },
      ]);
      expect(all.items).toHaveLength(3);

      const folders = await sut.search(agent, { q: 'budget ', types: ['docs.folder'] });
      expect(folders.items.map((item) => item.type)).toEqual(['docs.folder']);
      expect(folders.facets).toEqual(all.facets);
    });

    it('pages by cursor until the last result', async () => {
      for (let index = 0; index < 7; index += 1) await indexDocument(`Arrêté numéro ${index}`);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await sut.search(agent, { q: 'arrêté ', limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(7);
    });
    it('ranks at most maxResults hits, those whose title matches first, then the most recent; facets count all', async () => {
      const sutWithFewResults = createSearchService({
        database,
        clock,
        authz,
        logger: pino({ level: 'silent' }),
        maxResults: 3,
      });
      sutWithFewResults.defineType({ type: 'docs.document', resourceType: 'docs.document' });
      const at = (date: string) => ({ updatedAt: new Date(date) });
      await indexDocument('Rapport', 'Le budget.', at('2020-01-01'));
      await indexDocument('Budget ancien', 'Sans rapport.', at('2019-01-01'));
      await indexDocument('Note', 'Budget, budget et budget.', at('2026-11-01'));
      await indexDocument('Compte rendu', 'Le budget voté.', at('2026-10-01'));
      await indexDocument('Autre', 'Un budget.', at('2021-01-01'));

      const first = await sutWithFewResults.search(agent, { q: 'budget ', limit: 2 });
      expect(first.facets).toEqual([{ type: 'docs.document', count: 5, isLowerBound: false }]);
      const second = await sutWithFewResults.search(agent, { q: 'budget ', limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.nextCursor).toBeNull();
      expect([...titles(first), ...titles(second)].sort()).toEqual(['Budget ancien', 'Compte rendu', 'Note']);
      expect(titles(first)[0]).toBe('Budget ancien');
    });
  });

  describe('permissions', () => {
    it('never shows a title the subject may not read, nor counts it in facets', async () => {
      const stranger = buildAgent();
      const { resource } = await indexDocument('Plan social confidentiel');
      await indexDocument('Plan de formation');
      const otherSpace = { type: 'docs.space', id: newId() };
      await authz.registerResource(otherSpace);
      const secret = { type: 'docs.document', id: newId() };
      await authz.registerResource({ ...secret, parent: otherSpace });
      await sut.index({
        type: 'docs.document',
        id: secret.id,
        title: 'Plan de restructuration',
        resource: secret,
        url: '/documents/secret',
        updatedAt: clock.now(),
      });

      expect(titles(await sut.search(agent, { q: 'plan ' })).sort()).toEqual([
        'Plan de formation',
        'Plan social confidentiel',
      ]);
      expect(await sut.search(stranger, { q: 'plan ' })).toEqual({ items: [], facets: [], nextCursor: null });

      await grantReader(resource, stranger);
      const granted = await sut.search(stranger, { q: 'plan ' });
      expect(titles(granted)).toEqual(['Plan social confidentiel']);
      expect(granted.facets).toEqual([{ type: 'docs.document', count: 1, isLowerBound: false }]);
    });

    it('shows external users only what is shared with them, never what their organisation or all agents may read', async () => {
      const partner = buildExternal();
      const unit = newId();
      const colleague = buildAgent({ organisationPath: [unit] });
      const { resource: shared } = await indexDocument('Convention de partenariat');
      await indexDocument('Convention interne');
      await authz.grant({ resource: space, principal: { kind: 'all_agents' }, role: 'reader' }, { actor: system });
      await authz.grant(
        { resource: space, principal: { kind: 'organisation', id: unit }, role: 'reader' },
        { actor: system },
      );

      expect((await sut.search(colleague, { q: 'convention ' })).items).toHaveLength(2);
      expect((await sut.search(partner, { q: 'convention ' })).items).toHaveLength(0);
      await grantReader(shared, partner);
      expect(titles(await sut.search(partner, { q: 'convention ' }))).toEqual(['Convention de partenariat']);
    });

    it('fills every page with readable results, the best first, however many unreadable ones rank above them', async () => {
      const reader = buildAgent();
      const readable: string[] = [];
      for (let index = 0; index < 24; index += 1) {
        // Unreadable ones mention the word more often, so they rank above the readable ones.
        const isReadable = index % 3 === 0;
        const text = isReadable ? 'circulaire' : 'circulaire circulaire circulaire';
        const { resource } = await indexDocument(`Circulaire ${index}`, text);
        if (isReadable) {
          await grantReader(resource, reader);
          readable.push(resource.id);
        }
      }

      const first = await sut.search(reader, { q: 'circulaire ', limit: 5 });
      expect(first.items).toHaveLength(5);
      expect(first.facets).toEqual([{ type: 'docs.document', count: 8, isLowerBound: false }]);
      const second = await sut.search(reader, { q: 'circulaire ', limit: 5, cursor: first.nextCursor ?? '' });
      expect(second.items).toHaveLength(3);
      expect(second.nextCursor).toBeNull();
      expect([...first.items, ...second.items].map((item) => item.id).sort()).toEqual(readable.sort());
    });

    it('finds the same hits from the readable documents as from the index, when both are under their bounds', async () => {
      const reader = buildAgent();
      for (let index = 0; index < 12; index += 1) {
        const { resource } = await indexDocument(`Arrêté ${index}`, index % 2 === 0 ? 'Un arrêté.' : 'Arrêté, arrêté.');
        if (index % 3 !== 0) await grantReader(resource, reader);
      }
      // Every plan: permittedMax 0, from the index's hits; narrowHits 0 (and readableFirst 0), from the
      // readable documents after probing the index (PostgreSQL); readableFirst 0 alone, from the index's
      // hits of a narrow query; by default (a subject who reads little), from the readable documents.
      const logger = pino({ level: 'silent' });
      const services = [
        { narrowHits: 0 },
        { narrowHits: 0, readableFirst: 0 },
        { readableFirst: 0 },
        { permittedMax: 0 },
      ].map((options) => {
        const service = createSearchService({ database, clock, authz, logger, ...options });
        service.defineType({ type: 'docs.document', resourceType: 'docs.document' });
        service.defineType({ type: 'docs.folder', resourceType: 'docs.folder' });
        return service;
      });

      for (const subject of [reader, agent]) {
        const expected = await sut.search(subject, { q: 'arrêté ', limit: 50 });
        for (const service of services)
          expect(await service.search(subject, { q: 'arrêté ', limit: 50 })).toEqual(expected);
      }
      for (const service of [sut, ...services]) {
        expect((await service.search(reader, { q: 'arrêté ' })).facets).toEqual([
          { type: 'docs.document', count: 8, isLowerBound: false },
        ]);
      }
    });

    it('lets several types share a resource type, each found and counted by every plan', async () => {
      const reader = buildAgent();
      const logger = pino({ level: 'silent' });
      // By default, from the readable documents; then after probing the index; from its narrow hits; from
      // its hits (a subject who reads many resources; or few resources with many documents, PostgreSQL).
      const services = [
        {},
        { narrowHits: 0, readableFirst: 0 },
        { readableFirst: 0 },
        { permittedMax: 0 },
        { permittedMax: 5, narrowHits: 0, readableFirst: 0 },
      ].map((options) => {
        const service = createSearchService({ database, clock, authz, logger, ...options });
        // A document's comments are read by whoever reads the document.
        service.defineType({ type: 'docs.document', resourceType: 'docs.document' });
        service.defineType({ type: 'docs.comment', resourceType: 'docs.document' });
        service.defineType({ type: 'docs.folder', resourceType: 'docs.folder' });
        return service;
      });
      const [indexer] = services;
      const ids: string[] = [];
      for (let index = 0; index < 4; index += 1) {
        const { resource, document } = await buildDocument(`Circulaire ${index}`, 'Une circulaire.');
        const comments = [1, 2].map((number) => ({
          ...document,
          type: 'docs.comment',
          id: newId(),
          title: `Remarque ${number}`,
          text: 'Sur la circulaire.',
          url: `/documents/${resource.id}#${number}`,
        }));
        await indexer?.indexMany([document, ...comments]);
        if (index % 2 === 0) {
          await grantReader(resource, reader);
          ids.push(document.id, ...comments.map((comment) => comment.id));
        }
      }

      for (const service of services) {
        const result = await service.search(reader, { q: 'circulaire ', limit: 50 });
        expect(result.items.map((item) => item.id).sort()).toEqual([...ids].sort());
        expect(result.facets).toEqual([
          { type: 'docs.comment', count: 4, isLowerBound: false },
          { type: 'docs.document', count: 2, isLowerBound: false },
        ]);
      }
    });

    it('counts up to hitsMax permitted hits for a subject who reads much, flagged as a lower bound, never an unreadable one', async () => {
      const bounded = createSearchService({
        database,
        clock,
        authz,
        logger: pino({ level: 'silent' }),
        permittedMax: 2,
        narrowHits: 0,
        hitsMax: 4,
        maxResults: 4,
      });
      bounded.defineType({ type: 'docs.document', resourceType: 'docs.document' });
      const reader = buildAgent();
      const readable: string[] = [];
      for (let index = 0; index < 12; index += 1) {
        const { resource } = await indexDocument(`Circulaire ${index}`, 'Une circulaire.');
        if (index % 2 === 0) {
          await grantReader(resource, reader);
          readable.push(resource.id);
        }
      }

      const first = await bounded.search(reader, { q: 'circulaire ', limit: 3 });
      expect(first.facets).toEqual([{ type: 'docs.document', count: 4, isLowerBound: true }]);
      expect(first.items).toHaveLength(3);
      const second = await bounded.search(reader, { q: 'circulaire ', limit: 3, cursor: first.nextCursor ?? '' });
      expect(second.items).toHaveLength(1);
      for (const item of [...first.items, ...second.items]) expect(readable).toContain(item.id);
      // Under the bound, counts are exact.
      const few = await bounded.search(reader, { q: 'circulaire 10 ' });
      expect(few.facets).toEqual([{ type: 'docs.document', count: 1, isLowerBound: false }]);
      // A subject who reads few documents gets every hit counted, exactly.
      const partner = buildExternal();
      await grantReader({ type: 'docs.document', id: readable[0] ?? '' }, partner);
      expect((await bounded.search(partner, { q: 'circulaire ' })).facets).toEqual([
        { type: 'docs.document', count: 1, isLowerBound: false },
      ]);
    });

    it('stops showing a document as soon as the grant is revoked', async () => {
      const reader = buildAgent();
      const { resource } = await indexDocument('Organigramme');
      const grant = await authz.grant(
        { resource, principal: { kind: 'user', id: reader.userId ?? '' }, role: 'reader' },
        { actor: system },
      );
      expect((await sut.search(reader, { q: 'organigramme ' })).items).toHaveLength(1);
      await authz.revoke(grant.id, { actor: system });
      expect((await sut.search(reader, { q: 'organigramme ' })).items).toHaveLength(0);
    });
  });

  describe('index updates', () => {
    it('shows updates and removals at once, and an upsert of the same document twice counts once', async () => {
      const { document } = await indexDocument('Ordre du jour');
      await sut.index({ ...document, title: 'Ordre du jour modifié' });
      await sut.index({ ...document, title: 'Ordre du jour modifié' });
      expect(titles(await sut.search(agent, { q: 'ordre ' }))).toEqual(['Ordre du jour modifié']);
      expect((await sut.search(agent, { q: 'modifié ' })).facets).toEqual([
        { type: 'docs.document', count: 1, isLowerBound: false },
      ]);

      await sut.index({ ...document, title: 'Agenda' });
      expect((await sut.search(agent, { q: 'ordre ' })).items).toHaveLength(0);

      expect(await sut.remove('docs.document', document.id)).toBe(true);
      expect((await sut.search(agent, { q: 'agenda ' })).items).toHaveLength(0);
      expect(await sut.remove('docs.document', document.id)).toBe(false);
    });

    it('removes every document of a resource at once', async () => {
      sut.defineType({ type: 'docs.comment', resourceType: 'docs.document' });
      const { resource } = await indexDocument('Projet de loi');
      await sut.indexMany(
        [1, 2].map((index) => ({
          type: 'docs.comment',
          id: `comment-${index}`,
          title: `Commentaire ${index} sur le projet`,
          resource,
          url: `/documents/${resource.id}#comment-${index}`,
          updatedAt: clock.now(),
        })),
      );
      expect((await sut.search(agent, { q: 'projet ' })).facets).toEqual([
        { type: 'docs.comment', count: 2, isLowerBound: false },
        { type: 'docs.document', count: 1, isLowerBound: false },
      ]);

      expect(await sut.removeByResource(resource)).toBe(3);
      expect((await sut.search(agent, { q: 'projet ' })).items).toHaveLength(0);
    });

    it('writes in the caller transaction: nothing is indexed when it rolls back', async () => {
      const { document } = await buildDocument('Brouillon secret');
      await expect(
        database.transaction(async (context) => {
          await sut.index(document, { context });
          expect((await sut.search(agent, { q: 'brouillon ' }, { context })).items).toHaveLength(1);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await sut.search(agent, { q: 'brouillon ' })).items).toHaveLength(0);

      await database.transaction((context) => sut.index(document, { context }));
      expect((await sut.search(agent, { q: 'brouillon ' })).items).toHaveLength(1);
    });

    it('follows events after their transaction commits, and ignores those of a rolled-back one', async () => {
      const notes = new Map<string, SearchDocument>();
      const noteOf = (noteId: string): SearchDocument => {
        const note = notes.get(noteId);
        if (!note) throw new Error('unknown note');
        return note;
      };
      sut.follow('searchtest.note.changed', ({ noteId, deleted }) =>
        deleted ? { remove: [{ type: 'docs.document', id: noteId }] } : { index: [noteOf(noteId)] },
      );
      const publish = (noteId: string, options: { deleted?: boolean; rollBack?: boolean } = {}) =>
        database.transaction((context) => {
          events.publish(context, 'searchtest.note.changed', { noteId, deleted: options.deleted === true });
          return options.rollBack ? Promise.reject(new Error('rolled back')) : Promise.resolve();
        });
      const kept = await buildDocument('Note gardée');
      const dropped = await buildDocument('Note annulée');
      notes.set(kept.resource.id, kept.document);
      notes.set(dropped.resource.id, dropped.document);

      await publish(kept.resource.id);
      await expect(publish(dropped.resource.id, { rollBack: true })).rejects.toThrow('rolled back');
      await events.drain();
      expect(titles(await sut.search(agent, { q: 'note ' }))).toEqual(['Note gardée']);

      await publish(kept.resource.id, { deleted: true });
      await events.drain();
      expect((await sut.search(agent, { q: 'note ' })).items).toHaveLength(0);
    });

    it('rebuilds a type from the module data, removing what the module no longer has', async () => {
      const { document: gone } = await indexDocument('Ancienne procédure');
      const kept = await buildDocument('Procédure actuelle');
      const added = await buildDocument('Nouvelle procédure');
      await sut.index({ ...kept.document, title: 'Procédure périmée' });
      const progress: number[] = [];

      async function* moduleDocuments() {
        yield await Promise.resolve(kept.document);
        yield added.document;
      }
      const result = await sut.reindex('docs.document', moduleDocuments(), {
        batchSize: 1,
        onProgress: ({ indexed }) => progress.push(indexed),
      });

      expect(result).toEqual({ indexed: 2, removed: 1 });
      expect(progress).toEqual([1, 2]);
      expect(titles(await sut.search(agent, { q: 'procédure ' })).sort()).toEqual([
        'Nouvelle procédure',
        'Procédure actuelle',
      ]);
      expect(await sut.remove('docs.document', gone.id)).toBe(false);
    });

    it.runIf(testDialect() === 'postgres')(
      'gives the documents indexed before the prefix entries the same entries (migration), found the same',
      async () => {
        await indexDocument('Présentation du projet', 'Les prestations proposées au président.');
        await indexDocument('Pré-rapport', 'Un préalable.');
        const terms = () =>
          sql<{ terms: string }>`select terms::text as terms from platform_search_documents order by seq`
            .execute(database.executor)
            .then(({ rows }) => rows.map((row) => row.terms));
        const written = await terms();
        expect(written[0]).toContain("'~pres'");
        const found = titles(await sut.search(agent, { q: 'pres' }));
        // `pres` being typed: its stem `pre` as a word, or a word starting with `pres`.
        expect([...found].sort()).toEqual(['Pré-rapport', 'Présentation du projet']);

        // As before migration 202612011100 (no prefix entries), then the migration, twice.
        await sql`
          update platform_search_documents
          set terms = ts_delete(terms, array(select term from unnest(tsvector_to_array(terms)) as term where term like '~%'))
        `.execute(database.executor);
        expect(titles(await sut.search(agent, { q: 'pres' }))).toEqual(['Pré-rapport']);
        for (let run = 0; run < 2; run += 1) {
          await platformSearchPrefixesMigration.up(database.executor as Kysely<unknown>, {
            dialect: database.dialect,
            types: portableColumnTypes(database.dialect),
          });
          expect(await terms()).toEqual(written);
        }
        expect(titles(await sut.search(agent, { q: 'pres' }))).toEqual(found);
      },
    );

    it('refuses a document that does not fit its type (programmer errors)', async () => {
      const { document } = await buildDocument('Mauvais document');
      await expect(sut.index({ ...document, type: 'docs.page' })).rejects.toThrow(/Unknown search type/);
      await expect(sut.index({ ...document, resource: folder })).rejects.toThrow(/resource must be a docs.document/);
      await expect(sut.index({ ...document, url: 'https://ailleurs.example' })).rejects.toThrow(/url/);
      expect(() => sut.defineType({ type: 'docs.document', resourceType: 'docs.document' })).toThrow(/already/);
    });
  });

  describe('bad queries', () => {
    it('refuses them with stable codes', async () => {
      await expectSearchError(sut.search(agent, { q: '   ' }), 'SEARCH_QUERY_EMPTY');
      await expectSearchError(sut.search(agent, { q: 'le la les ' }), 'SEARCH_QUERY_EMPTY');
      await expectSearchError(sut.search(agent, { q: 'a'.repeat(201) }), 'SEARCH_QUERY_TOO_LONG');
      await expectSearchError(sut.search(agent, { q: 'budget', types: ['docs.page'] }), 'SEARCH_TYPE_UNKNOWN');
      await expectSearchError(sut.search(agent, { q: 'budget', limit: 51 }), 'SEARCH_LIMIT_INVALID');
      await expectSearchError(sut.search(agent, { q: 'budget', limit: 1.5 }), 'SEARCH_LIMIT_INVALID');
      await expectSearchError(sut.search(agent, { q: 'budget', cursor: 'not-a-cursor' }), 'SEARCH_CURSOR_INVALID');
    });

    it('treats quotes, operators and punctuation as plain text', async () => {
      await indexDocument('Budget "2026" (révisé)');
      for (const q of ['"budget', 'budget OR', 'NEAR(budget)', "budget' & !", 'budget:* | x', 'bud*get', '-budget']) {
        await expect(sut.search(agent, { q })).resolves.toBeDefined();
      }
      expect((await sut.search(agent, { q: '"budget" (révisé)' })).items).toHaveLength(1);
    });
  });
});
