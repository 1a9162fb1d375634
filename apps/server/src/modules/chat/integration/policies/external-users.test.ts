import { describe, expect, it } from 'vitest';
import { roomCreationRefusal } from './external-users.ts';

describe('External users and room creation', () => {
  it('lets agents create rooms', () => {
    expect(roomCreationRefusal('agent')).toBeNull();
  });

  it('refuses external users, and users whose kind is unknown', () => {
    expect(roomCreationRefusal('external')).toMatch(/external users cannot create rooms/);
    expect(roomCreationRefusal(undefined)).not.toBeNull();
  });
});
