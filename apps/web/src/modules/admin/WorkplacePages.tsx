import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { queryKeys, useExternalServices, useInstance } from '../../api/queries.ts';
import type { ExternalService } from '../../api/types.ts';
import { SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice, ForbiddenPage, useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { adminMessages, type AdminMessages } from './admin.messages.ts';

/** The limits of `externalServiceSchema` (packages/contracts/src/instance.ts), checked before sending. */
const serviceLimits = {
  max: 30,
  idPattern: /^[a-z0-9][a-z0-9-]{0,39}$/,
  nameMax: 60,
  urlMax: 500,
  descriptionMax: 200,
} as const;

type Field = 'id' | 'name' | 'url' | 'description';

interface Row {
  /** React's key for the row: stays with it when it moves. */
  key: number;
  id: string;
  name: string;
  url: string;
  description: string;
}

/** Errors by `<row index>.<field>`, as the API names them (`items.2.url` → `2.url`). */
type Errors = Record<string, string>;

function isWebAddress(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

function checkRows(rows: readonly Row[], t: AdminMessages): Errors {
  const errors: Errors = {};
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const id = row.id.trim();
    if (!id) errors[`${index}.id`] = t.required;
    else if (!serviceLimits.idPattern.test(id)) errors[`${index}.id`] = t.invalidId;
    else if (seen.has(id)) errors[`${index}.id`] = t.duplicateId;
    seen.add(id);
    if (!row.name.trim()) errors[`${index}.name`] = t.required;
    else if (row.name.trim().length > serviceLimits.nameMax) errors[`${index}.name`] = t.tooLong(serviceLimits.nameMax);
    if (!row.url.trim()) errors[`${index}.url`] = t.required;
    else if (row.url.trim().length > serviceLimits.urlMax) errors[`${index}.url`] = t.tooLong(serviceLimits.urlMax);
    else if (!isWebAddress(row.url.trim())) errors[`${index}.url`] = t.invalidUrl;
    if (row.description.trim().length > serviceLimits.descriptionMax) {
      errors[`${index}.description`] = t.tooLong(serviceLimits.descriptionMax);
    }
  });
  return errors;
}

/** The server's `VALIDATION_FAILED` issues on `items.<index>.<field>`, by row and field; others under `form`. */
function serverErrors(error: unknown): Errors | undefined {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') return undefined;
  const details = error.details as { issues?: { path?: string; message?: string }[] } | undefined;
  const errors: Errors = {};
  for (const issue of details?.issues ?? []) {
    const match = /^items\.(\d+)\.(id|name|url|description)$/.exec(issue.path ?? '');
    const key = match ? `${match[1]}.${match[2]}` : 'form';
    errors[key] = errors[key] ? `${errors[key]} ${issue.message ?? ''}` : (issue.message ?? error.message);
  }
  return Object.keys(errors).length > 0 ? errors : { form: error.message };
}

let nextRowKey = 1;
function toRow(service?: ExternalService): Row {
  return {
    key: nextRowKey++,
    id: service?.id ?? '',
    name: service?.name ?? '',
    url: service?.url ?? '',
    description: service?.description ?? '',
  };
}

/** The external services of the app switcher: add, edit, reorder, remove, then save them all at once. */
export function ExternalServicesPage() {
  const t = useMessages(adminMessages);
  const me = useSignedInUser();
  const services = useExternalServices();
  if (!me.isInstanceAdmin) return <ForbiddenPage />;
  return (
    <SectionPage title={t.externalServices} intro={t.externalServicesIntro}>
      {services.isPending && <p className="bureau-loading">{t.loading}</p>}
      {services.isError && <ErrorNotice error={services.error} onRetry={() => void services.refetch()} />}
      {services.isSuccess && <ExternalServicesForm initial={services.data} />}
    </SectionPage>
  );
}

