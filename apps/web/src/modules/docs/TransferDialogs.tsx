import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { useLocale, useMessages, type Locale } from '../../i18n.tsx';
import { Dialog } from './Dialog.tsx';
import {
  docsExportFormats,
  docsLimits,
  downloadExport,
  importAccept,
  importDocument,
  refreshAfterChange,
  type DocsDocument,
  type DocsExportFormat,
} from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';

/** A size in the person's language (Ko, Mo). */
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

/** Exports a page in one of five formats, with its sub-pages (a zip) or not; says how far it got. */
export function ExportDialog(props: {
  page: { id: string; title: string };
  hasChildren: boolean;
  onClose: () => void;
}) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const id = useId();
  const [format, setFormat] = useState<DocsExportFormat>('docx');
  const [withChildren, setWithChildren] = useState(false);
  const [status, setStatus] = useState('');
  // The status is read out: it changes every second at most, not with every chunk received.
  const lastProgress = useRef(0);
  const exportFile = useMutation({
    mutationFn: () =>
      downloadExport(props.page.id, {
        format,
        withChildren,
        fallbackName: `${props.page.title}.${withChildren ? 'zip' : format}`,
        onProgress: (received, total) => {
          if (Date.now() - lastProgress.current < 1_000) return;
          lastProgress.current = Date.now();
          setStatus(t.exportProgress(formatSize(locale, received), total === null ? null : formatSize(locale, total)));
        },
      }),
    onMutate: () => setStatus(t.exporting),
    onSuccess: (name) => setStatus(t.exported(name)),
    onError: () => setStatus(''),
  });
  return (
    <Dialog title={t.exportTitle(props.page.title)} closeLabel={t.close} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          exportFile.mutate();
        }}
      >
        <RadioButtons
          legend={t.formatLegend}
          name={`${id}-format`}
          options={docsExportFormats.map((value) => ({
            label: t.formats[value],
            nativeInputProps: { value, checked: format === value, onChange: () => setFormat(value) },
          }))}
        />
        {props.hasChildren && (
          <Checkbox
            options={[
              {
                label: t.exportWithChildren,
                nativeInputProps: {
                  checked: withChildren,
                  onChange: (event) => setWithChildren(event.target.checked),
                },
              },
            ]}
          />
        )}
        <p role="status" className="fr-text--sm bureau-docs-status">
          {status}
        </p>
        {exportFile.isError && <ErrorNotice error={exportFile.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
              {t.close}
            </button>
          </li>
          <li>
            <button
              type="submit"
              className="fr-btn fr-icon-download-line fr-btn--icon-left"
              disabled={exportFile.isPending}
            >
              {t.exportSubmit}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}

type ImportProgress = { step: 'idle' } | { step: 'sending'; percent: number } | { step: 'converting' };

/**
 * Imports a Markdown, HTML, DOCX or ODT file as a new page under a page of the space: the upload's
 * progress, then the conversion, then a link to the page made.
 */
export function ImportDialog(props: { spaceId: string; parent: { id: string; title: string }; onClose: () => void }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | undefined>();
  const [fileError, setFileError] = useState('');
  const [progress, setProgress] = useState<ImportProgress>({ step: 'idle' });
  const maxSize = formatSize(locale, docsLimits.importMaxBytes);

  const upload = useMutation({
    mutationFn: (chosen: File) =>
      importDocument({ spaceId: props.spaceId, parentId: props.parent.id }, chosen, {
        csrfToken: me.csrfToken,
        onProgress: (fraction) =>
          setProgress(
            fraction >= 1 ? { step: 'converting' } : { step: 'sending', percent: Math.round(fraction * 100) },
          ),
      }),
    onMutate: () => setProgress({ step: 'sending', percent: 0 }),
    onSettled: () => setProgress({ step: 'idle' }),
    onSuccess: async () => {
      setFile(undefined);
      if (inputRef.current) inputRef.current.value = '';
      await refreshAfterChange(queryClient);
    },
  });
  const imported: DocsDocument | undefined = upload.data;

  return (
    <Dialog title={t.importTitle} closeLabel={t.close} onClose={props.onClose} initialFocus={inputRef}>
      <p className="fr-text--sm">{t.importIntro(props.parent.title)}</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const error = !file ? t.fileRequired : file.size > docsLimits.importMaxBytes ? t.fileTooLarge(maxSize) : '';
          setFileError(error);
          if (error || !file) {
            inputRef.current?.focus();
            return;
          }
          upload.mutate(file);
        }}
      >
        <div className={`fr-upload-group${fileError ? ' fr-input-group--error' : ''}`}>
          <label className="fr-label" htmlFor={`${id}-file`}>
            {t.fileLabel}
            <span className="fr-hint-text">{t.fileHint(maxSize)}</span>
          </label>
          <input
            ref={inputRef}
            id={`${id}-file`}
            className="fr-upload"
            type="file"
            accept={importAccept}
            aria-describedby={fileError ? `${id}-file-error` : undefined}
            onChange={(event) => {
              setFile(event.target.files?.[0]);
              setFileError('');
            }}
          />
          {fileError && (
            <p id={`${id}-file-error`} className="fr-error-text">
              {fileError}
            </p>
          )}
        </div>
        <div role="status" className="fr-text--sm bureau-docs-status fr-mt-2w">
          {progress.step === 'sending' && (
            <>
              {t.sending(progress.percent)}
              <progress
                className="bureau-docs-progress"
                max={100}
                value={progress.percent}
                aria-label={t.importProgress}
              />
            </>
          )}
          {progress.step === 'converting' && t.converting}
          {progress.step === 'idle' && imported && (
            <>
              {t.imported(imported.title || t.untitled)}{' '}
              <Link to={`/documents/${encodeURIComponent(imported.id)}`} onClick={props.onClose}>
                {t.openImported}
              </Link>
            </>
          )}
        </div>
        {upload.isError && <ErrorNotice error={upload.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
              {t.close}
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn fr-icon-upload-line fr-btn--icon-left" disabled={upload.isPending}>
              {t.importSubmit}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}
