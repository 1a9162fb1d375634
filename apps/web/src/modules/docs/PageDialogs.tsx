import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { ConfirmDialog, Dialog } from './Dialog.tsx';
import {
  docsKeys,
  duplicateDocument,
  moveDocument,
  refreshAfterChange,
  trashDocument,
  useSpaces,
  useTreeLevel,
  type DocsDocument,
} from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';

/** The page an action is about, as the tree and the page's header both know it. */
export interface PageRef {
  id: string;
  title: string;
  spaceId: string;
  parentId: string | null;
}

/** Sends a page and its sub-pages to the trash, after asking. */
export function TrashDialog(props: { page: PageRef; onClose: () => void; onDone: () => void }) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const trash = useMutation({
    mutationFn: () => trashDocument(props.page.id),
    onSuccess: async () => {
      await refreshAfterChange(queryClient, props.page.id);
      props.onDone();
    },
  });
  return (
    <ConfirmDialog
      title={t.toTrash}
      question={t.confirmTrash(props.page.title)}
      confirmLabel={t.toTrash}
      cancelLabel={t.cancel}
      closeLabel={t.close}
      isPending={trash.isPending}
      error={trash.isError ? <ErrorNotice error={trash.error} /> : undefined}
      onConfirm={() => trash.mutate()}
      onClose={props.onClose}
    />
  );
}

