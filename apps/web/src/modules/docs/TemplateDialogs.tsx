import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { Dialog } from './Dialog.tsx';
import {
  createDocument,
  docsKeys,
  refreshAfterChange,
  setTemplateScope,
  useTemplates,
  type DocsDocument,
  type TemplateScope,
} from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';

/**
 * A new page of a space (at its top, or under `parentId`): blank, or started from a template offered in
 * the space or by the person's organisation units (its content and title are copied).
 */
export function NewPageDialog(props: {
  title: string;
  spaceId: string;
  parentId?: string | null;
  onClose: () => void;
  onCreated: (document: DocsDocument) => void;
}) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const templates = useTemplates(props.spaceId);
  const [templateId, setTemplateId] = useState('');
  const name = useId();
  const blankRef = useRef<HTMLInputElement>(null);
  const create = useMutation({
    mutationFn: () =>
      createDocument({
        spaceId: props.spaceId,
        ...(props.parentId ? { parentId: props.parentId } : {}),
        ...(templateId ? { templateId } : {}),
      }),
    onSuccess: async (document) => {
      await refreshAfterChange(queryClient);
      props.onCreated(document);
    },
  });
  const items = templates.data ?? [];

  return (
    <Dialog title={props.title} closeLabel={t.close} onClose={props.onClose} initialFocus={blankRef}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <fieldset className="fr-fieldset" aria-describedby={`${name}-hint`}>
          <legend className="fr-fieldset__legend fr-text--regular">{t.startFrom}</legend>
          <p id={`${name}-hint`} className="fr-hint-text fr-fieldset__element">
            {t.startFromHint}
          </p>
          <div className="fr-fieldset__element">
            <div className="fr-radio-group">
              <input
                ref={blankRef}
                type="radio"
                id={`${name}-blank`}
                name={name}
                checked={templateId === ''}
                onChange={() => setTemplateId('')}
              />
              <label className="fr-label" htmlFor={`${name}-blank`}>
                {t.blankPage}
              </label>
            </div>
          </div>
          {items.map((template) => (
            <div className="fr-fieldset__element" key={template.id}>
              <div className="fr-radio-group">
                <input
                  type="radio"
                  id={`${name}-${template.id}`}
                  name={name}
                  checked={templateId === template.id}
                  onChange={() => setTemplateId(template.id)}
                />
                <label className="fr-label" htmlFor={`${name}-${template.id}`}>
                  {template.title || t.untitled}
                  <span className="fr-hint-text">{t.templateScopes[template.templateScope]}</span>
                </label>
              </div>
            </div>
          ))}
          {templates.isPending && (
            <p className="bureau-loading fr-text--sm fr-fieldset__element" role="status">
              {t.loadingTemplates}
            </p>
          )}
          {templates.isSuccess && items.length === 0 && (
            <p className="fr-text--sm fr-fieldset__element">{t.noTemplates}</p>
          )}
        </fieldset>
        {templates.isError && <ErrorNotice error={templates.error} onRetry={() => void templates.refetch()} />}
        {create.isError && <ErrorNotice error={create.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
              {t.cancel}
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn" disabled={create.isPending}>
              {t.createPage}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}

type ScopeChoice = TemplateScope | 'none';

/**
 * « Proposer comme modèle », for the page's owners: to nobody, to the members of its space, or to the
 * whole organisation unit (which then may read it, to start pages from it).
 */
export function TemplateDialog(props: {
  document: DocsDocument;
  title: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const name = useId();
  const [scope, setScope] = useState<ScopeChoice>(props.document.templateScope ?? 'none');
  const firstRef = useRef<HTMLInputElement>(null);
  const save = useMutation({
    mutationFn: () => setTemplateScope(props.document.id, scope === 'none' ? null : scope),
    onSuccess: async (updated) => {
      queryClient.setQueryData<DocsDocument>(docsKeys.document(props.document.id), (old) =>
        old ? { ...old, templateScope: updated.templateScope } : updated,
      );
      await queryClient.invalidateQueries({ queryKey: ['docs', 'templates'] });
      props.onDone(
        updated.templateScope ? t.templateOffered(t.templateScopes[updated.templateScope]) : t.templateWithdrawn,
      );
    },
  });
  const choices: { value: ScopeChoice; label: string; hint: string }[] = [
    { value: 'none', label: t.templateNone, hint: t.templateNoneHint },
    { value: 'space', label: t.templateToSpace, hint: t.templateToSpaceHint },
    { value: 'organisation', label: t.templateToOrganisation, hint: t.templateToOrganisationHint },
  ];

  return (
    <Dialog title={t.templateTitle(props.title)} closeLabel={t.close} onClose={props.onClose} initialFocus={firstRef}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (scope === (props.document.templateScope ?? 'none')) props.onClose();
          else save.mutate();
        }}
      >
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend fr-text--regular">{t.templateLegend}</legend>
          {choices.map((choice, index) => (
            <div className="fr-fieldset__element" key={choice.value}>
              <div className="fr-radio-group">
                <input
                  ref={index === 0 ? firstRef : undefined}
                  type="radio"
                  id={`${name}-${choice.value}`}
                  name={name}
                  checked={scope === choice.value}
                  onChange={() => setScope(choice.value)}
                />
                <label className="fr-label" htmlFor={`${name}-${choice.value}`}>
                  {choice.label}
                  <span className="fr-hint-text">{choice.hint}</span>
                </label>
              </div>
            </div>
          ))}
        </fieldset>
        {save.isError && <ErrorNotice error={save.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
              {t.cancel}
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn" disabled={save.isPending}>
              {t.save}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}
