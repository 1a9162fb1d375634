/**
 * Tchap: external users (partners outside the administration) take part in rooms they are invited to but
 * cannot create rooms (tchap-e2e-playwright, room-access-rules/external-restriction.spec.ts). Only agents
 * create rooms; a user whose kind is unknown is refused too.
 */
export function roomCreationRefusal(kind: string | undefined): string | null {
  return kind === 'agent' ? null : 'external users cannot create rooms';
}
