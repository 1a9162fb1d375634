import { Readable } from 'node:stream';
import { apiErrorSchema } from '@bureau/contracts';
import { z } from 'zod';
import type { BlobStore } from '../../platform/blobs/index.ts';
import { defineErrors } from '../../platform/errors.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { FastifyRequest } from 'fastify';
import type { OrganisationRow } from './directory.repository.ts';
import type { DirectoryService } from './directory.service.ts';
import { identityErrors } from './identity.errors.ts';
import { actorOf, requireAuthentication } from './identity.http.ts';

export const profileErrors = defineErrors({
  IDENTITY_AVATAR_INVALID: {
    kind: 'unsupported_media_type',
    fr: 'La photo doit être une image PNG, JPEG ou WebP.',
    en: 'The picture must be a PNG, JPEG or WebP image.',
  },
  IDENTITY_AVATAR_NOT_FOUND: { kind: 'not_found', fr: 'Pas de photo.', en: 'No picture.' },
});

const maxAvatarBytes = 2 * 1024 * 1024;
const avatarTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** The first bytes of each accepted image format: the declared type must match the content. */
function isImage(type: (typeof avatarTypes)[number], bytes: Buffer): boolean {
  if (type === 'image/png')
    return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (type === 'image/jpeg') return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
}

const directoryEntrySchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    email: z.string(),
    title: z.string().nullable(),
    organisationId: z.string().nullable(),
    hasAvatar: z.boolean(),
  })
  .meta({ id: 'DirectoryEntry' });

const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

