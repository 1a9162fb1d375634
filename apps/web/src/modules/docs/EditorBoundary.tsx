import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Component, type ReactNode } from 'react';
import { useMessages } from '../../i18n.tsx';
import { docsMessages } from './docs.messages.ts';

/**
 * Keeps a failure of the editor (its chunk could not be fetched, content it cannot read) inside its
 * frame: the rest of the page (tree, title, sharing) stays usable, with a way to reload.
 */
export class EditorBoundary extends Component<{ children: ReactNode }, { hasFailed: boolean }> {
  override state = { hasFailed: false };

  static getDerivedStateFromError(): { hasFailed: boolean } {
    return { hasFailed: true };
  }

  override render(): ReactNode {
    return this.state.hasFailed ? <EditorFailure /> : this.props.children;
  }
}

function EditorFailure() {
  const t = useMessages(docsMessages);
  return (
    <Alert
      severity="error"
      small
      description={
        <>
          {t.editorFailed}{' '}
          <button type="button" className="fr-link" onClick={() => window.location.reload()}>
            {t.reload}
          </button>
        </>
      }
    />
  );
}