function ExternalServicesForm({ initial }: { initial: ExternalService[] }) {
  const t = useMessages(adminMessages);
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<Row[]>(() => initial.map(toRow));
  const [errors, setErrors] = useState<Errors>({});
  const [focusKey, setFocusKey] = useState<number | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const save = useMutation({
    mutationFn: (items: ExternalService[]) =>
      api<{ items: ExternalService[] }>('/api/admin/workplace/services', { method: 'PUT', json: { items } }),
    onSuccess: (answer) => {
      setErrors({});
      queryClient.setQueryData(queryKeys.externalServices, answer.items);
    },
    onError: (error) => {
      const found = serverErrors(error);
      if (found) setErrors(found);
    },
  });

  // A new row's first field gets the focus.
  useEffect(() => {
    if (focusKey === null) return;
    document.getElementById(`service-${focusKey}-id`)?.focus();
    setFocusKey(null);
  }, [focusKey]);

  const errorCount = Object.keys(errors).length;
  useEffect(() => {
    if (errorCount > 0) summaryRef.current?.focus();
  }, [errors, errorCount]);

  function update(key: number, field: Field, value: string): void {
    setRows((current) => current.map((row) => (row.key === key ? { ...row, [field]: value } : row)));
    save.reset();
  }

  function move(index: number, by: -1 | 1): void {
    setRows((current) => {
      const next = [...current];
      const [row] = next.splice(index, 1);
      if (row) next.splice(index + by, 0, row);
      return next;
    });
    setErrors({});
    save.reset();
  }

  function remove(index: number): void {
    setRows((current) => current.filter((_, position) => position !== index));
    setErrors({});
    save.reset();
  }

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const found = checkRows(rows, t);
        setErrors(found);
        if (Object.keys(found).length > 0) return;
        save.mutate(
          rows.map((row) => ({
            id: row.id.trim(),
            name: row.name.trim(),
            url: row.url.trim(),
            description: row.description.trim() || null,
          })),
        );
      }}
    >
      {errorCount > 0 && (
        <div ref={summaryRef} tabIndex={-1} className="fr-mb-3w">
          <Alert
            severity="error"
            small
            description={errors.form ? `${t.formHasErrors(errorCount)} ${errors.form}` : t.formHasErrors(errorCount)}
          />
        </div>
      )}
      {rows.length === 0 && <p>{t.noServices}</p>}
      {rows.map((row, index) => {
        const label = row.name.trim() || row.id.trim() || String(index + 1);
        const fieldProps = (field: Field) => {
          const message = errors[`${index}.${field}`];
          return message === undefined ? {} : { state: 'error' as const, stateRelatedMessage: message };
        };
        return (
          <fieldset key={row.key} className="fr-fieldset bureau-service-row">
            <legend className="fr-fieldset__legend fr-h6" id={`service-${row.key}-legend`}>
              {t.serviceLegend(index + 1, row.name.trim())}
            </legend>
            <div className="fr-fieldset__element">
              <div className="fr-grid-row fr-grid-row--gutters">
                <div className="fr-col-12 fr-col-md-4">
                  <Input
                    label={t.serviceId}
                    hintText={t.serviceIdHint}
                    {...fieldProps('id')}
                    nativeInputProps={{
                      id: `service-${row.key}-id`,
                      value: row.id,
                      autoComplete: 'off',
                      spellCheck: false,
                      maxLength: 40,
                      required: true,
                      onChange: (event) => update(row.key, 'id', event.currentTarget.value),
                    }}
                  />
                </div>
                <div className="fr-col-12 fr-col-md-8">
                  <Input
                    label={t.serviceName}
                    {...fieldProps('name')}
                    nativeInputProps={{
                      value: row.name,
                      required: true,
                      maxLength: serviceLimits.nameMax,
                      onChange: (event) => update(row.key, 'name', event.currentTarget.value),
                    }}
                  />
                </div>
              </div>
              <Input
                label={t.serviceUrl}
                hintText={t.serviceUrlHint}
                {...fieldProps('url')}
                nativeInputProps={{
                  type: 'url',
                  value: row.url,
                  required: true,
                  spellCheck: false,
                  maxLength: serviceLimits.urlMax,
                  onChange: (event) => update(row.key, 'url', event.currentTarget.value),
                }}
              />
              <Input
                label={t.serviceDescription}
                hintText={t.serviceDescriptionHint}
                {...fieldProps('description')}
                nativeInputProps={{
                  value: row.description,
                  maxLength: serviceLimits.descriptionMax,
                  onChange: (event) => update(row.key, 'description', event.currentTarget.value),
                }}
              />
              <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-btns-group--icon-left">
                <li>
                  <Button
                    type="button"
                    priority="tertiary"
                    size="small"
                    iconId="fr-icon-arrow-up-line"
                    title={t.moveUpOf(label)}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  >
                    {t.moveUp}
                  </Button>
                </li>
                <li>
                  <Button
                    type="button"
                    priority="tertiary"
                    size="small"
                    iconId="fr-icon-arrow-down-line"
                    title={t.moveDownOf(label)}
                    disabled={index === rows.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    {t.moveDown}
                  </Button>
                </li>
                <li>
                  <Button
                    type="button"
                    priority="tertiary"
                    size="small"
                    iconId="fr-icon-delete-line"
                    title={t.removeServiceOf(label)}
                    onClick={() => remove(index)}
                  >
                    {t.removeService}
                  </Button>
                </li>
              </ul>
            </div>
          </fieldset>
        );
      })}
      {rows.length >= serviceLimits.max && <p className="fr-hint-text">{t.servicesLimit(serviceLimits.max)}</p>}
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
        <li>
          <Button
            type="button"
            priority="secondary"
            iconId="fr-icon-add-line"
            disabled={rows.length >= serviceLimits.max}
            onClick={() => {
              const row = toRow();
              setRows((current) => [...current, row]);
              setFocusKey(row.key);
              save.reset();
            }}
          >
            {t.addService}
          </Button>
        </li>
        <li>
          <Button type="submit" disabled={save.isPending}>
            {t.saveServices}
          </Button>
        </li>
      </ul>
      {save.isError && !serverErrors(save.error) && <ErrorNotice error={save.error} />}
      <div role="status">{save.isSuccess && <Alert severity="success" small description={t.servicesSaved} />}</div>
    </form>
  );
}

