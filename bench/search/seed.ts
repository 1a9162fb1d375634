/**
 * The data of the search benchmark: the permission model (as bench/authz: spaces, folders, documents,
 * plus chat rooms and the directory), 2,000 agents and 100 external users, and 100,000 search items of
 * five types with French text (corpus.ts), all from a seeded random source; and the queries people type.
 */
import { performance } from 'node:perf_hooks';
import { silentAuditLog } from '../../apps/server/src/testing/silent-audit-log.ts';
import type {
  AuthzService,
  GrantInput,
  RegisterResourceInput,
  ResourceRef,
} from '../../apps/server/src/platform/authz/index.ts';
import type { Subject } from '../../apps/server/src/platform/authz/subject.ts';
import { systemClock } from '../../apps/server/src/platform/clock.ts';
import type { Database } from '../../apps/server/src/platform/db/database.ts';
import { createIdGenerator } from '../../apps/server/src/platform/ids.ts';
import type { SearchDocument, SearchService } from '../../apps/server/src/platform/search/index.ts';
import { defineExampleDocumentTypes } from '../../apps/server/src/testing/authz-fixtures.ts';
import { createSeededRandom } from '../../apps/server/src/testing/seeded-random.ts';
import { commonWords, createCorpus, generalVocabulary, topics } from './corpus.ts';

export interface SeedOptions {
  /** 1 for 100,000 items; smaller for a quick run. */
  readonly scale: number;
}

const foldersPerSpace = 5;
const subfoldersPerFolder = 2;
const documentsPerSubfolder = 60;
const agentCount = 2000;
const externalCount = 100;
const groupCount = 200;
const partnerGroupCount = 20;

export const silentAudit = silentAuditLog;

export interface Seeded {
  readonly agents: Subject[];
  readonly externals: Subject[];
  readonly itemCount: number;
  readonly grantCount: number;
  readonly authzSeconds: number;
  readonly indexSeconds: number;
}

export function defineTypes(authz: AuthzService, search: SearchService): void {
  defineExampleDocumentTypes(authz);
  authz.defineResourceType({ type: 'chat.room', roles: ['member', 'moderator'], actions: { read: 'member' } });
  authz.defineResourceType({ type: 'bench.directory', roles: ['reader'], actions: { read: 'reader' } });
  search.defineType({ type: 'docs.space', resourceType: 'docs.space' });
  search.defineType({ type: 'docs.folder', resourceType: 'docs.folder' });
  search.defineType({ type: 'docs.document', resourceType: 'docs.document' });
  search.defineType({ type: 'chat.message', resourceType: 'chat.room' });
  search.defineType({ type: 'identity.user', resourceType: 'bench.directory' });
}

