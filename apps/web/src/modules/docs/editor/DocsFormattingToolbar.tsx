import { FormattingToolbar, getFormattingToolbarItems, useComponentsContext } from '@blocknote/react';
import { useMessages } from '../../../i18n.tsx';
import { writingTasks } from '../../assistant/assistant.api.ts';
import { docsMessages } from '../docs.messages.ts';
import { useEditorFeatures } from './editor-features.ts';

/**
 * BlockNote's formatting toolbar (shown over a selection) with what the page adds: « Commenter » for those
 * who may comment (their editor may be read only: the toolbar then holds that button alone) and « Albert »
 * for those who may ask Albert to rework the selection.
 */
export function DocsFormattingToolbar() {
  const features = useEditorFeatures();
  const items = getFormattingToolbarItems().filter((item) => features.canComment || item.key !== 'addCommentButton');
  return (
    <FormattingToolbar>
      {features.canUseAlbert ? [...items, <AlbertButton key="albertButton" />] : items}
    </FormattingToolbar>
  );
}

/** « Albert »: a menu of what Albert may do with the selection; each opens the proposal's dialog. */
function AlbertButton() {
  const t = useMessages(docsMessages);
  const Components = useComponentsContext();
  const features = useEditorFeatures();
  if (!Components) return null;
  return (
    <Components.Generic.Menu.Root position="bottom-start">
      <Components.Generic.Menu.Trigger>
        <Components.FormattingToolbar.Button
          className="bn-button bureau-docs-albert-button"
          mainTooltip={t.albertOnSelection}
          icon={<span className="ri-robot-2-line" aria-hidden="true" />}
        >
          {t.albert}
        </Components.FormattingToolbar.Button>
      </Components.Generic.Menu.Trigger>
      <Components.Generic.Menu.Dropdown className="bn-menu-dropdown">
        {writingTasks.map((task) => (
          <Components.Generic.Menu.Item key={task} onClick={() => features.askAlbert(task)}>
            {t.albertTasks[task]}
          </Components.Generic.Menu.Item>
        ))}
      </Components.Generic.Menu.Dropdown>
    </Components.Generic.Menu.Root>
  );
}
