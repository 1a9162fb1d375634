/** Rows of the media repository's tables (migration 202612010920_chat_media), as both databases read them. */

export type ChatMediaRow = {
  server_name: string;
  media_id: string;
  uploader: string;
  created_at: string;
  uploaded_at: string | null;
  unused_expires_at: string | null;
  blob_key: string | null;
  content_type: string | null;
  size: number | null;
  sha256: string | null;
  file_name: string | null;
};

export type ChatMediaThumbnailRow = {
  server_name: string;
  media_id: string;
  width: number;
  height: number;
  method: string;
  animated: number | boolean;
  blob_key: string;
  content_type: string;
  size: number;
  created_at: string;
};

export type ChatMediaTables = {
  chat_media: ChatMediaRow;
  chat_media_thumbnails: ChatMediaThumbnailRow;
};