export async function seed(
  authz: AuthzService,
  search: SearchService,
  database: Database,
  { scale }: SeedOptions,
): Promise<Seeded> {
  const spaceCount = Math.max(1, Math.round(100 * scale));
  const roomCount = Math.max(1, Math.round(400 * scale));
  const messageCount = Math.round(36_300 * scale);
  const random = createSeededRandom(20261130);
  const corpus = createCorpus(random, generalVocabulary(createSeededRandom(1)));
  const newId = createIdGenerator(systemClock);
  const actor = { system: true };
  const topicNames = Object.keys(topics);
  const started = performance.now();

  const root = newId();
  const directions = Array.from({ length: 10 }, () => newId());
  const units = directions.flatMap((direction) => Array.from({ length: 5 }, () => ({ id: newId(), direction })));
  const groups = Array.from({ length: groupCount }, () => newId());
  const partnerGroups = Array.from({ length: partnerGroupCount }, () => newId());
  const agents: Subject[] = Array.from({ length: agentCount }, () => {
    const unit = random.pick(units);
    const groupIds = [...new Set(Array.from({ length: Math.floor(random.next() * 4) }, () => random.pick(groups)))];
    return { userId: newId(), kind: 'agent', groupIds, organisationPath: [unit.id, unit.direction, root] };
  });
  const externals: Subject[] = Array.from({ length: externalCount }, () => ({
    userId: newId(),
    kind: 'external',
    groupIds: [random.pick(partnerGroups)],
    organisationPath: [],
  }));
  const userOf = (subjects: readonly Subject[]) => random.pick(subjects).userId ?? '';

  // The permission model: the same shape as bench/authz, plus chat rooms and the directory.
  const spaces: Array<ResourceRef & { topic: string }> = [];
  const folders: Array<ResourceRef & { topic: string; parent: ResourceRef }> = [];
  const documents: Array<ResourceRef & { topic: string }> = [];
  const rooms: Array<ResourceRef & { topic: string; name: string }> = [];
  const directory = { type: 'bench.directory', id: newId() };
  const resources: RegisterResourceInput[] = [directory];
  const grants: GrantInput[] = [{ resource: directory, principal: { kind: 'all_agents' }, role: 'reader' }];
  const membersOf = new Map<string, string[]>();
  for (const agent of agents) {
    for (const groupId of agent.groupIds)
      membersOf.set(groupId, [...(membersOf.get(groupId) ?? []), agent.userId ?? '']);
  }
  for (let space = 0; space < spaceCount; space += 1) {
    const topic = random.pick(topicNames);
    const spaceRef = { type: 'docs.space', id: newId() };
    spaces.push({ ...spaceRef, topic });
    resources.push({ ...spaceRef, organisationId: random.pick(units).id, defaultLabel: 'internal' });
    const editors = random.pick(groups);
    grants.push(
      { resource: spaceRef, principal: { kind: 'user', id: userOf(agents) }, role: 'owner' },
      { resource: spaceRef, principal: { kind: 'group', id: editors }, role: 'editor' },
      { resource: spaceRef, principal: { kind: 'group', id: random.pick(groups) }, role: 'reader' },
    );
    if (random.chance(0.4)) {
      const unit = random.pick(units);
      const id = random.chance(0.5) ? unit.id : unit.direction;
      grants.push({ resource: spaceRef, principal: { kind: 'organisation', id }, role: 'reader' });
    }
    if (random.chance(0.1)) grants.push({ resource: spaceRef, principal: { kind: 'all_agents' }, role: 'reader' });
    if (random.chance(0.1)) {
      grants.push({
        resource: spaceRef,
        principal: { kind: 'group', id: random.pick(partnerGroups) },
        role: 'commenter',
      });
    }
    for (let folder = 0; folder < foldersPerSpace; folder += 1) {
      const folderRef = { type: 'docs.folder', id: newId() };
      folders.push({ ...folderRef, topic, parent: spaceRef });
      resources.push({ ...folderRef, parent: spaceRef });
      for (let subfolder = 0; subfolder < subfoldersPerFolder; subfolder += 1) {
        const subfolderRef = { type: 'docs.folder', id: newId() };
        folders.push({ ...subfolderRef, topic, parent: folderRef });
        resources.push({ ...subfolderRef, parent: folderRef });
        if (random.chance(0.2)) {
          grants.push({ resource: subfolderRef, principal: { kind: 'user', id: userOf(agents) }, role: 'editor' });
        }
        for (let document = 0; document < documentsPerSubfolder; document += 1) {
          const documentRef = { type: 'docs.document', id: newId() };
          documents.push({ ...documentRef, topic });
          resources.push({ ...documentRef, parent: subfolderRef });
          const authors = membersOf.get(editors) ?? [];
          const author = authors.length > 0 ? random.pick(authors) : userOf(agents);
          grants.push({ resource: documentRef, principal: { kind: 'user', id: author }, role: 'owner' });
          const draw = random.next();
          if (draw < 0.03) {
            grants.push({ resource: documentRef, principal: { kind: 'user', id: userOf(agents) }, role: 'editor' });
          } else if (draw < 0.035) {
            const principal = { kind: 'user', id: userOf(externals) } as const;
            grants.push({ resource: documentRef, principal, role: 'commenter' });
          }
        }
      }
    }
  }
  for (let room = 0; room < roomCount; room += 1) {
    const topic = random.pick(topicNames);
    const roomRef = { type: 'chat.room', id: newId() };
    rooms.push({ ...roomRef, topic, name: `Salon ${corpus.title(topic).toLowerCase()}` });
    resources.push(roomRef);
    const draw = random.next();
    const principal =
      draw < 0.6
        ? ({ kind: 'group', id: random.pick(groups) } as const)
        : draw < 0.8
          ? ({ kind: 'organisation', id: random.pick(units).id } as const)
          : draw < 0.9
            ? ({ kind: 'all_agents' } as const)
            : ({ kind: 'group', id: random.pick(partnerGroups) } as const);
    grants.push({ resource: roomRef, principal, role: 'member' });
  }
  await database.transaction(async (context) => {
    await authz.registerResources(resources, { context });
    await authz.grantMany(grants, { actor, context });
  });
  const authzSeconds = (performance.now() - started) / 1000;

  // The search index, in batches as a module's reindex would write it.
  const indexStarted = performance.now();
  const start = Date.parse('2025-01-01T00:00:00Z');
  const updatedAt = () => new Date(start + Math.floor(random.next() * 700 * 86_400_000));
  let itemCount = 0;
  let batch: SearchDocument[] = [];
  const add = async (document: SearchDocument) => {
    batch.push(document);
    if (batch.length >= 2000) await flush();
  };
  const flush = async () => {
    await search.indexMany(batch);
    itemCount += batch.length;
    batch = [];
  };
  for (const space of spaces) {
    const title = `Espace ${corpus.title(space.topic).toLowerCase()}`;
    await add({
      type: 'docs.space',
      id: space.id,
      title,
      resource: space,
      url: `/espaces/${space.id}`,
      updatedAt: updatedAt(),
    });
  }
  for (const folder of folders) {
    await add({
      type: 'docs.folder',
      id: folder.id,
      title: corpus.title(folder.topic),
      resource: { type: folder.type, id: folder.id },
      url: `/dossiers/${folder.id}`,
      updatedAt: updatedAt(),
    });
  }
  for (const document of documents) {
    // Three documents in four are on the space's topic.
    const topic = random.chance(0.75) ? document.topic : random.pick(topicNames);
    await add({
      type: 'docs.document',
      id: document.id,
      title: corpus.title(topic),
      text: corpus.text(topic, 60 + Math.floor(random.next() * 140)),
      resource: { type: document.type, id: document.id },
      label: random.chance(0.1) ? 'sensitive' : null,
      url: `/documents/${document.id}`,
      updatedAt: updatedAt(),
    });
  }
  for (let message = 0; message < messageCount; message += 1) {
    const room = random.pick(rooms);
    const id = newId();
    await add({
      type: 'chat.message',
      id,
      title: room.name,
      text: corpus.text(room.topic, 8 + Math.floor(random.next() * 32)),
      resource: { type: room.type, id: room.id },
      url: `/discussions/${room.id}#${id}`,
      updatedAt: updatedAt(),
    });
  }
  const people = [...agents, ...externals];
  for (const person of people) {
    const topic = random.pick(topicNames);
    await add({
      type: 'identity.user',
      id: person.userId ?? '',
      title: corpus.title(topic).split(' ').slice(0, 2).join(' '),
      text: `Chargé de mission ${corpus.title(topic).toLowerCase()}`,
      resource: directory,
      url: `/annuaire/${person.userId ?? ''}`,
      updatedAt: updatedAt(),
    });
  }
  await flush();
  return {
    agents,
    externals,
    itemCount,
    grantCount: grants.length,
    authzSeconds,
    indexSeconds: (performance.now() - indexStarted) / 1000,
  };
}

