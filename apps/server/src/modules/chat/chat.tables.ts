/** Rows of the chat module's core tables (migration 202612010900_chat_core), as both databases read them. */

export type ChatAccountRow = {
  user_id: string;
  matrix_id: string;
  localpart: string;
  displayname: string | null;
  avatar_url: string | null;
  created_at: string;
  expires_at: string | null;
};

export type ChatDeviceRow = {
  matrix_id: string;
  device_id: string;
  display_name: string | null;
  created_at: string;
  last_seen_at: string | null;
  last_seen_ip: string | null;
};

export type ChatAccessTokenRow = {
  token_hash: string;
  matrix_id: string;
  device_id: string;
  created_at: string;
};

export type ChatLoginTokenRow = {
  token_hash: string;
  user_id: string;
  expires_at: string;
  used_at: string | null;
};

export type ChatRoomRow = {
  room_id: string;
  room_version: string;
  creator: string;
  created_at: string;
  is_public: number | boolean;
  resource_id: string | null;
  last_event_id: string;
  last_depth: number;
  last_stream: number;
};

export type ChatEventRow = {
  stream_ordering: number;
  event_id: string;
  room_id: string;
  type: string;
  state_key: string | null;
  sender: string;
  membership: string | null;
  depth: number;
  origin_server_ts: number;
  json: string;
  redacted_by: string | null;
  relates_to: string | null;
  rel_type: string | null;
  sender_device: string | null;
  txn_id: string | null;
};

export type ChatCurrentStateRow = {
  room_id: string;
  type: string;
  state_key: string;
  event_id: string;
  stream_ordering: number;
  membership: string | null;
};

export type ChatAccountDataRow = {
  matrix_id: string;
  room_id: string;
  type: string;
  content: string;
  stream_ordering: number;
};

export type ChatReceiptRow = {
  room_id: string;
  matrix_id: string;
  receipt_type: string;
  thread_id: string;
  event_id: string;
  event_stream: number;
  ts: number;
  stream_ordering: number;
};

export type ChatTables = {
  chat_stream: { name: string; position: number };
  chat_signing_keys: { key_id: string; seed: string; created_at: string };
  chat_accounts: ChatAccountRow;
  chat_devices: ChatDeviceRow;
  chat_access_tokens: ChatAccessTokenRow;
  chat_login_tokens: ChatLoginTokenRow;
  chat_rooms: ChatRoomRow;
  chat_events: ChatEventRow;
  chat_transactions: { matrix_id: string; device_id: string; txn_id: string; event_id: string; created_at: string };
  chat_current_state: ChatCurrentStateRow;
  chat_account_data: ChatAccountDataRow;
  chat_receipts: ChatReceiptRow;
  chat_filters: { matrix_id: string; filter_id: string; json: string };
  chat_push_rules: { matrix_id: string; rules: string };
  chat_push_actions: {
    matrix_id: string;
    room_id: string;
    stream_ordering: number;
    thread_id: string;
    notify: number | boolean;
    highlight: number | boolean;
  };
  chat_room_aliases: { alias: string; room_id: string; creator: string; created_at: string };
  chat_forgotten_rooms: { matrix_id: string; room_id: string };
  chat_pushers: { matrix_id: string; app_id: string; pushkey: string; json: string };
};