/** The user's own profile and picture, and the directory of agents (not open to external users). */
export function registerProfileRoutes(http: HttpServer, deps: { directory: DirectoryService; blobs: BlobStore }): void {
  for (const type of avatarTypes) {
    http.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: maxAvatarBytes }, (_request, body, done) =>
      done(null, body),
    );
  }

  http.patch(
    '/api/me',
    {
      schema: {
        tags: ['identity'],
        summary: 'Changes the user’s display name, title or phone.',
        body: z
          .object({
            displayName: z.string().trim().min(1).max(200),
            title: z.string().trim().max(200).nullable(),
            phone: z
              .string()
              .trim()
              .regex(/^\+?[0-9 .()-]{6,30}$/, 'numéro de téléphone invalide')
              .nullable(),
          })
          .partial(),
        response: { 200: directoryEntrySchema, ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuthentication(request);
      const updated = await deps.directory.updateProfile(user.id, request.body, actorOf(request));
      return {
        id: updated.id,
        displayName: updated.display_name,
        email: updated.email,
        title: updated.title,
        organisationId: updated.organisation_id,
        hasAvatar: updated.avatar_blob_key !== null,
      };
    },
  );

  http.put(
    '/api/me/avatar',
    {
      schema: {
        tags: ['identity'],
        summary: 'Sets the user’s picture (PNG, JPEG or WebP, at most 2 MiB).',
        response: { 204: z.null(), ...errors, 413: apiErrorSchema, 415: apiErrorSchema },
      },
    },
    async (request, reply) => {
      const { user } = requireAuthentication(request);
      const type = avatarTypes.find((candidate) => request.headers['content-type']?.startsWith(candidate));
      const body = request.body;
      if (!type || !Buffer.isBuffer(body) || !isImage(type, body))
        throw profileErrors.create('IDENTITY_AVATAR_INVALID');
      const stored = await deps.blobs.put(Readable.from([body]), { contentType: type, maxBytes: maxAvatarBytes });
      await deps.directory.updateProfile(user.id, { avatarBlobKey: stored.key }, actorOf(request));
      if (user.avatar_blob_key) await deps.blobs.delete(user.avatar_blob_key);
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/users/:id/avatar',
    {
      schema: {
        tags: ['identity'],
        summary: 'A user’s picture (for signed-in users).',
        params: z.object({ id: z.uuid() }),
      },
    },
    async (request, reply) => {
      requireAuthentication(request);
      const user = await deps.directory.getUser(request.params.id);
      if (!user.avatar_blob_key) throw profileErrors.create('IDENTITY_AVATAR_NOT_FOUND');
      const { info, body } = await deps.blobs.get(user.avatar_blob_key);
      return reply
        .type(info.contentType)
        .header('cache-control', 'private, max-age=300')
        .header('etag', `"${info.sha256}"`)
        .send(body);
    },
  );

  http.get(
    '/api/directory/users',
    {
      schema: {
        tags: ['identity'],
        summary: 'Searches the directory of agents (agents only; external users cannot browse it).',
        querystring: z.object({
          search: z.string().trim().max(100).optional(),
          /** Only the people of this organisation unit (not of the units below). */
          organisationId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.uuid().optional(),
        }),
        response: {
          200: z.object({ items: z.array(directoryEntrySchema), nextCursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireAgent(request);
      const { search, limit, cursor, organisationId } = request.query;
      const rows = await deps.directory.listUsers({
        limit: limit + 1,
        kinds: ['agent', 'external'],
        activeOnly: true,
        ...(organisationId === undefined ? {} : { organisationIds: [organisationId] }),
        ...(search === undefined ? {} : { search }),
        ...(cursor === undefined ? {} : { before: cursor }),
      });
      const items = rows.slice(0, limit).map((row) => ({
        id: row.id,
        displayName: row.display_name,
        email: row.email,
        title: row.title,
        organisationId: row.organisation_id,
        hasAvatar: row.avatar_blob_key !== null,
      }));
      return { items, nextCursor: rows.length > limit ? (rows[limit - 1]?.id ?? null) : null };
    },
  );

  http.get(
    '/api/directory/users/:id',
    {
      schema: {
        tags: ['identity'],
        summary: "A person's directory card: who they are, their organisation and groups (agents, or oneself).",
        params: z.object({ id: z.uuid() }),
        response: { 200: personSchema, ...errors },
      },
    },
    async (request) => {
      const { user: caller } = requireAuthentication(request);
      if (caller.kind !== 'agent' && caller.id !== request.params.id) {
        throw identityErrors.create('IDENTITY_FORBIDDEN');
      }
      const person = await deps.directory.getUser(request.params.id);
      if (person.kind === 'service' || (person.status !== 'active' && caller.id !== person.id)) {
        throw identityErrors.create('IDENTITY_USER_NOT_FOUND', { userId: person.id });
      }
      const [organisation, groupIds] = await Promise.all([
        person.organisation_id === null ? undefined : deps.directory.getOrganisation(person.organisation_id),
        deps.directory.groupIdsOf(person.id),
      ]);
      const groups = await Promise.all(groupIds.map((groupId) => deps.directory.getGroup(groupId)));
      return {
        id: person.id,
        displayName: person.display_name,
        email: person.email,
        title: person.title,
        phone: person.phone,
        kind: person.kind === 'external' ? ('external' as const) : ('agent' as const),
        organisation: organisation ? { id: organisation.id, name: organisation.name } : null,
        hasAvatar: person.avatar_blob_key !== null,
        groups: groups
          .map((group) => ({ id: group.id, name: group.name }))
          .sort((a, b) => a.name.localeCompare(b.name, 'fr')),
      };
    },
  );

  http.get(
    '/api/directory/organisations',
    {
      schema: {
        tags: ['identity'],
        summary: 'The organisation tree, as agents browse it.',
        response: { 200: z.object({ items: z.array(directoryOrganisationSchema) }), ...errors },
      },
    },
    async (request) => {
      requireAgent(request);
      return { items: (await deps.directory.listOrganisations()).map(presentDirectoryOrganisation) };
    },
  );

  http.get(
    '/api/directory/organisations/:id',
    {
      schema: {
        tags: ['identity'],
        summary: 'An organisation unit with the units above and below it (agents).',
        params: z.object({ id: z.uuid() }),
        response: {
          200: directoryOrganisationSchema.extend({
            domains: z.array(z.string()),
            path: z.array(z.object({ id: z.string(), name: z.string() })),
            children: z.array(directoryOrganisationSchema),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireAgent(request);
      const organisation = await deps.directory.getOrganisation(request.params.id);
      const all = await deps.directory.listOrganisations();
      const byId = new Map(all.map((row) => [row.id, row]));
      const path: Array<{ id: string; name: string }> = [];
      for (let parent = organisation.parent_id; parent !== null && path.length < 64;) {
        const row = byId.get(parent);
        if (!row) break;
        path.unshift({ id: row.id, name: row.name });
        parent = row.parent_id;
      }
      const domains = await deps.directory.domainsOf([organisation.id]);
      return {
        ...presentDirectoryOrganisation(organisation),
        domains: domains.map((row) => row.domain),
        path,
        children: all.filter((row) => row.parent_id === organisation.id).map(presentDirectoryOrganisation),
      };
    },
  );
}

const personSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    email: z.string(),
    title: z.string().nullable(),
    phone: z.string().nullable(),
    kind: z.enum(['agent', 'external']),
    organisation: z.object({ id: z.string(), name: z.string() }).nullable(),
    hasAvatar: z.boolean(),
    groups: z.array(z.object({ id: z.string(), name: z.string() })),
  })
  .meta({ id: 'DirectoryPerson' });

const directoryOrganisationSchema = z
  .object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), siret: z.string().nullable() })
  .meta({ id: 'DirectoryOrganisation' });

function presentDirectoryOrganisation(row: OrganisationRow) {
  return { id: row.id, parentId: row.parent_id, name: row.name, siret: row.siret };
}

/** Agents browse the directory; external users and services cannot. */
function requireAgent(request: FastifyRequest) {
  const authentication = requireAuthentication(request);
  if (authentication.user.kind !== 'agent') throw identityErrors.create('IDENTITY_FORBIDDEN');
  return authentication;
}
