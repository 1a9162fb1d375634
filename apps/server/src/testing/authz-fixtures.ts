import type { AuthzService } from '../platform/authz/index.ts';

/** Roles of the example document types, from the least to the most powerful. */
export const exampleDocumentRoles = ['reader', 'commenter', 'editor', 'owner'] as const;
export const exampleDocumentActions = { read: 'reader', comment: 'commenter', edit: 'editor', share: 'owner' } as const;
const sameRoles = { reader: 'reader', commenter: 'commenter', editor: 'editor', owner: 'owner' };

/**
 * Spaces, folders and documents as the docs module will define them (a document sits in a folder or a
 * space, and inherits their roles), for the permission model's tests and benchmark.
 */
export function defineExampleDocumentTypes(authz: AuthzService): void {
  const roles = [...exampleDocumentRoles];
  const actions = { ...exampleDocumentActions };
  authz.defineResourceType({ type: 'docs.space', roles, actions });
  authz.defineResourceType({
    type: 'docs.folder',
    roles,
    actions,
    parentTypes: ['docs.space', 'docs.folder'],
    inheritFrom: { 'docs.space': sameRoles },
  });
  authz.defineResourceType({
    type: 'docs.document',
    roles,
    actions,
    parentTypes: ['docs.folder', 'docs.space'],
    inheritFrom: { 'docs.space': sameRoles, 'docs.folder': sameRoles },
  });
}
