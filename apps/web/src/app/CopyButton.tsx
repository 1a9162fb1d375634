import { useState } from 'react';
import { useMessages } from '../i18n.tsx';
import { shellMessages } from '../messages.ts';

/**
 * Copies a text (a secret shown once) to the clipboard and says so. Where the clipboard is refused
 * (an insecure origin, a policy), the text stays selectable by hand (`.bureau-secret`).
 */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useMessages(shellMessages);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button
        type="button"
        className="fr-btn fr-btn--sm fr-btn--secondary fr-btn--icon-left fr-icon-clipboard-line fr-mt-1w"
        onClick={() => {
          void (async () => {
            try {
              await navigator.clipboard.writeText(text);
              setState('copied');
            } catch {
              setState('failed');
            }
          })();
        }}
      >
        {label ?? t.copy}
      </button>
      <span role="status" className="fr-text--sm fr-ml-2w">
        {state === 'copied' ? t.copied : state === 'failed' ? t.copyFailed : ''}
      </span>
    </>
  );
}
