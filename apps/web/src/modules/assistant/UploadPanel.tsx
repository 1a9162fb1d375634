import { useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useSignedInUser } from '../../app/states.tsx';
import { useLocale, useMessages, type Locale } from '../../i18n.tsx';
import { assistantKeys, uploadAccept, uploadMaxBytes, type UploadedDocument } from './assistant.api.ts';
import { collectionsMessages, type CollectionsMessages } from './collections.messages.ts';

interface Upload {
  key: number;
  name: string;
  state: 'waiting' | 'sending' | 'indexing' | 'ready' | 'failed';
  percent: number;
  errorCode?: string;
  errorMessage?: string;
}

let uploadCounter = 0;

/** A file size in the person's language (Ko, Mo). */
export function formatSize(locale: Locale, bytes: number): string {
  const units = locale === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

/** Why a document failed, in words (the parsers' error codes). */
export function failureText(t: CollectionsMessages, code: string | null | undefined, message?: string): string {
  if (code && t.errorExplanations[code]) return t.errorExplanations[code];
  return message ?? t.unknownError(code ?? '?');
}

/**
 * Sends one file (`POST …/documents?name=`, the file as the body) with XMLHttpRequest, whose upload
 * events give the progress; the server reads and indexes it before answering.
 */
function sendFile(
  collectionId: string,
  file: File,
  headers: Record<string, string>,
  onProgress: (fraction: number) => void,
  onSent: () => void,
): Promise<UploadedDocument> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(
      'POST',
      `/api/assistant/collections/${encodeURIComponent(collectionId)}/documents?name=${encodeURIComponent(file.name)}`,
    );
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.setRequestHeader('content-type', file.type || 'application/octet-stream');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.upload.onload = onSent;
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status === 201) resolve(body as UploadedDocument);
      else {
        const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
        reject(Object.assign(new Error(error?.message ?? `HTTP ${request.status}`), { code: error?.code }));
      }
    };
    request.onerror = () => reject(new Error('network'));
    request.send(file);
  });
}

/**
 * Adds documents to a collection: a file field (several files) that also takes a drop, then each file sent
 * in turn with its own progress and outcome (indexed, or the reason it could not be read).
 */
export function UploadPanel({ collectionId }: { collectionId: string }) {
  const t = useMessages(collectionsMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [isBusy, setBusy] = useState(false);
  const [isDragging, setDragging] = useState(false);
  const [summary, setSummary] = useState('');
  const id = useId();

  const update = (key: number, change: Partial<Upload>) =>
    setUploads((current) => current.map((upload) => (upload.key === key ? { ...upload, ...change } : upload)));

  async function uploadAll(files: readonly File[]): Promise<void> {
    if (files.length === 0 || isBusy) return;
    const queued = files.map((file) => ({ file, key: ++uploadCounter }));
    setUploads((current) => [
      ...queued.map(({ file, key }) => ({ key, name: file.name, state: 'waiting' as const, percent: 0 })),
      ...current,
    ]);
    setBusy(true);
    setSummary('');
    const headers: Record<string, string> = { accept: 'application/json', 'accept-language': locale };
    if (me.csrfToken) headers['x-csrf-token'] = me.csrfToken;
    let ready = 0;
    let failed = 0;
    for (const { file, key } of queued) {
      if (file.size > uploadMaxBytes) {
        update(key, { state: 'failed', errorCode: 'AI_DOCUMENT_TOO_LARGE' });
        failed += 1;
        continue;
      }
      update(key, { state: 'sending' });
      try {
        const result = await sendFile(
          collectionId,
          file,
          headers,
          (fraction) => update(key, { percent: Math.round(fraction * 100) }),
          () => update(key, { state: 'indexing', percent: 100 }),
        );
        if (result.status === 'ready') ready += 1;
        else failed += 1;
        update(
          key,
          result.status === 'ready' ? { state: 'ready' } : { state: 'failed', errorCode: result.errorCode ?? '' },
        );
      } catch (error) {
        failed += 1;
        const code = (error as { code?: string }).code;
        update(key, {
          state: 'failed',
          errorCode: code,
          errorMessage: error instanceof Error ? error.message : undefined,
        });
      }
      await queryClient.invalidateQueries({ queryKey: assistantKeys.documents(collectionId) });
    }
    await queryClient.invalidateQueries({ queryKey: assistantKeys.collections });
    setBusy(false);
    setSummary(t.uploadsDone(ready, failed));
  }

  function stateText(upload: Upload): string {
    switch (upload.state) {
      case 'waiting':
        return t.uploadWaiting;
      case 'sending':
        return t.uploadSending(upload.percent);
      case 'indexing':
        return t.uploadIndexing;
      case 'ready':
        return t.uploadReady;
      case 'failed':
        return t.uploadFailed(failureText(t, upload.errorCode, upload.errorMessage));
    }
  }

  return (
    <section aria-labelledby={`${id}-title`} className="fr-mb-4w">
      <h2 id={`${id}-title`} className="fr-h4">
        {t.uploadTitle}
      </h2>
      <form
        className={`bureau-albert-drop${isDragging ? ' is-dragging' : ''}`}
        onSubmit={(event) => {
          event.preventDefault();
          const files = [...(inputRef.current?.files ?? [])];
          if (inputRef.current) inputRef.current.value = '';
          void uploadAll(files);
        }}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void uploadAll([...event.dataTransfer.files]);
        }}
      >
        <div className="fr-upload-group">
          <label className="fr-label" htmlFor={`${id}-files`}>
            {t.filesLabel}
            <span className="fr-hint-text">{t.filesHint}</span>
            <span className="fr-hint-text">{t.dropHint}</span>
          </label>
          <input ref={inputRef} className="fr-upload" type="file" id={`${id}-files`} multiple accept={uploadAccept} />
        </div>
        <button
          type="submit"
          className="fr-btn fr-btn--secondary fr-icon-upload-line fr-btn--icon-left fr-mt-2w"
          disabled={isBusy}
        >
          {t.upload}
        </button>
      </form>
      <p role="status" className="fr-text--sm fr-mt-1w fr-mb-1w">
        {summary}
      </p>
      {uploads.length > 0 && (
        <>
          <h3 className="fr-h6 fr-mb-1w">{t.uploadsTitle}</h3>
          <ul className="bureau-albert-uploads">
            {uploads.map((upload) => (
              <li key={upload.key} className={`bureau-albert-upload is-${upload.state}`}>
                <span
                  className={`fr-icon--sm ${
                    upload.state === 'ready'
                      ? 'fr-icon-success-line'
                      : upload.state === 'failed'
                        ? 'fr-icon-error-warning-line'
                        : 'fr-icon-time-line'
                  }`}
                  aria-hidden="true"
                />{' '}
                <strong>{upload.name}</strong> — <span>{stateText(upload)}</span>
                {upload.state === 'sending' && (
                  <progress
                    className="bureau-albert-progress"
                    max={100}
                    value={upload.percent}
                    aria-label={t.uploadProgressOf(upload.name)}
                  />
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
