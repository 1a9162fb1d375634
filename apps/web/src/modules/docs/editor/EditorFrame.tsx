import '@blocknote/mantine/style.css';
import { BlockNoteContext } from '@blocknote/react';
import { useIsDark } from '@codegouvfr/react-dsfr/useIsDark';
import { MantineProvider } from '@mantine/core';
import { useMemo, type ReactNode } from 'react';
import './editor.css';
import { cspSafePlaceholders } from './placeholders.ts';

/**
 * What every BlockNote view of the app sits in. Mantine's provider is the app's own, so that Mantine adds
 * no `<style>` element (the CSP allows style sheets from the server only): its variables come from
 * BlockNote's style sheet, its colour scheme follows DSFR's (light unless the person chose dark).
 */
export function EditorFrame({ children }: { children: ReactNode }) {
  const { isDark } = useIsDark();
  const scheme = isDark ? 'dark' : 'light';
  const blockNoteContext = useMemo(() => ({ colorSchemePreference: scheme }) as const, [scheme]);
  return (
    <MantineProvider
      withCssVariables={false}
      withGlobalClasses={false}
      forceColorScheme={scheme}
      getRootElement={() => undefined}
    >
      <BlockNoteContext.Provider value={blockNoteContext}>
        <div className="bureau-docs-editor">{children}</div>
      </BlockNoteContext.Provider>
    </MantineProvider>
  );
}

/** A CSP-safe collaborator's cursor: colours set through the CSSOM, never a `style` attribute. */
export function renderCursor(user: { name: string; color: string }): HTMLElement {
  const cursor = document.createElement('span');
  cursor.classList.add('bn-collaboration-cursor__base');
  const caret = document.createElement('span');
  caret.setAttribute('contenteditable', 'false');
  caret.classList.add('bn-collaboration-cursor__caret');
  caret.style.backgroundColor = user.color;
  const label = document.createElement('span');
  label.classList.add('bn-collaboration-cursor__label');
  label.style.backgroundColor = user.color;
  label.style.color = '#fff';
  label.textContent = user.name;
  caret.append(label);
  // Word joiners around the caret, as BlockNote's own cursor: the line does not break at it.
  cursor.append('\u2060', caret, '\u2060');
  return cursor;
}

/**
 * What every editor of the app is created with, for the CSP (style sheets from the server only, no
 * `<style>` element): Tiptap's base styles are in editor.css rather than injected, and BlockNote's
 * placeholders come from placeholders.ts rather than from rules it writes into a `<style>` element.
 */
export const cspSafeEditorOptions = {
  _tiptapOptions: { injectCSS: false },
  disableExtensions: ['placeholder'],
  extensions: [cspSafePlaceholders()],
};
