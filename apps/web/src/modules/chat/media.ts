import type { MatrixClient } from 'matrix-js-sdk';
import { useEffect, useState } from 'react';
import { decryptAttachment, type EncryptedFile } from './encrypted-attachments.ts';

/**
 * Media through the homeserver's media API: authenticated downloads (`/_matrix/client/v1/media/...`,
 * Matrix 1.11) when the server announces them (`v1.11` or MSC3916 in `/versions`), the older
 * `/_matrix/media/v3/...` otherwise. Either way
 * the file is fetched by script with the access token and shown from a `blob:` URL (the CSP allows
 * `blob:` images; an `<img src>` could not carry the token).
 */
const authenticatedMedia = new WeakMap<MatrixClient, Promise<boolean>>();

function usesAuthenticatedMedia(client: MatrixClient): Promise<boolean> {
  let known = authenticatedMedia.get(client);
  if (!known) {
    known = Promise.all([
      client.isVersionSupported('v1.11'),
      client.doesServerSupportUnstableFeature('org.matrix.msc3916.stable'),
    ])
      .then(([isStable, isUnstable]) => isStable || isUnstable)
      .catch(() => false);
    authenticatedMedia.set(client, known);
  }
  return known;
}

export interface ThumbnailSize {
  width: number;
  height: number;
}

/** The HTTP address of an `mxc://` URI, or of its thumbnail. */
async function mediaAddress(client: MatrixClient, mxc: string, thumbnail?: ThumbnailSize): Promise<string | null> {
  const isAuthenticated = await usesAuthenticatedMedia(client);
  return client.mxcUrlToHttp(
    mxc,
    thumbnail?.width,
    thumbnail?.height,
    thumbnail ? 'scale' : undefined,
    false,
    true,
    isAuthenticated,
  );
}

/** Downloads a media file with the access token. */
export async function fetchMedia(client: MatrixClient, mxc: string, thumbnail?: ThumbnailSize): Promise<Blob> {
  const address = await mediaAddress(client, mxc, thumbnail);
  if (!address) throw new Error(`not an mxc URI: ${mxc}`);
  const token = client.getAccessToken();
  const response = await fetch(address, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    cache: 'force-cache',
  });
  if (!response.ok) throw new Error(`media ${response.status}`);
  return response.blob();
}

/**
 * Downloads an encrypted attachment's ciphertext, checks its hash and decrypts it (no thumbnail: the server
 * cannot make one of what it cannot read).
 */
export async function fetchDecrypted(client: MatrixClient, file: EncryptedFile, mimetype: string): Promise<Blob> {
  const ciphertext = await (await fetchMedia(client, file.url)).arrayBuffer();
  return new Blob([await decryptAttachment(ciphertext, file)], { type: mimetype });
}

/**
 * A `blob:` URL of a media file (or its thumbnail) while the component is shown; undefined while loading.
 * With `encrypted`, the attachment of an encrypted room, decrypted here (`mxc` is its `file.url`).
 */
export function useMediaUrl(
  client: MatrixClient,
  mxc: string | undefined,
  thumbnail?: ThumbnailSize,
  encrypted?: { file: EncryptedFile; mimetype: string },
): { url?: string; isFailed: boolean } {
  const [state, setState] = useState<{ url?: string; isFailed: boolean }>({ isFailed: false });
  const width = thumbnail?.width;
  const height = thumbnail?.height;
  useEffect(() => {
    if (!mxc?.startsWith('mxc://')) {
      setState({ isFailed: mxc !== undefined });
      return undefined;
    }
    let url: string | undefined;
    let isCancelled = false;
    const blob = encrypted
      ? fetchDecrypted(client, encrypted.file, encrypted.mimetype)
      : fetchMedia(client, mxc, width !== undefined && height !== undefined ? { width, height } : undefined);
    blob
      .then((blob) => {
        if (isCancelled) return;
        url = URL.createObjectURL(blob);
        setState({ url, isFailed: false });
      })
      .catch(() => {
        if (!isCancelled) setState({ isFailed: true });
      });
    return () => {
      isCancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, mxc, width, height, encrypted?.file, encrypted?.mimetype]);
  return state;
}

/**
 * Saves a media file under its name (fetched with the token, then handed to the browser); with `encrypted`,
 * decrypted first.
 */
export async function downloadMedia(
  client: MatrixClient,
  mxc: string,
  fileName: string,
  encrypted?: { file: EncryptedFile; mimetype: string },
): Promise<void> {
  const blob = encrypted
    ? await fetchDecrypted(client, encrypted.file, encrypted.mimetype)
    : await fetchMedia(client, mxc);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Width and height of an image file, for `info.w` / `info.h` (undefined when not decodable). */
export async function imageSize(file: File): Promise<{ w: number; h: number } | undefined> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { w: bitmap.width, h: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return undefined;
  }
}

/** "12 Ko", "3,4 Mo": a file size in the person's language. */
export function formatFileSize(bytes: number, locale: string): string {
  const units = locale === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
  return `${number} ${units[unit] ?? ''}`;
}
