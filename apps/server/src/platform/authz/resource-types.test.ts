import { describe, expect, it } from 'vitest';
import { createResourceTypeRegistry, type ResourceTypeDefinition } from './resource-types.ts';

const docsRoles = ['reader', 'commenter', 'editor', 'owner'];
const docsActions = { read: 'reader', comment: 'commenter', edit: 'editor', share: 'owner' };
const sameRoles = { reader: 'reader', commenter: 'commenter', editor: 'editor', owner: 'owner' };

function buildDocsRegistry() {
  const registry = createResourceTypeRegistry();
  registry.define({ type: 'docs.space', roles: docsRoles, actions: docsActions });
  registry.define({
    type: 'docs.folder',
    roles: docsRoles,
    actions: docsActions,
    parentTypes: ['docs.space', 'docs.folder'],
    inheritFrom: { 'docs.space': sameRoles },
  });
  registry.define({
    type: 'docs.document',
    roles: docsRoles,
    actions: docsActions,
    parentTypes: ['docs.folder', 'docs.space'],
    inheritFrom: { 'docs.space': sameRoles, 'docs.folder': sameRoles },
  });
  return registry;
}

describe('Resource types', () => {
  it('gives each action its minimum role and ranks roles in their declared order', () => {
    const sut = buildDocsRegistry();

    expect(sut.requiredRole('docs.document', 'comment')).toBe('commenter');
    expect(['reader', 'commenter', 'editor', 'owner'].map((role) => sut.rank('docs.document', role))).toEqual([
      0, 1, 2, 3,
    ]);
    expect(sut.get('docs.document').visibleRole).toBe('reader');
  });

  it('throws for an unknown type, action or role, which are programmer errors', () => {
    const sut = buildDocsRegistry();

    expect(() => sut.get('docs.page')).toThrow(/Unknown resource type docs.page/);
    expect(() => sut.requiredRole('docs.document', 'print')).toThrow(/Unknown action print/);
    expect(() => sut.rank('docs.document', 'admin')).toThrow(/Unknown role admin/);
  });

  it.each<[string, ResourceTypeDefinition, RegExp]>([
    ['a name without a module', { type: 'document', roles: ['reader'], actions: {} }, /module\.entity/],
    ['no role', { type: 'docs.page', roles: [], actions: {} }, /at least one role/],
    ['a role listed twice', { type: 'docs.page', roles: ['reader', 'reader'], actions: {} }, /listed twice/],
    [
      'an action needing a role the type lacks',
      { type: 'docs.page', roles: ['reader'], actions: { edit: 'editor' } },
      /needs role editor/,
    ],
    [
      'a parent type not defined yet',
      { type: 'docs.page', roles: ['reader'], actions: {}, parentTypes: ['wiki.space'] },
      /must be defined before/,
    ],
    [
      'a mapping from a role the parent lacks',
      { type: 'docs.page', roles: ['reader'], actions: {}, inheritFrom: { 'docs.space': { admin: 'reader' } } },
      /docs.space has no role admin/,
    ],
    [
      'a mapping to a role the type lacks',
      { type: 'docs.page', roles: ['reader'], actions: {}, inheritFrom: { 'docs.space': { reader: 'viewer' } } },
      /it has no role viewer/,
    ],
    [
      'a mapping from its own type',
      {
        type: 'docs.page',
        roles: ['reader'],
        actions: {},
        parentTypes: ['docs.page'],
        inheritFrom: { 'docs.page': { reader: 'reader' } },
      },
      /same type/,
    ],
    [
      'a label action it does not declare',
      { type: 'docs.page', roles: ['reader'], actions: { read: 'reader' }, labelRaise: 'edit' },
      /label action edit/,
    ],
    ['a type defined twice', { type: 'docs.space', roles: ['reader'], actions: {} }, /already defined/],
  ])('refuses a definition with %s', (_case, definition, message) => {
    const sut = buildDocsRegistry();

    expect(() => sut.define(definition)).toThrow(message);
  });

  it('composes mappings along the chain of parent types', () => {
    const sut = createResourceTypeRegistry();
    sut.define({ type: 'chat.room', roles: ['member', 'moderator', 'admin'], actions: { read: 'member' } });
    sut.define({
      type: 'meet.meeting',
      roles: ['participant', 'host'],
      actions: { join: 'participant', moderate: 'host' },
      inheritFrom: { 'chat.room': { member: 'participant', admin: 'host' } },
    });
    sut.define({
      type: 'meet.recording',
      roles: ['viewer', 'manager'],
      actions: { watch: 'viewer', delete: 'manager' },
      inheritFrom: { 'meet.meeting': { participant: 'viewer', host: 'manager' } },
    });

    expect(sut.inheritedRole('meet.recording', 'chat.room', 'member')).toBe('viewer');
    expect(sut.inheritedRole('meet.recording', 'chat.room', 'moderator')).toBeNull();
    expect(sut.inheritedRole('meet.recording', 'chat.room', 'admin')).toBe('manager');
    expect(sut.inheritedRole('meet.recording', 'meet.meeting', 'host')).toBe('manager');
    expect(sut.inheritedRole('meet.recording', 'meet.recording', 'viewer')).toBe('viewer');
    expect(Object.fromEntries(sut.acceptedRoles('meet.recording', 'manager'))).toEqual({
      'meet.recording': ['manager'],
      'meet.meeting': ['host'],
      'chat.room': ['admin'],
    });
  });

  it('gives nothing from a parent type it does not map, while still accepting it as a parent', () => {
    const sut = buildDocsRegistry();
    sut.define({
      type: 'docs.comment',
      roles: ['author'],
      actions: { read: 'author' },
      parentTypes: ['docs.document'],
    });

    expect(sut.get('docs.comment').parentTypes.has('docs.document')).toBe(true);
    expect(sut.inheritedRole('docs.comment', 'docs.document', 'owner')).toBeNull();
    expect([...sut.acceptedRoles('docs.comment', 'author').keys()]).toEqual(['docs.comment']);
  });

  it('refuses mappings that would make a role carry over differently depending on the path', () => {
    const sut = buildDocsRegistry();

    expect(() =>
      sut.define({
        type: 'docs.note',
        roles: docsRoles,
        actions: docsActions,
        inheritFrom: {
          'docs.space': sameRoles,
          // Through a folder, a space reader would become an editor: not what the direct path says.
          'docs.folder': { reader: 'editor', commenter: 'editor', editor: 'editor', owner: 'owner' },
        },
      }),
    ).toThrow(/differently depending on the path/);
  });

  it('lists for each granting type the roles that are enough for an action', () => {
    const sut = buildDocsRegistry();

    expect(Object.fromEntries(sut.acceptedRoles('docs.document', 'editor'))).toEqual({
      'docs.document': ['editor', 'owner'],
      'docs.folder': ['editor', 'owner'],
      'docs.space': ['editor', 'owner'],
    });
  });

  it('lets raising a label take edit and lowering it take share unless the type says otherwise', () => {
    const sut = buildDocsRegistry();
    sut.define({
      type: 'chat.room',
      roles: ['member', 'moderator', 'admin'],
      actions: { read: 'member', moderate: 'moderator', administer: 'admin' },
      labelRaise: 'moderate',
    });

    expect(sut.get('docs.document').labelRaiseRole).toBe('editor');
    expect(sut.get('docs.document').labelLowerRole).toBe('owner');
    expect(sut.get('chat.room').labelRaiseRole).toBe('moderator');
    // No `share` action: lowering takes the strongest role.
    expect(sut.get('chat.room').labelLowerRole).toBe('admin');
  });
});
