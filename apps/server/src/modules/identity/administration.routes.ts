import {
  apiErrorSchema,
  createdServiceKeySchema,
  createServiceKeyRequestSchema,
  mergeAccountsRequestSchema,
  organisationSchema,
  sensitivityLevelSchema,
  serviceKeySchema,
  userSchema,
} from '@bureau/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { Authentication } from './auth.service.ts';
import type { AccountMergeService } from './account-merge.service.ts';
import type { DirectoryService } from './directory.service.ts';
import type { OrganisationRow } from './directory.repository.ts';
import { identityErrors } from './identity.errors.ts';
import {
  actorOf,
  requireAuthentication,
  requireInstanceAdmin,
  requireScope,
  setSessionCookie,
} from './identity.http.ts';
import { presentServiceKey, presentUser } from './identity.presenter.ts';
import { maxImportRows, type OnboardingService } from './onboarding.service.ts';
import type { ServiceKeyService } from './service-keys.service.ts';

export interface AdministrationRoutesDeps {
  directory: DirectoryService;
  onboarding: OnboardingService;
  serviceKeys: ServiceKeyService;
  merges: AccountMergeService;
  publicUrl: string;
  sessionMaxAgeMs: number;
}

const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
  410: apiErrorSchema,
};
const idParams = z.object({ id: z.uuid() });
const email = z.string().trim().min(3).max(320).pipe(z.email());
const password = z.string().min(1).max(1024);

const groupSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    organisationId: z.string().nullable(),
    members: z.array(
      z.object({ userId: z.string(), email: z.string(), displayName: z.string(), role: z.enum(['member', 'manager']) }),
    ),
  })
  .meta({ id: 'Group' });

/**
 * Administration of the directory (organisations, accounts, invitations, CSV import), groups for
 * everyone, and the public pages' endpoints of invitations and password resets.
 *
 * Who may do what: instance administrators everything; organisation administrators what concerns the
 * organisations they administer and their sub-organisations; agents create groups and manage the ones
 * they manage; external users do none of this.
 */
