import { createContext, useContext } from 'react';
import type { WritingTask } from '../../assistant/assistant.api.ts';

/**
 * What the page's editor offers the person, for the parts BlockNote renders itself (its formatting
 * toolbar, its floating composer): commenting, mentioning people, Albert on the selection.
 */
export interface EditorFeatures {
  canComment: boolean;
  /** « @ » in a comment searches the directory (agents only). */
  canMention: boolean;
  /** Albert on the selection (agents who may edit the page). */
  canUseAlbert: boolean;
  askAlbert: (task: WritingTask) => void;
  /** A discussion was just started: the discussions are shown. */
  onThreadCreated: () => void;
}

export const EditorFeaturesContext = createContext<EditorFeatures | undefined>(undefined);

export function useEditorFeatures(): EditorFeatures {
  const features = useContext(EditorFeaturesContext);
  if (!features) throw new Error('useEditorFeatures() outside the page’s editor.');
  return features;
}
