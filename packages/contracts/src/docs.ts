import { z } from 'zod';
import { sensitivityLevelSchema } from './identity.ts';

/** Limits of the documents' requests, enforced by the server and by the web app's forms. */
export const docsLimits = {
  titleMaxLength: 200,
  spaceNameMaxLength: 120,
  descriptionMaxLength: 1_000,
  versionNameMaxLength: 120,
  pageMax: 100,
  /** An imported file (Markdown, HTML, DOCX, ODT). */
  importMaxBytes: 20 * 1024 * 1024,
  /** The Yjs document of one page, compacted. */
  documentMaxBytes: 32 * 1024 * 1024,
  /** How long a link shared with "anyone who has it" lasts at most (days); null = no expiry allowed too. */
  linkMaxDays: 365,
} as const;

/** Roles on spaces and documents, weakest first; each includes the ones before. */
export const docsRoles = ['reader', 'commenter', 'editor', 'owner'] as const;
export const docsRoleSchema = z.enum(docsRoles);
export type DocsRole = z.infer<typeof docsRoleSchema>;

/** What the current user may do with a space or a document (the web app shows or hides its controls). */
export const docsAbilitiesSchema = z.object({
  read: z.boolean(),
  comment: z.boolean(),
  edit: z.boolean(),
  share: z.boolean(),
});
export type DocsAbilities = z.infer<typeof docsAbilitiesSchema>;

export const docsSpaceKinds = ['personal', 'shared'] as const;

export const docsSpaceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  /** `personal`: the user's own « Mes documents », created at first use; `shared`: a team space. */
  kind: z.enum(docsSpaceKinds),
  organisationId: z.uuid().nullable(),
  label: sensitivityLevelSchema,
  role: docsRoleSchema,
  abilities: docsAbilitiesSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DocsSpace = z.infer<typeof docsSpaceSchema>;

/** `POST /api/docs/spaces` */
export const createSpaceRequestSchema = z.object({
  name: z.string().trim().min(1).max(docsLimits.spaceNameMaxLength),
  description: z.string().trim().max(docsLimits.descriptionMaxLength).optional(),
  /** Defaults to the creator's organisation unit (its default sensitivity label applies). */
  organisationId: z.uuid().optional(),
});

/** `PATCH /api/docs/spaces/:id` */
export const updateSpaceRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(docsLimits.spaceNameMaxLength).optional(),
    description: z.string().trim().max(docsLimits.descriptionMaxLength).optional(),
    label: sensitivityLevelSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change' });

/**
 * Days a page stays in the trash before it is deleted for good with its sub-pages (an hourly job), as in
 * La Suite's Docs.
 */
export const docsTrashRetentionDays = 30;

/** A document as lists show it (tree, favourites, recent, trash, children). */
export const docsDocumentSummarySchema = z.object({
  id: z.uuid(),
  spaceId: z.uuid(),
  parentId: z.uuid().nullable(),
  title: z.string(),
  /** Whether it has sub-pages (not in the trash) the user may read. */
  hasChildren: z.boolean(),
  isFavourite: z.boolean(),
  updatedAt: z.string(),
  /** Set for documents in the trash. */
  trashedAt: z.string().nullable(),
});
export type DocsDocumentSummary = z.infer<typeof docsDocumentSummarySchema>;

/** `GET /api/docs/:id` */
export const docsDocumentSchema = docsDocumentSummarySchema.extend({
  space: z.object({ id: z.uuid(), name: z.string(), kind: z.enum(docsSpaceKinds) }),
  /** From the space down to the parent, for the breadcrumb (only the ones the user may read). */
  ancestors: z.array(z.object({ id: z.uuid(), title: z.string() })),
  label: sensitivityLevelSchema,
  role: docsRoleSchema,
  abilities: docsAbilitiesSchema,
  createdAt: z.string(),
  createdBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
  updatedBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
  /** Set when the page is offered as a template. */
  templateScope: z.enum(['space', 'organisation']).nullable(),
});
export type DocsDocument = z.infer<typeof docsDocumentSchema>;

export const docsPageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `POST /api/docs` */
export const createDocumentRequestSchema = z.object({
  spaceId: z.uuid(),
  /** A document of the same space to create it under; none: at the top of the space. */
  parentId: z.uuid().nullable().optional(),
  title: z.string().trim().max(docsLimits.titleMaxLength).optional(),
  /** A template to start from (its content is copied). */
  templateId: z.uuid().optional(),
});