/** What people type, by kind of query. */
export function buildQueries(): Record<string, readonly string[]> {
  const topicWords = Object.values(topics);
  const vocabulary = generalVocabulary(createSeededRandom(1));
  return {
    // In a quarter to a tenth of the documents.
    'common word': commonWords.slice(0, 12).map((word) => `${word} `),
    // In a few dozen documents.
    'rare word': [
      ...Array.from({ length: 30 }, (_, index) => `${vocabulary[4000 + index * 300] ?? ''} `),
      ...Array.from({ length: 10 }, (_, index) => `n°${(index * 487) % 10_000} `),
    ],
    // The last word still being typed (matched as a word and as a prefix).
    'prefix being typed': [
      ...topicWords.map((words) => (words[1] ?? '').slice(0, 4)),
      ...topicWords.map((words) => (words[5] ?? '').slice(0, 5)),
      ...commonWords.slice(0, 10).map((word) => word.slice(0, 3)),
      ...['financ', 'déclar', 'organis', 'numéri', 'contrôl'],
    ],
    'several words': topicWords.flatMap((words) => [
      `${words[0] ?? ''} ${words[3] ?? ''} `,
      `${words[2] ?? ''} ${commonWords[4] ?? ''} ${words[8] ?? ''} `,
      `${commonWords[0] ?? ''} ${words[1] ?? ''} ${words[6] ?? ''}`,
    ]),
  };
}
