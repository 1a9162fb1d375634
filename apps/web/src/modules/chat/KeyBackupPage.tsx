import { decodeRecoveryKey, encodeRecoveryKey, type KeyBackupInfo } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { CopyButton } from '../../app/CopyButton.tsx';
import { usePageTitle } from '../../app/page.ts';
import { useMessages } from '../../i18n.tsx';
import { useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';

interface BackupState {
  /** The backup on the server, if any. */
  info: KeyBackupInfo | null;
  /** Whether this device holds the backup's decryption key (it can read and feed the backup). */
  hasKey: boolean;
}

/**
 * The backup of this person's message keys (`/messagerie/chiffrement`), kept on the homeserver encrypted
 * (`m.megolm_backup.v1.curve25519-aes-sha2`): without it, a browser signed in later cannot read the encrypted
 * messages sent before. Turning it on gives a recovery key (the backup's decryption key, in Matrix's recovery
 * key encoding) to keep; on another browser, that key restores the history.
 */
export function KeyBackupPage() {
  const t = useMessages(chatMessages);
  const { client, crypto } = useChat();
  const api = client.getCrypto();
  usePageTitle(`${t.keyBackupTitle} – ${t.title}`);
  const [state, setState] = useState<BackupState | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [isBusy, setBusy] = useState(false);
  const [recoveryKey, setRecoveryKey] = useState<string | undefined>();
  const [status, setStatus] = useState('');
  const [typedKey, setTypedKey] = useState('');
  const fieldId = useId();

  const load = useCallback(async () => {
    if (!api) return;
    const check = await api.checkKeyBackupAndEnable();
    setState({ info: check?.backupInfo ?? null, hasKey: (await api.getSessionBackupPrivateKey()) !== null });
  }, [api]);

  useEffect(() => {
    load().catch(() => setError(t.keyBackupUnavailable));
  }, [load, t]);

  async function enable(): Promise<void> {
    if (!api) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.resetKeyBackup();
      const key = await api.getSessionBackupPrivateKey();
      setRecoveryKey(key ? encodeRecoveryKey(key) : undefined);
      setStatus(t.keyBackupEnabled);
      await load();
    } catch {
      setError(t.keyBackupFailed);
    } finally {
      setBusy(false);
    }
  }

  async function showKey(): Promise<void> {
    const key = await api?.getSessionBackupPrivateKey();
    if (key) setRecoveryKey(encodeRecoveryKey(key));
  }

  async function restore(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!api || !state?.info?.version) return;
    setError(undefined);
    let key: Uint8Array;
    try {
      key = decodeRecoveryKey(typedKey.trim());
    } catch {
      setError(t.recoveryKeyInvalid);
      return;
    }
    setBusy(true);
    try {
      await api.storeSessionBackupPrivateKey(key, state.info.version);
      const result = await api.restoreKeyBackup();
      if (result.total > 0 && result.imported === 0) {
        setError(t.recoveryKeyWrong);
      } else {
        setStatus(t.keysRestored(result.imported));
        setTypedKey('');
      }
      await load();
    } catch {
      setError(t.recoveryKeyWrong);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="bureau-chat-pane bureau-chat-pane--padded">
      <h1 className="fr-h3">{t.keyBackupTitle}</h1>
      <p>{t.keyBackupIntro}</p>
      <p role="status" className="fr-text--sm">
        {status}
      </p>
      {error && (
        <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
          <p>{error}</p>
        </div>
      )}
      {crypto !== 'on' || !api ? (
        <p>{crypto === 'other-tab' ? t.encryptionInOtherTab : t.encryptionUnsupported}</p>
      ) : !state ? (
        <p className="bureau-loading">{t.loading}</p>
      ) : (
        <>
          {recoveryKey && (
            <div className="fr-callout fr-mb-3w">
              <h2 className="fr-callout__title fr-h6">{t.recoveryKeyTitle}</h2>
              <p className="fr-callout__text fr-text--sm">{t.recoveryKeyHint}</p>
              <p className="bureau-secret fr-mb-0" aria-label={t.recoveryKeyTitle}>
                {recoveryKey}
              </p>
              <CopyButton text={recoveryKey} label={t.copyRecoveryKey} />
            </div>
          )}
          {!state.info ? (
            <>
              <p>{t.keyBackupNone}</p>
              <button type="button" className="fr-btn" disabled={isBusy} onClick={() => void enable()}>
                {t.enableKeyBackup}
              </button>
            </>
          ) : state.hasKey ? (
            <>
              <p>{t.keyBackupActive}</p>
              {!recoveryKey && (
                <button type="button" className="fr-btn fr-btn--secondary" onClick={() => void showKey()}>
                  {t.showRecoveryKey}
                </button>
              )}
            </>
          ) : (
            <form onSubmit={(event) => void restore(event)} noValidate>
              <p>{t.keyBackupElsewhere}</p>
              <div className="fr-input-group">
                <label className="fr-label" htmlFor={fieldId}>
                  {t.recoveryKeyLabel}
                  <span className="fr-hint-text">{t.recoveryKeyFieldHint}</span>
                </label>
                <input
                  id={fieldId}
                  className="fr-input"
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  value={typedKey}
                  onChange={(event) => setTypedKey(event.target.value)}
                />
              </div>
              <button type="submit" className="fr-btn" disabled={isBusy || typedKey.trim() === ''}>
                {t.restoreKeys}
              </button>
            </form>
          )}
        </>
      )}
      <p className="fr-mt-4w">
        <Link to="/messagerie" className="fr-link">
          {t.backToRooms}
        </Link>
      </p>
    </div>
  );
}
