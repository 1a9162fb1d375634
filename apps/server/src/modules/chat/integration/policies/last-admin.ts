import { administratorLevel } from './access-rules.ts';

/** The level from which a member is a moderator. */
export const moderatorLevel = 50;

export interface LastAdminInput {
  /** The member leaving the room. */
  readonly leaving: string;
  /** The joined members (the leaver included) and their power levels. */
  readonly members: ReadonlyArray<{ readonly userId: string; readonly powerLevel: number }>;
  readonly isExternal: (userId: string) => Promise<boolean>;
  /** The joined members, longest-standing first (asked only when no moderator can take over). */
  readonly longestStanding: () => Promise<readonly string[]>;
}

/**
 * Tchap's last-administrator protection (synapse-manage-last-admin): when the last administrator leaves a
 * room, someone else becomes administrator so that the room stays manageable — every moderator, or when
 * there is none the longest-standing member; never an external user. Returns who to promote: nobody when
 * the leaver is not an administrator, when another administrator stays, or when nobody is eligible.
 */
export async function successorsOf(input: LastAdminInput): Promise<string[]> {
  const leaver = input.members.find((member) => member.userId === input.leaving);
  if (!leaver || leaver.powerLevel < administratorLevel) return [];
  const others = input.members.filter((member) => member.userId !== input.leaving);
  if (others.some((member) => member.powerLevel >= administratorLevel)) return [];
  const moderators: string[] = [];
  for (const member of others) {
    if (member.powerLevel >= moderatorLevel && !(await input.isExternal(member.userId))) moderators.push(member.userId);
  }
  if (moderators.length > 0) return moderators;
  const remaining = new Set(others.map((member) => member.userId));
  for (const userId of await input.longestStanding()) {
    if (remaining.has(userId) && !(await input.isExternal(userId))) return [userId];
  }
  return [];
}
