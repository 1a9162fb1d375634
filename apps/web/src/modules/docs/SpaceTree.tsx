import { createContext, useContext, useEffect, useId, useReducer, useState, type Dispatch } from 'react';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { ActionsMenu } from './ActionsMenu.tsx';
import { useTreeLevel, type DocsDocumentSummary } from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { DuplicateDialog, MoveDialog, TrashDialog, type PageRef } from './PageDialogs.tsx';
import { NewPageDialog } from './TemplateDialogs.tsx';
import { initialTreeState, isExpanded, treeReducer, type TreeAction, type TreeState } from './tree-state.ts';

type NodeAction = 'subPage' | 'move' | 'duplicate' | 'trash';

interface TreeContextValue {
  spaceId: string;
  currentId: string | undefined;
  canEdit: boolean;
  state: TreeState;
  dispatch: Dispatch<TreeAction>;
  onAction: (action: NodeAction, node: DocsDocumentSummary) => void;
}

const TreeContext = createContext<TreeContextValue | undefined>(undefined);

function useTree(): TreeContextValue {
  const value = useContext(TreeContext);
  if (!value) throw new Error('A tree node outside <SpaceTree>.');
  return value;
}

/**
 * A space's pages as a tree of nested lists: each page is a link, with a button that shows or hides its
 * sub-pages (fetched when first shown; aria-expanded says which) and, for those who may edit, a menu of
 * actions (new sub-page, move, duplicate, trash). Everything is reached with Tab and used with Enter or
 * Space; the current page is marked (aria-current) and the pages above it are open.
 *
 * `root` starts the tree at one page rather than at the top of the space (for someone who was given
 * that page only).
 */
export function SpaceTree(props: {
  spaceId: string;
  label: string;
  canEdit: boolean;
  currentId?: string;
  /** The pages above the current one, from the top: shown open. */
  ancestorIds?: readonly string[];
  root?: DocsDocumentSummary;
}) {
  const t = useMessages(docsMessages);
  const navigate = useNavigate();
  const [state, dispatch] = useReducer(treeReducer, initialTreeState);
  const [dialog, setDialog] = useState<{ action: NodeAction; node: DocsDocumentSummary } | undefined>();
  const [status, setStatus] = useState('');
  const ancestors = (props.ancestorIds ?? []).join(',');
  const { currentId } = props;

  useEffect(() => {
    if (ancestors) dispatch({ type: 'reveal', ids: ancestors.split(',') });
  }, [ancestors, currentId]);

  const context: TreeContextValue = {
    spaceId: props.spaceId,
    currentId,
    canEdit: props.canEdit,
    state,
    dispatch,
    onAction: (action, node) => setDialog({ action, node }),
  };

  /** Whether the page shown is this one or below it (it goes with it when it moves or goes to the trash). */
  function isAroundCurrent(id: string): boolean {
    return id === currentId || (props.ancestorIds ?? []).includes(id);
  }

  const page: PageRef | undefined = dialog && {
    id: dialog.node.id,
    title: dialog.node.title || t.untitled,
    spaceId: dialog.node.spaceId,
    parentId: dialog.node.parentId,
  };

  return (
    <TreeContext.Provider value={context}>
      <nav className="bureau-docs-tree" aria-label={props.label}>
        <p role="status" className="fr-text--sm bureau-docs-status">
          {status}
        </p>
        {props.root ? (
          <ul className="bureau-docs-tree__level">
            <TreeNode node={props.root} />
          </ul>
        ) : (
          <TreeLevel parentId={null} />
        )}
      </nav>
      {dialog && page && dialog.action === 'subPage' && (
        <NewPageDialog
          title={t.newSubPageOf(page.title)}
          spaceId={dialog.node.spaceId}
          parentId={dialog.node.id}
          onClose={() => setDialog(undefined)}
          onCreated={(document) => {
            dispatch({ type: 'expand', id: page.id });
            setDialog(undefined);
            void navigate(`/documents/${encodeURIComponent(document.id)}`);
          }}
        />
      )}
      {dialog && page && dialog.action === 'move' && (
        <MoveDialog
          page={page}
          onClose={() => setDialog(undefined)}
          onDone={() => {
            // The page shown follows its page if it went to another space (it is fetched again).
            setDialog(undefined);
            setStatus(t.moved(page.title));
          }}
        />
      )}
      {dialog && page && dialog.action === 'duplicate' && (
        <DuplicateDialog
          page={page}
          onClose={() => setDialog(undefined)}
          onDone={(copy) => {
            setDialog(undefined);
            setStatus(t.duplicated(copy.title || t.untitled));
          }}
        />
      )}
      {dialog && page && dialog.action === 'trash' && (
        <TrashDialog
          page={page}
          onClose={() => setDialog(undefined)}
          onDone={() => {
            setDialog(undefined);
            dispatch({ type: 'forget', id: page.id });
            setStatus(t.trashed(page.title));
            if (isAroundCurrent(page.id)) {
              void navigate(`/documents/espaces/${encodeURIComponent(props.spaceId)}`, { replace: true });
            }
          }}
        />
      )}
    </TreeContext.Provider>
  );
}