/** `PATCH /api/docs/:id` */
export const updateDocumentRequestSchema = z.object({
  title: z.string().trim().max(docsLimits.titleMaxLength),
});

/** `POST /api/docs/:id/move`: to the top of a space, or under another document; before a sibling or last. */
export const moveDocumentRequestSchema = z.object({
  spaceId: z.uuid().optional(),
  parentId: z.uuid().nullable(),
  beforeId: z.uuid().nullable().optional(),
});

/** `POST /api/docs/:id/duplicate` */
export const duplicateDocumentRequestSchema = z.object({
  withChildren: z.boolean().default(false),
});

/** `PUT /api/docs/:id/template`: offer a page as a template to its space, its organisation unit, or stop (null). */
export const setTemplateRequestSchema = z.object({
  scope: z.enum(['space', 'organisation']).nullable(),
});

/** `GET /api/docs/templates?spaceId=`: the templates offered in a space and by the user's organisation units. */
export const docsTemplateSchema = docsDocumentSummarySchema.extend({
  templateScope: z.enum(['space', 'organisation']),
});
export type DocsTemplate = z.infer<typeof docsTemplateSchema>;

/** A grant as the sharing dialog shows it. */
export const docsShareSchema = z.object({
  id: z.uuid(),
  principal: z.discriminatedUnion('kind', [
    z.object({ kind: z.enum(['user', 'group', 'organisation']), id: z.uuid(), name: z.string() }),
    z.object({ kind: z.literal('all_agents') }),
    z.object({ kind: z.literal('link'), scope: z.enum(['authenticated', 'public']) }),
  ]),
  role: docsRoleSchema,
  expiresAt: z.string().nullable(),
  /** Set when the grant is on a parent (the space or a parent document): shown, changed there. */
  inheritedFrom: z
    .object({ type: z.enum(['docs.space', 'docs.document']), id: z.uuid(), title: z.string() })
    .nullable(),
});
export type DocsShare = z.infer<typeof docsShareSchema>;

/** `POST /api/docs/:id/shares` and `POST /api/docs/spaces/:id/shares`: adds or replaces one principal's grant. */
export const docsShareRequestSchema = z.object({
  principal: z.discriminatedUnion('kind', [
    z.object({ kind: z.enum(['user', 'group', 'organisation']), id: z.uuid() }),
    z.object({ kind: z.literal('all_agents') }),
    /** Anyone signed in who has the link (`authenticated`) or anyone at all, read only (`public`). */
    z.object({ kind: z.literal('link'), scope: z.enum(['authenticated', 'public']) }),
  ]),
  role: docsRoleSchema,
  /** ISO date-time; links may expire, like any grant. */
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type DocsShareRequest = z.infer<typeof docsShareRequestSchema>;

/** `POST /api/docs/:id/collab-token`: a short-lived token for a collaboration client that has no session cookie. */
export const collabTokenSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  /** The WebSocket URL (`wss://…/collab`); the document name is the document's id. */
  url: z.string(),
  /** The Yjs XML fragment BlockNote edits. */
  fragment: z.string(),
});

/** The name of the Yjs XML fragment that holds a page's blocks (as La Suite's Docs names it). */
export const docsFragmentName = 'document-store';

export const docsExportFormats = ['md', 'html', 'docx', 'odt', 'pdf'] as const;
export const docsExportFormatSchema = z.enum(docsExportFormats);
export type DocsExportFormat = z.infer<typeof docsExportFormatSchema>;

/** `GET /api/docs/:id/export?format=&withChildren=` (with children: a zip). */
export const exportDocumentQuerySchema = z.object({
  format: docsExportFormatSchema,
  withChildren: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true'),
});

export const docsImportFormats = ['md', 'html', 'docx', 'odt'] as const;

export const docsVersionSchema = z.object({
  id: z.uuid(),
  /** Null for an automatic version. */
  name: z.string().nullable(),
  kind: z.enum(['automatic', 'named', 'before-restore']),
  createdAt: z.string(),
  createdBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
  sizeBytes: z.number().int(),
});
export type DocsVersion = z.infer<typeof docsVersionSchema>;

/** `POST /api/docs/:id/append`: Markdown added at the end of the live page (an answer of Albert). */
export const appendMarkdownRequestSchema = z.object({
  markdown: z.string().trim().min(1).max(100_000),
});

/** `POST /api/docs/:id/versions` */
export const createVersionRequestSchema = z.object({
  name: z.string().trim().min(1).max(docsLimits.versionNameMaxLength),
});