export function registerAdministrationRoutes(http: HttpServer, deps: AdministrationRoutesDeps): void {
  const { directory, onboarding } = deps;

  function presentOrganisation(organisation: OrganisationRow, domains: readonly string[]) {
    return {
      id: organisation.id,
      parentId: organisation.parent_id,
      name: organisation.name,
      siret: organisation.siret,
      domains: [...domains],
      defaultLabel: sensitivityLevelSchema.catch('internal').parse(organisation.default_label),
    };
  }

  /** The caller, when they may administer `organisationId` (any organisation for instance administrators). */
  async function requireOrganisationAdmin(
    request: FastifyRequest,
    organisationId: string | null | undefined,
  ): Promise<Authentication> {
    const authentication = requireScope(request, 'admin');
    if (authentication.user.is_instance_admin) return authentication;
    const administered = await directory.organisationsAdministeredBy(authentication.user.id);
    if (organisationId && administered.has(organisationId)) return authentication;
    throw identityErrors.create('IDENTITY_FORBIDDEN');
  }

  function requireAgent(request: FastifyRequest): Authentication {
    const authentication = requireAuthentication(request);
    if (authentication.user.kind !== 'agent') throw identityErrors.create('IDENTITY_FORBIDDEN');
    return authentication;
  }

  async function presentGroup(groupId: string) {
    const [group, members] = await Promise.all([directory.getGroup(groupId), directory.groupMembers(groupId)]);
    return {
      id: group.id,
      name: group.name,
      description: group.description,
      organisationId: group.organisation_id,
      members: members.map((member) => ({
        userId: member.id,
        email: member.email,
        displayName: member.display_name,
        role: member.role,
      })),
    };
  }

  async function requireGroupManager(request: FastifyRequest, groupId: string): Promise<Authentication> {
    const authentication = requireAgent(request);
    await directory.getGroup(groupId);
    if (authentication.user.is_instance_admin) return authentication;
    const members = await directory.groupMembers(groupId);
    const isManager = members.some((member) => member.id === authentication.user.id && member.role === 'manager');
    if (!isManager) throw identityErrors.create('IDENTITY_FORBIDDEN');
    return authentication;
  }

  http.get(
    '/api/admin/organisations',
    {
      schema: {
        tags: ['administration'],
        summary: 'The organisation tree, with the e-mail domains of each unit.',
        response: { 200: z.object({ items: z.array(organisationSchema) }), ...errors },
      },
    },
    async (request) => {
      const { user } = requireScope(request, 'admin');
      const all = await directory.listOrganisations();
      let visible = all;
      if (!user.is_instance_admin) {
        const administered = await directory.organisationsAdministeredBy(user.id);
        if (administered.size === 0) throw identityErrors.create('IDENTITY_FORBIDDEN');
        visible = all.filter((organisation) => administered.has(organisation.id));
      }
      const domains = await directory.domainsOf(visible.map((organisation) => organisation.id));
      return {
        items: visible.map((organisation) =>
          presentOrganisation(
            organisation,
            domains.filter((domain) => domain.organisation_id === organisation.id).map((domain) => domain.domain),
          ),
        ),
      };
    },
  );

  http.post(
    '/api/admin/organisations',
    {
      schema: {
        tags: ['administration'],
        summary: 'Creates an organisation (a sub-organisation for organisation administrators).',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          parentId: z.uuid().nullable().optional(),
          siret: z
            .string()
            .regex(/^\d{14}$/, 'un SIRET a 14 chiffres')
            .nullable()
            .optional(),
          domains: z
            .array(
              z
                .string()
                .trim()
                .toLowerCase()
                .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'nom de domaine invalide'),
            )
            .max(20)
            .optional(),
          defaultLabel: sensitivityLevelSchema.optional(),
        }),
        response: { 201: organisationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const authentication = requireScope(request, 'admin');
      if (!authentication.user.is_instance_admin) await requireOrganisationAdmin(request, body.parentId);
      const organisation = await directory.createOrganisation(
        {
          name: body.name,
          parentId: body.parentId ?? null,
          siret: body.siret ?? null,
          domains: body.domains ?? [],
          ...(body.defaultLabel === undefined ? {} : { defaultLabel: body.defaultLabel }),
        },
        actorOf(request),
      );
      return reply.code(201).send(presentOrganisation(organisation, body.domains ?? []));
    },
  );

  http.patch(
    '/api/admin/organisations/:id',
    {
      schema: {
        tags: ['administration'],
        summary: 'Renames an organisation, changes its SIRET or its default sensitivity label.',
        params: idParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(200).optional(),
            siret: z
              .string()
              .regex(/^\d{14}$/, 'un SIRET a 14 chiffres')
              .nullable()
              .optional(),
            defaultLabel: sensitivityLevelSchema.optional(),
          })
          .refine((body) => Object.keys(body).length > 0, 'rien à modifier'),
        response: { 200: organisationSchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireOrganisationAdmin(request, id);
      const { name, siret, defaultLabel } = request.body;
      const organisation = await directory.updateOrganisation(
        id,
        {
          ...(name === undefined ? {} : { name }),
          ...(siret === undefined ? {} : { siret }),
          ...(defaultLabel === undefined ? {} : { defaultLabel }),
        },
        actorOf(request),
      );
      const domains = await directory.domainsOf([id]);
      return presentOrganisation(
        organisation,
        domains.map((domain) => domain.domain),
      );
    },
  );

  http.get(
    '/api/admin/organisations/:id/admins',
    {
      schema: {
        tags: ['administration'],
        summary: 'The administrators of an organisation (not those of its parents).',
        params: idParams,
        response: { 200: z.object({ items: z.array(userSchema) }), ...errors },
      },
    },
    async (request) => {
      await requireOrganisationAdmin(request, request.params.id);
      await directory.getOrganisation(request.params.id);
      return { items: (await directory.organisationAdmins(request.params.id)).map(presentUser) };
    },
  );

  http.put(
    '/api/admin/organisations/:id/admins/:userId',
    {
      schema: {
        tags: ['administration'],
        summary: 'Makes an agent an administrator of the organisation and its sub-organisations.',
        params: z.object({ id: z.uuid(), userId: z.uuid() }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await requireOrganisationAdmin(request, request.params.id);
      const user = await directory.getUser(request.params.userId);
      if (user.kind !== 'agent' || user.status !== 'active') {
        throw identityErrors.create('IDENTITY_FORBIDDEN', { reason: 'only active agents administer' });
      }
      await directory.addOrganisationAdmin(request.params.id, user.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.delete(
    '/api/admin/organisations/:id/admins/:userId',
    {
      schema: {
        tags: ['administration'],
        summary: 'Removes an organisation administrator.',
        params: z.object({ id: z.uuid(), userId: z.uuid() }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await requireOrganisationAdmin(request, request.params.id);
      await directory.removeOrganisationAdmin(request.params.id, request.params.userId, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/admin/organisations/:id/service-keys',
    {
      schema: {
        tags: ['administration'],
        summary: "The organisation's service keys for other administrations' programs (never their secrets).",
        params: idParams,
        response: { 200: z.object({ items: z.array(serviceKeySchema) }), ...errors },
      },
    },
    async (request) => {
      await requireOrganisationAdmin(request, request.params.id);
      return { items: (await deps.serviceKeys.list(request.params.id)).map(presentServiceKey) };
    },
  );

  http.post(
    '/api/admin/organisations/:id/service-keys',
    {
      schema: {
        tags: ['administration'],
        summary:
          'Creates a service key acting for the organisation (its own service account); the secret is shown once.',
        params: idParams,
        body: createServiceKeyRequestSchema,
        response: { 201: createdServiceKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const authentication = await requireOrganisationAdmin(request, request.params.id);
      const { secret, ...serviceKey } = await deps.serviceKeys.create(
        request.params.id,
        { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expiresAt ?? null },
        authentication.user,
        actorOf(request),
      );
      return reply.code(201).send({ serviceKey: presentServiceKey(serviceKey), secret });
    },
  );

  http.delete(
    '/api/admin/organisations/:id/service-keys/:keyId',
    {
      schema: {
        tags: ['administration'],
        summary: 'Revokes a service key at once and deactivates its service account.',
        params: z.object({ id: z.uuid(), keyId: z.uuid() }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await requireOrganisationAdmin(request, request.params.id);
      await deps.serviceKeys.revoke(request.params.id, request.params.keyId, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.post(
    '/api/admin/users/:id/merge',
    {
      schema: {
        tags: ['administration'],
        summary:
          'Merges a duplicate account (sourceUserId) into this one: identities, groups, roles and grants move; the duplicate is deactivated (instance administrators).',
        params: idParams,
        body: mergeAccountsRequestSchema,
        response: {
          200: z.object({
            user: userSchema,
            moved: z.object({
              identities: z.number(),
              groups: z.number(),
              administeredOrganisations: z.number(),
              grants: z.number(),
              passwordMoved: z.boolean(),
            }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireInstanceAdmin(request);
      const { target, ...moved } = await deps.merges.merge(
        request.body.sourceUserId,
        request.params.id,
        actorOf(request),
      );
      return { user: presentUser(target), moved };
    },
  );

  http.post(
    '/api/admin/users',
    {
      schema: {
        tags: ['administration'],
        summary: 'Creates an account; without a password, the person receives a link to choose one.',
        body: z.object({
          email,
          displayName: z.string().trim().min(1).max(200).optional(),
          kind: z.enum(['agent', 'external']).default('agent'),
          organisationId: z.uuid().nullable().optional(),
          title: z.string().trim().max(200).nullable().optional(),
          isInstanceAdmin: z.boolean().default(false),
        }),
        response: {
          201: userSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const authentication = await requireOrganisationAdmin(request, body.organisationId);
      if (body.isInstanceAdmin && !authentication.user.is_instance_admin) {
        throw identityErrors.create('IDENTITY_FORBIDDEN');
      }
      const user = await onboarding.createAccountWithWelcome(
        {
          email: body.email,
          kind: body.kind,
          organisationId: body.organisationId ?? null,
          isInstanceAdmin: body.isInstanceAdmin,
          ...(body.displayName === undefined ? {} : { displayName: body.displayName }),
          title: body.title ?? null,
        },
        actorOf(request),
      );
      return reply.code(201).send(presentUser(user));
    },
  );

  http.post(
    '/api/admin/users/import',
    {
      schema: {
        tags: ['administration'],
        summary: `Imports accounts from CSV (all or nothing, at most ${maxImportRows} rows); ?dryRun=true only checks.`,
        querystring: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
        consumes: ['text/csv'],
        response: {
          200: z.object({ rows: z.number(), created: z.number(), dryRun: z.boolean() }),
          ...errors,
          413: apiErrorSchema,
        },
      },
    },
    async (request) => {
      const authentication = requireScope(request, 'admin');
      if (!authentication.user.is_instance_admin) throw identityErrors.create('IDENTITY_FORBIDDEN');
      const csv = typeof request.body === 'string' ? request.body : '';
      const report = await onboarding.importUsers(csv, { dryRun: request.query.dryRun === 'true' }, actorOf(request));
      return { rows: report.rows, created: report.created, dryRun: report.dryRun };
    },
  );

  http.post(
    '/api/admin/invitations',
    {
      schema: {
        tags: ['administration'],
        summary: 'Invites someone by e-mail: the link lets them create their account for 7 days.',
        body: z.object({
          email,
          kind: z.enum(['agent', 'external']).default('agent'),
          organisationId: z.uuid().nullable().optional(),
          groupId: z.uuid().nullable().optional(),
        }),
        response: {
          201: z.object({ id: z.string(), email: z.string(), expiresAt: z.string() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const authentication =
        body.kind === 'agent'
          ? await requireOrganisationAdmin(request, body.organisationId)
          : body.groupId
            ? await requireGroupManager(request, body.groupId)
            : await requireOrganisationAdmin(request, null);
      const { invitation } = await onboarding.invite(
        {
          email: body.email,
          kind: body.kind,
          organisationId: body.organisationId ?? null,
          groupId: body.groupId ?? null,
        },
        authentication.user,
        actorOf(request),
      );
      return reply.code(201).send({ id: invitation.id, email: invitation.email, expiresAt: invitation.expires_at });
    },
  );

  const invitationSchema = z
    .object({
      id: z.string(),
      email: z.string(),
      kind: z.enum(['agent', 'external']),
      organisationId: z.string().nullable(),
      groupId: z.string().nullable(),
      invitedBy: z.string().nullable(),
      createdAt: z.string(),
      expiresAt: z.string(),
    })
    .meta({ id: 'Invitation' });

  http.get(
    '/api/admin/invitations',
    {
      schema: {
        tags: ['administration'],
        summary:
          'Pending invitations, newest first (all for instance administrators, those into their organisations for organisation administrators).',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.uuid().optional(),
        }),
        response: { 200: z.object({ items: z.array(invitationSchema), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const { user } = requireScope(request, 'admin');
      let organisationIds: string[] | undefined;
      if (!user.is_instance_admin) {
        organisationIds = [...(await directory.organisationsAdministeredBy(user.id))];
        if (organisationIds.length === 0) throw identityErrors.create('IDENTITY_FORBIDDEN');
      }
      const { limit, cursor } = request.query;
      const rows = await onboarding.pendingInvitations({
        limit: limit + 1,
        ...(cursor === undefined ? {} : { before: cursor }),
        ...(organisationIds === undefined ? {} : { organisationIds }),
      });
      const items = rows.slice(0, limit).map((row) => ({
        id: row.id,
        email: row.email,
        kind: row.kind,
        organisationId: row.organisation_id,
        groupId: row.group_id,
        invitedBy: row.invited_by,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      }));
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  http.delete(
    '/api/admin/invitations/:id',
    {
      schema: {
        tags: ['administration'],
        summary: 'Revokes a pending invitation: its link stops working at once (its inviter or an administrator).',
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const authentication = requireAuthentication(request);
      const invitation = await onboarding.getInvitation(request.params.id);
      if (invitation.invited_by !== authentication.user.id) {
        await requireOrganisationAdmin(request, invitation.organisation_id);
      }
      await onboarding.revokeInvitation(invitation.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/invitations/:token',
    {
      schema: {
        tags: ['identity'],
        summary: 'What an invitation is about, for its page (public: the token is the credential).',
        params: z.object({ token: z.string().min(20).max(100) }),
        response: {
          200: z.object({
            email: z.string(),
            kind: z.enum(['agent', 'external']),
            organisationName: z.string().nullable(),
            invitedBy: z.string().nullable(),
            expiresAt: z.string(),
          }),
          ...errors,
        },
      },
    },
    (request) => onboarding.describeInvitation(request.params.token),
  );

  http.post(
    '/api/invitations/:token/accept',
    {
      schema: {
        tags: ['identity'],
        summary: 'Creates the invited account and signs it in.',
        params: z.object({ token: z.string().min(20).max(100) }),
        body: z.object({ displayName: z.string().trim().min(1).max(200), password }),
        response: { 201: z.object({ userId: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { user, sessionToken, sessionCreatedAt } = await onboarding.acceptInvitation(
        request.params.token,
        request.body,
        actorOf(request),
      );
      const cookieExpiry = new Date(new Date(sessionCreatedAt).getTime() + deps.sessionMaxAgeMs).toISOString();
      setSessionCookie(reply, sessionToken, deps.publicUrl, cookieExpiry);
      return reply.code(201).send({ userId: user.id });
    },
  );

  http.post(
    '/api/auth/password-reset',
    {
      schema: {
        tags: ['identity'],
        summary: 'Sends a reset link if the address has an account (the answer is the same either way).',
        body: z.object({ email }),
        response: { 202: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await onboarding.requestPasswordReset(request.body.email, actorOf(request));
      return reply.code(202).send(null);
    },
  );

  http.post(
    '/api/auth/password-reset/confirm',
    {
      schema: {
        tags: ['identity'],
        summary: 'Sets the password chosen through a reset or welcome link; ends every session of the account.',
        body: z.object({ token: z.string().min(20).max(100), password }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await onboarding.resetPassword(request.body.token, request.body.password, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/groups',
    {
      schema: {
        tags: ['identity'],
        summary: 'The groups the user belongs to (every group for instance administrators).',
        response: { 200: z.object({ items: z.array(groupSchema) }), ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuthentication(request);
      const ids = user.is_instance_admin
        ? (await directory.listGroups({ limit: 500 })).map((group) => group.id)
        : await directory.groupIdsOf(user.id);
      return { items: await Promise.all(ids.map(presentGroup)) };
    },
  );

  http.get(
    '/api/groups/:id',
    {
      schema: {
        tags: ['identity'],
        summary: 'A group and its members (agents, and the group’s own members).',
        params: idParams,
        response: { 200: groupSchema, ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuthentication(request);
      await directory.getGroup(request.params.id);
      const group = await presentGroup(request.params.id);
      if (user.kind !== 'agent' && !group.members.some((member) => member.userId === user.id)) {
        throw identityErrors.create('IDENTITY_GROUP_NOT_FOUND', { groupId: request.params.id });
      }
      return group;
    },
  );

  http.post(
    '/api/groups',
    {
      schema: {
        tags: ['identity'],
        summary: 'Creates a group (a team that may span organisations); its creator manages it.',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          description: z.string().trim().max(1000).nullable().optional(),
        }),
        response: { 201: groupSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireAgent(request);
      const group = await directory.createGroup(
        {
          name: request.body.name,
          description: request.body.description ?? null,
          organisationId: user.organisation_id,
        },
        user.id,
        actorOf(request),
      );
      return reply.code(201).send(await presentGroup(group.id));
    },
  );

  http.put(
    '/api/groups/:id/members/:userId',
    {
      schema: {
        tags: ['identity'],
        summary: 'Adds a member to a group, or changes their role (group managers).',
        params: idParams.extend({ userId: z.uuid() }),
        body: z.object({ role: z.enum(['member', 'manager']).default('member') }),
        response: { 200: groupSchema, ...errors },
      },
    },
    async (request) => {
      await requireGroupManager(request, request.params.id);
      await directory.setGroupMember(request.params.id, request.params.userId, request.body.role, actorOf(request));
      return presentGroup(request.params.id);
    },
  );

  http.delete(
    '/api/groups/:id/members/:userId',
    {
      schema: {
        tags: ['identity'],
        summary: 'Removes a member from a group (group managers, or the member themself).',
        params: idParams.extend({ userId: z.uuid() }),
        response: { 200: groupSchema, ...errors },
      },
    },
    async (request) => {
      const authentication = requireAuthentication(request);
      if (authentication.user.id !== request.params.userId) await requireGroupManager(request, request.params.id);
      await directory.removeGroupMember(request.params.id, request.params.userId, actorOf(request));
      return presentGroup(request.params.id);
    },
  );
}