/** One level of the tree: the top pages of the space, or the sub-pages of a page, a page of results at a time. */
function TreeLevel({ parentId, id }: { parentId: string | null; id?: string }) {
  const t = useMessages(docsMessages);
  const { spaceId } = useTree();
  const level = useTreeLevel(spaceId, parentId);
  const items = level.data?.pages.flatMap((page) => page.items) ?? [];
  if (level.isPending) {
    return (
      <p id={id} role="status" className="bureau-loading fr-text--sm fr-mb-0">
        {parentId ? t.loadingChildren : t.loading}
      </p>
    );
  }
  if (level.isError) {
    return (
      <div id={id}>
        <ErrorNotice error={level.error} onRetry={() => void level.refetch()} />
      </div>
    );
  }
  if (items.length === 0) {
    return parentId ? null : (
      <p id={id} className="fr-text--sm">
        {t.emptySpace}
      </p>
    );
  }
  return (
    <ul id={id} className="bureau-docs-tree__level">
      {items.map((node) => (
        <TreeNode key={node.id} node={node} />
      ))}
      {level.hasNextPage && (
        <li>
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline"
            disabled={level.isFetchingNextPage}
            onClick={() => void level.fetchNextPage()}
          >
            {level.isFetchingNextPage ? t.loading : t.loadMore}
          </button>
        </li>
      )}
    </ul>
  );
}

function TreeNode({ node }: { node: DocsDocumentSummary }) {
  const t = useMessages(docsMessages);
  const tree = useTree();
  const childrenId = useId();
  const title = node.title || t.untitled;
  const isOpen = node.hasChildren && isExpanded(tree.state, node.id);
  const isCurrent = node.id === tree.currentId;
  return (
    <li>
      <div className={`bureau-docs-tree__row${isCurrent ? ' is-current' : ''}`}>
        {node.hasChildren ? (
          <button
            type="button"
            className={`fr-btn fr-btn--tertiary-no-outline fr-btn--sm bureau-docs-tree__toggle ${
              isOpen ? 'fr-icon-arrow-down-s-line' : 'fr-icon-arrow-right-s-line'
            }`}
            aria-expanded={isOpen}
            aria-controls={isOpen ? childrenId : undefined}
            title={t.subPagesOf(title)}
            onClick={() => tree.dispatch({ type: 'toggle', id: node.id })}
          >
            {t.subPagesOf(title)}
          </button>
        ) : (
          <span className="bureau-docs-tree__spacer" aria-hidden="true" />
        )}
        <Link
          className="bureau-docs-tree__link"
          to={`/documents/${encodeURIComponent(node.id)}`}
          aria-current={isCurrent ? 'page' : undefined}
        >
          {title}
        </Link>
        {tree.canEdit && (
          <ActionsMenu
            label={t.actionsOf(title)}
            actions={[
              { label: t.newSubPage, icon: 'fr-icon-add-line', onSelect: () => tree.onAction('subPage', node) },
              { label: t.move, icon: 'fr-icon-drag-move-2-line', onSelect: () => tree.onAction('move', node) },
              { label: t.duplicate, icon: 'fr-icon-file-copy-line', onSelect: () => tree.onAction('duplicate', node) },
              { label: t.toTrash, icon: 'fr-icon-delete-line', onSelect: () => tree.onAction('trash', node) },
            ]}
          />
        )}
      </div>
      {isOpen && <TreeLevel parentId={node.id} id={childrenId} />}
    </li>
  );
}