/** Copies a page beside it, with its sub-pages or not. */
export function DuplicateDialog(props: { page: PageRef; onClose: () => void; onDone: (copy: DocsDocument) => void }) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const [withChildren, setWithChildren] = useState(false);
  const submitRef = useRef<HTMLButtonElement>(null);
  const duplicate = useMutation({
    mutationFn: () => duplicateDocument(props.page.id, withChildren),
    onSuccess: async (copy) => {
      await refreshAfterChange(queryClient);
      props.onDone(copy);
    },
  });
  return (
    <Dialog
      title={t.duplicateTitle(props.page.title)}
      closeLabel={t.close}
      onClose={props.onClose}
      initialFocus={submitRef}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          duplicate.mutate();
        }}
      >
        <Checkbox
          options={[
            {
              label: t.withChildren,
              nativeInputProps: { checked: withChildren, onChange: (event) => setWithChildren(event.target.checked) },
            },
          ]}
        />
        {duplicate.isError && <ErrorNotice error={duplicate.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
              {t.cancel}
            </button>
          </li>
          <li>
            <button ref={submitRef} type="submit" className="fr-btn" disabled={duplicate.isPending}>
              {t.duplicate}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}

/**
 * Moves a page (and its sub-pages) to another place: a space the person may edit, then the top of it or a
 * page under which it goes (a tree of radio buttons; the page itself and what is under it are left out).
 */
export function MoveDialog(props: {
  page: PageRef;
  /** The pages above the page, from the top: shown open, its current place checked. */
  ancestorIds?: readonly string[];
  onClose: () => void;
  onDone: (moved: DocsDocument) => void;
}) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const spaces = useSpaces();
  const { page } = props;
  const [spaceId, setSpaceId] = useState(page.spaceId);
  const [parentId, setParentId] = useState<string | null>(page.parentId);
  const selectRef = useRef<HTMLSelectElement>(null);
  const editable = (spaces.data ?? []).filter((space) => space.abilities.edit || space.id === page.spaceId);

  const move = useMutation({
    mutationFn: () => moveDocument(page.id, { ...(spaceId === page.spaceId ? {} : { spaceId }), parentId }),
    onSuccess: async (moved) => {
      // The page and those under it may now be in another space: every page shown is fetched again.
      await Promise.all([
        refreshAfterChange(queryClient),
        queryClient.invalidateQueries({ queryKey: ['docs', 'document'] }),
        queryClient.invalidateQueries({ queryKey: docsKeys.spaces }),
      ]);
      props.onDone(moved);
    },
  });

  return (
    <Dialog title={t.moveTitle(page.title)} closeLabel={t.close} onClose={props.onClose} initialFocus={selectRef}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          move.mutate();
        }}
      >
        {spaces.isError && <ErrorNotice error={spaces.error} onRetry={() => void spaces.refetch()} />}
        <Select
          label={t.destinationSpace}
          nativeSelectProps={{
            ref: selectRef,
            value: spaceId,
            onChange: (event) => {
              setSpaceId(event.currentTarget.value);
              setParentId(event.currentTarget.value === page.spaceId ? page.parentId : null);
            },
          }}
        >
          {editable.map((space) => (
            <option key={space.id} value={space.id}>
              {space.name}
            </option>
          ))}
        </Select>
        <ParentPicker
          key={spaceId}
          spaceId={spaceId}
          excludeId={page.id}
          value={parentId}
          onChange={setParentId}
          openIds={spaceId === page.spaceId ? (props.ancestorIds ?? []) : []}
        />
        {move.isError && <ErrorNotice error={move.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
              {t.cancel}
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn" disabled={move.isPending}>
              {t.moveHere}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}

interface PickerProps {
  spaceId: string;
  excludeId: string;
  value: string | null;
  onChange: (parentId: string | null) => void;
  name: string;
  open: readonly string[];
  toggle: (id: string) => void;
}

/** Where the page goes: the top of the space, or under one of its pages (radio buttons, one group). */
function ParentPicker(props: {
  spaceId: string;
  excludeId: string;
  value: string | null;
  onChange: (parentId: string | null) => void;
  openIds: readonly string[];
}) {
  const t = useMessages(docsMessages);
  const name = useId();
  const [open, setOpen] = useState<readonly string[]>(props.openIds);
  const picker: PickerProps = {
    ...props,
    name,
    open,
    toggle: (id) =>
      setOpen((current) => (current.includes(id) ? current.filter((item) => item !== id) : [...current, id])),
  };
  return (
    <fieldset className="fr-fieldset">
      <legend className="fr-fieldset__legend fr-text--regular">{t.destinationParent}</legend>
      <div className="fr-fieldset__element bureau-docs-picker">
        <div className="fr-radio-group fr-radio-group--sm">
          <input
            type="radio"
            id={`${name}-top`}
            name={name}
            checked={props.value === null}
            onChange={() => props.onChange(null)}
          />
          <label className="fr-label" htmlFor={`${name}-top`}>
            {t.topOfSpace}
          </label>
        </div>
        <PickerLevel picker={picker} parentId={null} />
      </div>
    </fieldset>
  );
}

function PickerLevel({ picker, parentId, id }: { picker: PickerProps; parentId: string | null; id?: string }) {
  const t = useMessages(docsMessages);
  const level = useTreeLevel(picker.spaceId, parentId);
  const items = (level.data?.pages.flatMap((page) => page.items) ?? []).filter((node) => node.id !== picker.excludeId);
  if (level.isPending) {
    return (
      <p id={id} className="bureau-loading fr-text--sm fr-mb-0">
        {t.loadingChildren}
      </p>
    );
  }
  if (level.isError) return <ErrorNotice error={level.error} onRetry={() => void level.refetch()} />;
  if (items.length === 0) return null;
  return (
    <ul id={id} className="bureau-docs-picker__level">
      {items.map((node) => {
        const title = node.title || t.untitled;
        const isOpen = node.hasChildren && picker.open.includes(node.id);
        const inputId = `${picker.name}-${node.id}`;
        return (
          <li key={node.id}>
            <div className="bureau-docs-picker__row">
              {node.hasChildren ? (
                <button
                  type="button"
                  className={`fr-btn fr-btn--tertiary-no-outline fr-btn--sm bureau-docs-tree__toggle ${
                    isOpen ? 'fr-icon-arrow-down-s-line' : 'fr-icon-arrow-right-s-line'
                  }`}
                  aria-expanded={isOpen}
                  aria-controls={isOpen ? `${inputId}-children` : undefined}
                  title={t.subPagesOf(title)}
                  onClick={() => picker.toggle(node.id)}
                >
                  {t.subPagesOf(title)}
                </button>
              ) : (
                <span className="bureau-docs-tree__spacer" aria-hidden="true" />
              )}
              <div className="fr-radio-group fr-radio-group--sm">
                <input
                  type="radio"
                  id={inputId}
                  name={picker.name}
                  checked={picker.value === node.id}
                  onChange={() => picker.onChange(node.id)}
                />
                <label className="fr-label" htmlFor={inputId}>
                  {title}
                </label>
              </div>
            </div>
            {isOpen && <PickerLevel picker={picker} parentId={node.id} id={`${inputId}-children`} />}
          </li>
        );
      })}
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
