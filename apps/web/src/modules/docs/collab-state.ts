/**
 * The connection of a collaborative page as the person reads it, from what the Hocuspocus provider says:
 * its WebSocket's status and whether the first exchange with the server (sync) completed. Once the page
 * has been in sync, a lost connection means "offline: your changes are kept and sent on reconnection"
 * (Yjs keeps them), even while the provider retries (it goes through "connecting" again and again).
 */
export type ConnectionState = 'connecting' | 'synced' | 'offline' | 'denied';

export interface ProviderSnapshot {
  socket: 'connecting' | 'connected' | 'disconnected';
  isSynced: boolean;
  /** Whether this page has been in sync with the server at least once since it opened. */
  hasBeenSynced: boolean;
  /** The server refused the connection (no right to read the page, session ended). */
  isDenied: boolean;
}

export function connectionStateOf(snapshot: ProviderSnapshot): ConnectionState {
  if (snapshot.isDenied) return 'denied';
  if (snapshot.socket === 'connected' && snapshot.isSynced) return 'synced';
  // Before the first sync there is nothing to keep yet: the page is still opening (the provider retries).
  return snapshot.hasBeenSynced ? 'offline' : 'connecting';
}

/** Someone present on the page (awareness), as the header lists them. */
export interface Presence {
  name: string;
  colour: string;
}

/**
 * The people present on a page but the person themselves, once each (the same person in two tabs shares
 * a name and a colour), in the order of their names. `states` are the awareness states by client id.
 */
export function presentPeople(states: ReadonlyMap<number, Record<string, unknown>>, ownClientId: number): Presence[] {
  const people = new Map<string, Presence>();
  for (const [clientId, state] of states) {
    if (clientId === ownClientId) continue;
    const user = state.user;
    if (typeof user !== 'object' || user === null) continue;
    const { name, color } = user as Record<string, unknown>;
    if (typeof name !== 'string' || typeof color !== 'string' || name.trim() === '') continue;
    people.set(`${name}\u0000${color}`, { name, colour: color });
  }
  return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
}
