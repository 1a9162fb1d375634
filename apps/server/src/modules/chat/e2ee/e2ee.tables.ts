/** Rows of the end-to-end encryption tables (migration 202612010910_chat_e2ee), as both databases read them. */

/** The signed identity keys of one device (`device_keys` of /keys/upload, without `unsigned`). */
export type E2eeDeviceKeysRow = {
  matrix_id: string;
  device_id: string;
  /** The uploaded JSON object, its own signatures included. */
  json: string;
  created_at: string;
  updated_at: string;
};

/** A one-time key, deleted when claimed. */
export type E2eeOneTimeKeyRow = {
  matrix_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  /** The key: a JSON string (unsigned curve25519) or a signed key object. */
  json: string;
  /** Keys are claimed in upload order (those of one upload in key ID order). */
  uploaded_at: string;
};

/** The fallback key of a device for one algorithm, handed out when its one-time keys run out. */
export type E2eeFallbackKeyRow = {
  matrix_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  json: string;
  used: number | boolean;
  uploaded_at: string;
};

export type CrossSigningUsage = 'master' | 'self_signing' | 'user_signing';

/** A user's cross-signing public key for one usage. */
export type E2eeCrossSigningKeyRow = {
  matrix_id: string;
  usage: CrossSigningUsage;
  /** The unpadded base64 ed25519 public key (the key ID is `ed25519:<public_key>`). */
  public_key: string;
  json: string;
  updated_at: string;
};

/**
 * A signature uploaded through /keys/signatures/upload: on a device's keys (`target_key` = its device ID)
 * or on a master key (`target_key` = its public key), merged into /keys/query answers.
 */
export type E2eeSignatureRow = {
  target_user: string;
  target_key: string;
  signer_user: string;
  signer_key_id: string;
  signature: string;
  created_at: string;
};

/**
 * One change of a user's device list (new device keys, deleted device, cross-signing keys, signatures) at
 * a stream position. `visible_to` limits it to one user (a signature only its author needs to see).
 */
export type E2eeDeviceListChangeRow = {
  stream_position: number;
  matrix_id: string;
  visible_to: string | null;
};

/** A queued to-device message for one device, deleted once a /sync token acknowledges it. */
export type E2eeToDeviceRow = {
  matrix_id: string;
  device_id: string;
  /** The stream position of the send: the delivery order, and when it becomes visible. */
  sent_position: number;
  /** The position whose acknowledgement deletes it (moved past a response that could not carry it). */
  ack_position: number;
  sender: string;
  type: string;
  content: string;
  created_at: string;
};

/** A processed sendToDevice transaction (retries of it are not sent again). */
export type E2eeToDeviceTransactionRow = {
  matrix_id: string;
  device_id: string;
  txn_id: string;
  created_at: string;
};

export type E2eeBackupVersionRow = {
  matrix_id: string;
  version: number;
  algorithm: string;
  auth_data: string;
  /** Changes whenever the stored keys change. */
  etag: number;
  deleted: number | boolean;
  created_at: string;
};

export type E2eeBackupKeyRow = {
  matrix_id: string;
  version: number;
  room_id: string;
  session_id: string;
  first_message_index: number;
  forwarded_count: number;
  is_verified: number | boolean;
  session_data: string;
};

/** A user-interactive authentication session (several processes may serve its steps). */
export type UiaSessionRow = {
  session_id: string;
  matrix_id: string;
  /** The operation it was started for (method and route): a session authorises only that one. */
  action: string;
  /** JSON `{fr, en}`: what the user confirms, shown on the single sign-on fallback page. */
  description: string;
  /** JSON array of the completed stages. */
  completed: string;
  created_at: string;
  expires_at: string;
};

export type E2eeTables = {
  chat_e2ee_device_keys: E2eeDeviceKeysRow;
  chat_e2ee_one_time_keys: E2eeOneTimeKeyRow;
  chat_e2ee_fallback_keys: E2eeFallbackKeyRow;
  chat_e2ee_cross_signing_keys: E2eeCrossSigningKeyRow;
  chat_e2ee_signatures: E2eeSignatureRow;
  chat_e2ee_device_list_changes: E2eeDeviceListChangeRow;
  chat_e2ee_to_device: E2eeToDeviceRow;
  chat_e2ee_to_device_transactions: E2eeToDeviceTransactionRow;
  chat_e2ee_backup_versions: E2eeBackupVersionRow;
  chat_e2ee_backup_keys: E2eeBackupKeyRow;
  chat_uia_sessions: UiaSessionRow;
};
