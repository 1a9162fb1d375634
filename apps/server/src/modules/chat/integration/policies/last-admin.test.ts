import { describe, expect, it } from 'vitest';
import { successorsOf } from './last-admin.ts';

const members = (levels: Record<string, number>) =>
  Object.entries(levels).map(([userId, powerLevel]) => ({ userId, powerLevel }));

function input(levels: Record<string, number>, options: { externals?: string[]; joinOrder?: string[] } = {}) {
  const externals = new Set(options.externals ?? []);
  return {
    leaving: '@admin',
    members: members(levels),
    isExternal: (userId: string) => Promise.resolve(externals.has(userId)),
    longestStanding: () => Promise.resolve(options.joinOrder ?? Object.keys(levels)),
  };
}

describe('Last administrator protection', () => {
  it('promotes every moderator when the last administrator leaves', async () => {
    expect(await successorsOf(input({ '@admin': 100, '@mod1': 50, '@mod2': 75, '@member': 0 }))).toEqual([
      '@mod1',
      '@mod2',
    ]);
  });

  it('promotes the longest-standing member when there is no moderator', async () => {
    const sut = input({ '@admin': 100, '@new': 0, '@old': 0 }, { joinOrder: ['@admin', '@old', '@new'] });
    expect(await successorsOf(sut)).toEqual(['@old']);
  });

  it('never promotes an external user', async () => {
    const sut = input(
      { '@admin': 100, '@external-mod': 50, '@external': 0, '@agent': 0 },
      { externals: ['@external-mod', '@external'], joinOrder: ['@admin', '@external', '@external-mod', '@agent'] },
    );
    expect(await successorsOf(sut)).toEqual(['@agent']);
    expect(await successorsOf(input({ '@admin': 100, '@external': 0 }, { externals: ['@external'] }))).toEqual([]);
  });

  it('promotes nobody when another administrator stays, or when the leaver is not one', async () => {
    expect(await successorsOf(input({ '@admin': 100, '@other': 100, '@mod': 50 }))).toEqual([]);
    expect(await successorsOf(input({ '@admin': 50, '@member': 0 }))).toEqual([]);
    expect(await successorsOf(input({ '@admin': 100 }))).toEqual([]);
  });
});
