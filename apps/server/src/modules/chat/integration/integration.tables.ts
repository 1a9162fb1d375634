/** Rows of the integration feature's tables (migration 202612010940_chat_integration), as both databases read them. */

/**
 * What the room policies must know of a Bureau user inside an appending transaction, where the identity
 * module cannot be asked: whether they are external, and their organisation. Kept in step by the identity
 * module's events and filled at start for users the events missed.
 */
export type ChatPersonRow = {
  user_id: string;
  kind: string;
  organisation_id: string | null;
  updated_at: string;
};

/** The grant of a joined member on the room's resource (revoked when they leave), and the role it gives. */
export type ChatRoomGrantRow = {
  room_id: string;
  matrix_id: string;
  user_id: string;
  grant_id: string;
  role: string;
};

/** Single-use account renewal links sent by e-mail (only their hashes are stored). */
export type ChatRenewalTokenRow = {
  token_hash: string;
  matrix_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
};

/** A message (or an edit) appended and not indexed yet (room-search.ts). */
export type ChatSearchQueueRow = {
  stream_ordering: number;
  room_id: string;
  event_id: string;
};

export type IntegrationTables = {
  chat_search_queue: ChatSearchQueueRow;
  chat_integration_people: ChatPersonRow;
  chat_integration_room_grants: ChatRoomGrantRow;
  chat_integration_renewal_tokens: ChatRenewalTokenRow;
};
