/**
 * Which pages of a space's tree are open. Sub-pages are fetched when their parent opens; the state only
 * remembers the ids of the open pages, in the order they were opened (an array: it is compared, logged
 * and stored as it is).
 */
export interface TreeState {
  readonly expanded: readonly string[];
}

export type TreeAction =
  | { type: 'toggle'; id: string }
  | { type: 'expand'; id: string }
  | { type: 'collapse'; id: string }
  /** Opens every page on the way to the current one (its ancestors, from the top), so that it shows. */
  | { type: 'reveal'; ids: readonly string[] }
  /** A page left the tree (moved, sent to the trash): it is no longer remembered as open. */
  | { type: 'forget'; id: string };

export const initialTreeState: TreeState = { expanded: [] };

export function isExpanded(state: TreeState, id: string): boolean {
  return state.expanded.includes(id);
}

export function treeReducer(state: TreeState, action: TreeAction): TreeState {
  switch (action.type) {
    case 'toggle':
      return isExpanded(state, action.id)
        ? treeReducer(state, { type: 'collapse', id: action.id })
        : treeReducer(state, { type: 'expand', id: action.id });
    case 'expand':
      return isExpanded(state, action.id) ? state : { expanded: [...state.expanded, action.id] };
    case 'collapse':
    case 'forget':
      return isExpanded(state, action.id) ? { expanded: state.expanded.filter((id) => id !== action.id) } : state;
    case 'reveal': {
      const missing = action.ids.filter((id, index) => !isExpanded(state, id) && action.ids.indexOf(id) === index);
      return missing.length === 0 ? state : { expanded: [...state.expanded, ...missing] };
    }
  }
}
