import type { ChatTables } from '../chat.tables.ts';

/** Rows of the discovery feature's tables (migration 202612010930_chat_discovery), as both databases read them. */

/**
 * The user directory's view of a Bureau user, kept from the identity module's events (and filled in lazily
 * for accounts it has not seen yet): the chat module does not read the identity module's tables.
 */
export type ChatUserDirectoryRow = {
  user_id: string;
  /** The Bureau user kind: `agent` or `external`. */
  kind: string;
  is_active: number | boolean;
  /** Lower-cased, accent-free: the Bureau display name and the e-mail's local part, for substring search. */
  search_text: string;
  /** Lower-cased e-mail address, matched only as a whole. */
  email: string;
  updated_at: string;
};

/** A report of a room, an event or a user, for the instance's moderators. */
export type ChatReportRow = {
  id: string;
  reporter: string;
  room_id: string | null;
  event_id: string | null;
  reported_user: string | null;
  reason: string | null;
  created_at: string;
};

export type DiscoveryTables = ChatTables & {
  chat_user_directory: ChatUserDirectoryRow;
  chat_reports: ChatReportRow;
};