/** The administration's name, shown in the header (`PATCH /api/admin/instance`). */
export function InstancePage() {
  const t = useMessages(adminMessages);
  const me = useSignedInUser();
  const instance = useInstance();
  const queryClient = useQueryClient();
  const rename = useMutation({
    mutationFn: (name: string) => api<{ name: string }>('/api/admin/instance', { method: 'PATCH', json: { name } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.instance }),
  });
  if (!me.isInstanceAdmin) return <ForbiddenPage />;
  const validationError =
    rename.error instanceof ApiError && rename.error.code === 'VALIDATION_FAILED' ? rename.error.message : undefined;
  return (
    <SectionPage title={t.instance} intro={t.instanceIntro}>
      {instance.isPending && <p className="bureau-loading">{t.loading}</p>}
      {instance.isError && <ErrorNotice error={instance.error} />}
      {instance.isSuccess && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const value = new FormData(event.currentTarget).get('name');
            rename.mutate(typeof value === 'string' ? value.trim() : '');
          }}
        >
          <Input
            label={t.instanceName}
            hintText={t.instanceNameHint}
            {...(validationError ? { state: 'error' as const, stateRelatedMessage: validationError } : {})}
            nativeInputProps={{
              name: 'name',
              required: true,
              maxLength: 120,
              defaultValue: instance.data.name,
              autoComplete: 'organization',
            }}
          />
          {rename.isError && !validationError && <ErrorNotice error={rename.error} />}
          <div role="status">
            {rename.isSuccess && (
              <Alert severity="success" small description={t.renamed(rename.data.name)} className="fr-mb-2w" />
            )}
          </div>
          <Button type="submit" disabled={rename.isPending}>
            {t.rename}
          </Button>
        </form>
      )}
    </SectionPage>
  );
}
