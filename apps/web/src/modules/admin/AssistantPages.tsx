import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api/client.ts';
import { sensitivityLevels, type SensitivityLevel, type ServiceKey } from '../../api/types.ts';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { SectionPage } from '../../app/SectionLayout.tsx';
import { SensitivityBadge } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice, ForbiddenPage, NotFoundPage, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages, type Locale } from '../../i18n.tsx';
import { organisationOptions, useOrganisations } from './admin.api.ts';
import { DailyBarChart } from './DailyBarChart.tsx';
import { adminMessages, type AdminMessages } from './admin.messages.ts';
import {
  allModels,
  assistantKeys,
  clearancesFor,
  createAiProvider,
  deleteAiProvider,
  deleteAiQuota,
  maxClearanceForHosting,
  modelTypes,
  processorHostings,
  saveAiQuota,
  useAiModels,
  useAiProviders,
  useAiQuotas,
  useAiUsage,
  type AiProvider,
  type AiQuota,
  type AiUsageAggregate,
  type ModelType,
  type NewAiProvider,
  type ProcessorHosting,
  type ProviderHealth,
} from './assistant.api.ts';

const albertPath = '/administration/albert';

/**
 * Albert's administration (instance administrators): providers, models, quotas, usage, one page each. The
 * impact page, open to organisation administrators too, has its own route (AdminRoutes.tsx).
 */
export function AssistantRoutes() {
  const me = useSignedInUser();
  if (!me.isInstanceAdmin) return <ForbiddenPage />;
  return (
    <Routes>
      <Route index element={<Navigate to={`${albertPath}/fournisseurs`} replace />} />
      <Route path="fournisseurs" element={<ProvidersPage />} />
      <Route path="modeles" element={<ModelsPage />} />
      <Route path="quotas" element={<QuotasPage />} />
      <Route path="utilisation" element={<UsagePage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

/**
 * A page of Albert's administration: its h1, the links between its pages (organisation administrators
 * reach only the impact page, AssistantImpactPage.tsx: no links then), its introduction.
 */
export function AlbertPage(props: { title: string; intro: string; children: ReactNode }) {
  const t = useMessages(adminMessages).albert;
  const me = useSignedInUser();
  const { pathname } = useLocation();
  const pages = me.isInstanceAdmin
    ? [
        { to: `${albertPath}/fournisseurs`, text: t.providersTab },
        { to: `${albertPath}/modeles`, text: t.modelsTab },
        { to: `${albertPath}/quotas`, text: t.quotasTab },
        { to: `${albertPath}/utilisation`, text: t.usageTab },
        { to: `${albertPath}/impact`, text: t.impactTab },
      ]
    : [];
  return (
    <SectionPage title={props.title}>
      {pages.length > 0 && (
        <nav aria-label={t.navigation}>
          <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
            {pages.map((page) => {
              const isCurrent = pathname === page.to;
              return (
                <li key={page.to}>
                  <Link
                    to={page.to}
                    className={`fr-btn fr-btn--sm ${isCurrent ? 'fr-btn--secondary' : 'fr-btn--tertiary-no-outline'}`}
                    aria-current={isCurrent ? 'page' : undefined}
                  >
                    {page.text}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
      <p>{props.intro}</p>
      {props.children}
    </SectionPage>
  );
}

function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

const healthSeverity = { healthy: 'success', unhealthy: 'error' } as const;

function HealthBadge({ health }: { health: ProviderHealth }) {
  const t = useMessages(adminMessages).albert;
  if (health === 'unknown') {
    return (
      <Badge small noIcon as="span">
        {t.healthNames.unknown}
      </Badge>
    );
  }
  return (
    <Badge small noIcon as="span" severity={healthSeverity[health]}>
      {t.healthNames[health]}
    </Badge>
  );
}

/** Focuses the element once `isShown` turns true: errors and outcomes that replace what had the focus. */
function useFocusWhen<T extends HTMLElement>(isShown: boolean, token?: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (isShown) ref.current?.focus();
  }, [isShown, token]);
  return ref;
}

// ---------------------------------------------------------------------------------------------------
// Providers

function ProvidersPage() {
  const common = useMessages(adminMessages);
  const t = common.albert;
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const providers = useAiProviders();
  const [deleted, setDeleted] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (provider: AiProvider) => deleteAiProvider(provider.id),
    onSuccess: async (_answer, provider) => {
      setDeleted(provider.name);
      await queryClient.invalidateQueries({ queryKey: assistantKeys.all });
    },
  });
  // The delete button leaves with its row: the outcome takes the focus.
  const outcomeRef = useFocusWhen<HTMLDivElement>(deleted !== null || remove.isError, deleted ?? remove.error);
  const items = providers.data?.items ?? [];
  return (
    <AlbertPage title={t.providersTitle} intro={t.providersIntro}>
      <div ref={outcomeRef} tabIndex={-1} role="status">
        {deleted && <Alert severity="success" small description={t.providerDeleted(deleted)} className="fr-mb-2w" />}
        {remove.isError && <ErrorNotice error={remove.error} />}
      </div>
      {providers.isPending && <p className="bureau-loading">{common.loading}</p>}
      {providers.isError && <ErrorNotice error={providers.error} onRetry={() => void providers.refetch()} />}
      {providers.isSuccess && items.length === 0 && <p>{t.noProviders}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.providersTitle}
          noCaption
          headers={[t.provider, t.hosting, t.clearance, t.models, t.health, t.source]}
          data={items.map((provider) => [
            <>
              <strong>{provider.name}</strong>
              <br />
              <code>{provider.id}</code>
              <p className="bureau-meta bureau-secret">{provider.baseUrl}</p>
              {provider.requiresPseudonymisation && <p className="bureau-meta">{t.pseudonymised}</p>}
            </>,
            <>
              {t.hostingNames[provider.hosting]}
              {provider.operator && <p className="bureau-meta">{provider.operator}</p>}
            </>,
            <SensitivityBadge key="clearance" level={provider.clearance} />,
            <ul key="models" className="bureau-inline-list">
              {provider.models.map((model) => (
                <li key={model.name}>
                  <code>{model.name}</code>
                  <p className="bureau-meta">
                    {t.modelTypeNames[model.type]}
                    {model.upstream !== model.name && <> – {t.upstreamName(model.upstream)}</>}
                  </p>
                </li>
              ))}
            </ul>,
            <>
              <HealthBadge health={provider.health} />
              {provider.healthCheckedAt && (
                <p className="bureau-meta">{t.healthSince(formatDateTime(locale, provider.healthCheckedAt))}</p>
              )}
              {provider.lastError && <p className="bureau-meta">{provider.lastError}</p>}
              <p className="bureau-meta">{t.load(provider.inFlight, formatNumber(locale, provider.maxConcurrency))}</p>
            </>,
            provider.source === 'file' ? (
              <>
                {t.sourceFile}
                <p className="bureau-meta">{t.readOnly}</p>
              </>
            ) : (
              <>
                <p className="fr-text--sm fr-mb-1w">{t.sourceDatabase}</p>
                <ConfirmAction
                  key={provider.id}
                  label={t.deleteProvider}
                  title={t.deleteProviderOf(provider.name)}
                  question={t.confirmDeleteProvider(provider.name)}
                  disabled={remove.isPending}
                  onConfirm={() => {
                    setDeleted(null);
                    remove.mutate(provider);
                  }}
                />
              </>
            ),
          ])}
        />
      )}
      <h2 className="fr-h4 fr-mt-5w">{t.addProvider}</h2>
      <ProviderForm onAdded={() => setDeleted(null)} />
    </AlbertPage>
  );
}

/** The rules of the providers file (providers-file.ts), checked before sending. */
const providerLimits = {
  idPattern: /^[a-z0-9][a-z0-9._-]{0,63}$/,
  aliasPattern: /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/,
  labelMax: 128,
  upstreamMax: 256,
  urlMax: 2000,
  concurrencyMax: 10_000,
} as const;

interface ModelRow {
  /** React's key for the row. */
  key: number;
  name: string;
  upstream: string;
  type: ModelType;
}

interface ProviderDraft {
  id: string;
  name: string;
  baseUrl: string;
  apiKey: string;
  operator: string;
  hosting: ProcessorHosting;
  clearance: SensitivityLevel;
  maxConcurrency: string;
  requiresPseudonymisation: boolean;
  models: ModelRow[];
}

type TextField = 'id' | 'name' | 'baseUrl' | 'apiKey' | 'operator' | 'maxConcurrency';

/** Errors by field (`id`, `models.2.name`…), `form` for the server's other answers. */
type Errors = Record<string, string>;

let nextModelKey = 1;
function newModelRow(): ModelRow {
  return { key: nextModelKey++, name: '', upstream: '', type: 'chat' };
}

function emptyDraft(): ProviderDraft {
  // The least trusted hosting and the lowest level: an administrator raises them knowingly.
  return {
    id: '',
    name: '',
    baseUrl: '',
    apiKey: '',
    operator: '',
    hosting: 'public-cloud',
    clearance: 'public',
    maxConcurrency: '',
    requiresPseudonymisation: false,
    models: [newModelRow()],
  };
}

function isBaseUrl(value: string): boolean {
  const url = URL.parse(value);
  return (
    url !== null &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === ''
  );
}

function checkProvider(
  draft: ProviderDraft,
  knownTypes: ReadonlyMap<string, ModelType>,
  common: AdminMessages,
): Errors {
  const t = common.albert;
  const errors: Errors = {};
  if (!draft.id.trim()) errors.id = common.required;
  else if (!providerLimits.idPattern.test(draft.id.trim())) errors.id = t.invalidProviderId;
  if (draft.name.trim().length > providerLimits.labelMax) errors.name = common.tooLong(providerLimits.labelMax);
  if (draft.operator.trim().length > providerLimits.labelMax) errors.operator = common.tooLong(providerLimits.labelMax);
  const baseUrl = draft.baseUrl.trim();
  if (!baseUrl) errors.baseUrl = common.required;
  else if (!isBaseUrl(baseUrl) || baseUrl.length > providerLimits.urlMax) errors.baseUrl = t.invalidBaseUrl;
  if (draft.maxConcurrency.trim()) {
    const value = Number(draft.maxConcurrency.trim());
    if (!Number.isInteger(value) || value < 1 || value > providerLimits.concurrencyMax) {
      errors.maxConcurrency = t.invalidConcurrency;
    }
  }
  const seen = new Set<string>();
  draft.models.forEach((model, index) => {
    const alias = model.name.trim();
    if (!alias) errors[`models.${index}.name`] = common.required;
    else if (!providerLimits.aliasPattern.test(alias)) errors[`models.${index}.name`] = t.invalidAlias;
    else if (seen.has(alias)) errors[`models.${index}.name`] = t.duplicateAlias;
    else {
      const type = knownTypes.get(alias);
      if (type !== undefined && type !== model.type) {
        errors[`models.${index}.name`] = t.aliasTypeClash(t.modelTypeNames[type]);
      }
    }
    seen.add(alias);
  });
  return errors;
}

function toNewProvider(draft: ProviderDraft): NewAiProvider {
  const trimmed = (value: string) => value.trim() || undefined;
  return {
    id: draft.id.trim(),
    name: trimmed(draft.name),
    baseUrl: draft.baseUrl.trim(),
    apiKey: trimmed(draft.apiKey),
    hosting: draft.hosting,
    clearance: draft.clearance,
    operator: trimmed(draft.operator),
    models: draft.models.map((model) => ({
      name: model.name.trim(),
      upstream: trimmed(model.upstream),
      type: model.type,
    })),
    maxConcurrency: draft.maxConcurrency.trim() ? Number(draft.maxConcurrency.trim()) : undefined,
    requiresPseudonymisation: draft.requiresPseudonymisation,
  };
}

/** Adds a provider (`source: database`); its secret key goes to the server and is never shown again. */
function ProviderForm({ onAdded }: { onAdded: () => void }) {
  const common = useMessages(adminMessages);
  const t = common.albert;
  const queryClient = useQueryClient();
  const models = useAiModels();
  const [draft, setDraft] = useState<ProviderDraft>(emptyDraft);
  const [errors, setErrors] = useState<Errors>({});
  const [focusKey, setFocusKey] = useState<number | null>(null);
  const create = useMutation({
    mutationFn: createAiProvider,
    onSuccess: async () => {
      setDraft(emptyDraft());
      setErrors({});
      onAdded();
      await queryClient.invalidateQueries({ queryKey: assistantKeys.all });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'AI_PROVIDER_DUPLICATE') setErrors({ id: error.message });
    },
  });
  const errorCount = Object.keys(errors).length;
  const summaryRef = useFocusWhen<HTMLDivElement>(errorCount > 0, errors);
  const isOtherFailure = create.isError && errorCount === 0;
  const failureRef = useFocusWhen<HTMLDivElement>(isOtherFailure, create.error);

  // A new model row's first field gets the focus.
  useEffect(() => {
    if (focusKey === null) return;
    document.getElementById(`albert-model-${focusKey}-name`)?.focus();
    setFocusKey(null);
  }, [focusKey]);

  const knownTypes = new Map((models.data?.items ?? []).map((alias) => [alias.name, alias.type] as const));
  const allowed = clearancesFor(draft.hosting);

  function update(changes: Partial<ProviderDraft>): void {
    setDraft((current) => ({ ...current, ...changes }));
    create.reset();
  }

  function updateModel(key: number, changes: Partial<ModelRow>): void {
    setDraft((current) => ({
      ...current,
      models: current.models.map((model) => (model.key === key ? { ...model, ...changes } : model)),
    }));
    create.reset();
  }

  const fieldState = (field: string) => {
    const message = errors[field];
    return message === undefined ? {} : { state: 'error' as const, stateRelatedMessage: message };
  };

  const textInput = (field: TextField, props: { label: string; hintText?: string; native?: object }) => (
    <Input
      label={props.label}
      hintText={props.hintText}
      {...fieldState(field)}
      nativeInputProps={{
        name: field,
        value: draft[field],
        onChange: (event) => update({ [field]: event.currentTarget.value }),
        ...props.native,
      }}
    />
  );

  return (
    <form
      noValidate
      className="fr-mb-5w"
      onSubmit={(event) => {
        event.preventDefault();
        const found = checkProvider(draft, knownTypes, common);
        setErrors(found);
        if (Object.keys(found).length > 0) return;
        create.mutate(toNewProvider(draft));
      }}
    >
      {errorCount > 0 && (
        <div ref={summaryRef} tabIndex={-1} className="fr-mb-3w">
          <Alert severity="error" small description={common.formHasErrors(errorCount)} />
        </div>
      )}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-5">
          {textInput('id', {
            label: t.providerId,
            hintText: t.providerIdHint,
            native: { required: true, maxLength: 64, autoComplete: 'off', spellCheck: false },
          })}
        </div>
        <div className="fr-col-12 fr-col-md-7">
          {textInput('name', {
            label: t.providerName,
            hintText: t.providerNameHint,
            native: { maxLength: providerLimits.labelMax },
          })}
        </div>
      </div>
      {textInput('baseUrl', {
        label: t.baseUrl,
        hintText: t.baseUrlHint,
        native: { type: 'url', required: true, spellCheck: false, maxLength: providerLimits.urlMax },
      })}
      {textInput('apiKey', {
        label: t.apiKey,
        hintText: t.apiKeyHint,
        native: { type: 'password', autoComplete: 'new-password', spellCheck: false },
      })}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Select
            label={t.hosting}
            nativeSelectProps={{
              name: 'hosting',
              value: draft.hosting,
              onChange: (event) => {
                const hosting = processorHostings.find((value) => value === event.currentTarget.value);
                if (!hosting) return;
                // A clearance the new hosting does not allow falls to the highest it does.
                const clearance = clearancesFor(hosting).includes(draft.clearance)
                  ? draft.clearance
                  : maxClearanceForHosting(hosting);
                update({ hosting, clearance });
              },
            }}
          >
            {processorHostings.map((hosting) => (
              <option key={hosting} value={hosting}>
                {t.hostingNames[hosting]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          {textInput('operator', {
            label: t.operator,
            hintText: t.operatorHint,
            native: { maxLength: providerLimits.labelMax },
          })}
        </div>
      </div>
      <RadioButtons
        legend={t.clearance}
        hintText={t.clearanceHint(
          t.hostingNames[draft.hosting],
          common.labelNames[maxClearanceForHosting(draft.hosting)],
        )}
        name="clearance"
        orientation="horizontal"
        options={allowed.map((level) => ({
          label: common.labelNames[level],
          hintText: common.labelHints[level],
          nativeInputProps: {
            value: level,
            checked: draft.clearance === level,
            onChange: () => update({ clearance: level }),
          },
        }))}
      />
      {draft.models.map((model, index) => {
        const label = model.name.trim() || String(index + 1);
        return (
          <fieldset key={model.key} className="fr-fieldset bureau-service-row">
            <legend className="fr-fieldset__legend fr-h6">{t.modelLegend(index + 1, model.name.trim())}</legend>
            <div className="fr-fieldset__element">
              <div className="fr-grid-row fr-grid-row--gutters">
                <div className="fr-col-12 fr-col-md-4">
                  <Input
                    label={t.modelAlias}
                    hintText={t.modelAliasHint}
                    {...fieldState(`models.${index}.name`)}
                    nativeInputProps={{
                      id: `albert-model-${model.key}-name`,
                      value: model.name,
                      required: true,
                      maxLength: 128,
                      autoComplete: 'off',
                      spellCheck: false,
                      onChange: (event) => updateModel(model.key, { name: event.currentTarget.value }),
                    }}
                  />
                </div>
                <div className="fr-col-12 fr-col-md-4">
                  <Input
                    label={t.upstream}
                    hintText={t.upstreamHint}
                    nativeInputProps={{
                      value: model.upstream,
                      maxLength: providerLimits.upstreamMax,
                      autoComplete: 'off',
                      spellCheck: false,
                      onChange: (event) => updateModel(model.key, { upstream: event.currentTarget.value }),
                    }}
                  />
                </div>
                <div className="fr-col-12 fr-col-md-4">
                  <Select
                    label={t.modelType}
                    nativeSelectProps={{
                      value: model.type,
                      onChange: (event) => {
                        const type = modelTypes.find((value) => value === event.currentTarget.value);
                        if (type) updateModel(model.key, { type });
                      },
                    }}
                  >
                    {modelTypes.map((type) => (
                      <option key={type} value={type}>
                        {t.modelTypeNames[type]}
                      </option>
                    ))}
                  </Select>
                </div>
              </div>
              {draft.models.length > 1 && (
                <Button
                  type="button"
                  priority="tertiary"
                  size="small"
                  iconId="fr-icon-delete-line"
                  iconPosition="left"
                  title={t.removeModelOf(label)}
                  onClick={() => {
                    update({ models: draft.models.filter((row) => row.key !== model.key) });
                    setErrors({});
                  }}
                >
                  {t.removeModel}
                </Button>
              )}
            </div>
          </fieldset>
        );
      })}
      <Button
        type="button"
        priority="secondary"
        iconId="fr-icon-add-line"
        iconPosition="left"
        className="fr-mb-3w"
        onClick={() => {
          const row = newModelRow();
          update({ models: [...draft.models, row] });
          setFocusKey(row.key);
        }}
      >
        {t.addModel}
      </Button>
      {textInput('maxConcurrency', {
        label: t.maxConcurrency,
        hintText: t.maxConcurrencyHint,
        native: { type: 'number', inputMode: 'numeric', min: 1, max: providerLimits.concurrencyMax, step: 1 },
      })}
      <Checkbox
        options={[
          {
            label: t.pseudonymisation,
            hintText: t.pseudonymisationHint,
            nativeInputProps: {
              name: 'requiresPseudonymisation',
              checked: draft.requiresPseudonymisation,
              onChange: (event) => update({ requiresPseudonymisation: event.currentTarget.checked }),
            },
          },
        ]}
      />
      {isOtherFailure && (
        <div ref={failureRef} tabIndex={-1} className="fr-mb-2w">
          <ErrorNotice error={create.error} />
        </div>
      )}
      <div role="status">
        {create.isSuccess && (
          <Alert severity="success" small description={t.providerAdded(create.data.name)} className="fr-mb-2w" />
        )}
      </div>
      <Button type="submit" disabled={create.isPending}>
        {t.addProvider}
      </Button>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------------
// Models

function ModelsPage() {
  const common = useMessages(adminMessages);
  const t = common.albert;
  const models = useAiModels();
  const providers = useAiProviders();
  const names = new Map((providers.data?.items ?? []).map((provider) => [provider.id, provider.name]));
  const items = models.data?.items ?? [];
  return (
    <AlbertPage title={t.modelsTitle} intro={t.modelsIntro}>
      {models.isPending && <p className="bureau-loading">{common.loading}</p>}
      {models.isError && <ErrorNotice error={models.error} onRetry={() => void models.refetch()} />}
      {models.isSuccess && items.length === 0 && <p>{t.noModels}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.modelsTitle}
          noCaption
          headers={[t.alias, t.modelType, t.highestClearance, t.servedBy]}
          data={items.map((alias) => {
            const highest = alias.providers.reduce<SensitivityLevel | null>(
              (level, provider) =>
                level === null || sensitivityLevels.indexOf(provider.clearance) > sensitivityLevels.indexOf(level)
                  ? provider.clearance
                  : level,
              null,
            );
            return [
              <code key="alias">{alias.name}</code>,
              t.modelTypeNames[alias.type],
              highest ? <SensitivityBadge key="highest" level={highest} /> : '—',
              <ul key="providers" className="bureau-inline-list">
                {alias.providers.map((provider) => (
                  <li key={provider.id}>
                    <strong>{names.get(provider.id) ?? provider.id}</strong>
                    {provider.upstream !== alias.name && (
                      <span className="bureau-meta"> – {t.upstreamName(provider.upstream)}</span>
                    )}
                    <span className="bureau-actions">
                      <span className="bureau-meta">{t.hostingNames[provider.hosting]}</span>
                      <SensitivityBadge level={provider.clearance} />
                      <HealthBadge health={provider.health} />
                    </span>
                  </li>
                ))}
              </ul>,
            ];
          })}
        />
      )}
    </AlbertPage>
  );
}

// ---------------------------------------------------------------------------------------------------
// Quotas

/** The limits of `quotaSchema` (gateway/admin.routes.ts). */
const quotaLimits = {
  requestsPerMinute: 1_000_000,
  tokensPerMinute: 1_000_000_000,
  tokensPerDay: 1_000_000_000_000,
} as const;

type LimitField = keyof typeof quotaLimits;
const limitFields = Object.keys(quotaLimits) as LimitField[];

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The names a quota is spoken of by: its scope (an organisation's name, or « Clé » and the id) and model. */
function useQuotaNames() {
  const t = useMessages(adminMessages).albert;
  const organisations = useOrganisations();
  const names = new Map((organisations.data?.items ?? []).map((organisation) => [organisation.id, organisation.name]));
  return {
    scope: (quota: Pick<AiQuota, 'scopeType' | 'scopeId'>) =>
      quota.scopeType === 'organisation'
        ? (names.get(quota.scopeId) ?? quota.scopeId)
        : `${t.keyScope} ${quota.scopeId}`,
    model: (model: string) => (model === allModels ? t.allModelsInSentence : model),
  };
}

function QuotasPage() {
  const common = useMessages(adminMessages);
  const t = common.albert;
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const quotas = useAiQuotas();
  const organisations = useOrganisations();
  const quotaNames = useQuotaNames();
  const [deleted, setDeleted] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: deleteAiQuota,
    onSuccess: async (_answer, quota) => {
      setDeleted(t.quotaDeleted(quotaNames.scope(quota), quotaNames.model(quota.model)));
      await queryClient.invalidateQueries({ queryKey: assistantKeys.quotas });
    },
  });
  const outcomeRef = useFocusWhen<HTMLDivElement>(deleted !== null || remove.isError, deleted ?? remove.error);
  const items = quotas.data?.items ?? [];
  const limit = (value: number | null) => (value === null ? t.unlimited : formatNumber(locale, value));
  return (
    <AlbertPage title={t.quotasTitle} intro={t.quotasIntro}>
      <h2 className="fr-h4">{t.setQuota}</h2>
      {organisations.isPending && <p className="bureau-loading">{common.loading}</p>}
      {organisations.isError && <ErrorNotice error={organisations.error} />}
      {organisations.isSuccess && (
        <QuotaForm
          organisations={organisationOptions(organisations.data.items)}
          onSaved={() => {
            setDeleted(null);
            remove.reset();
          }}
        />
      )}
      <h2 className="fr-h4 fr-mt-5w">{t.quotasList}</h2>
      <div ref={outcomeRef} tabIndex={-1} role="status">
        {deleted && <Alert severity="success" small description={deleted} className="fr-mb-2w" />}
        {remove.isError && <ErrorNotice error={remove.error} />}
      </div>
      {quotas.isPending && <p className="bureau-loading">{common.loading}</p>}
      {quotas.isError && <ErrorNotice error={quotas.error} onRetry={() => void quotas.refetch()} />}
      {quotas.isSuccess && items.length === 0 && <p>{t.noQuotas}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.quotasList}
          noCaption
          headers={[t.scope, t.model, t.requestsPerMinute, t.tokensPerMinute, t.tokensPerDay, common.actions]}
          data={items.map((quota) => {
            const scope = quotaNames.scope(quota);
            const model = quotaNames.model(quota.model);
            return [
              quota.scopeType === 'organisation' ? (
                scope
              ) : (
                <>
                  {t.keyScope} <code>{quota.scopeId}</code>
                </>
              ),
              quota.model === allModels ? t.allModels : <code key="model">{quota.model}</code>,
              limit(quota.requestsPerMinute),
              limit(quota.tokensPerMinute),
              limit(quota.tokensPerDay),
              <ConfirmAction
                key={`${quota.scopeType}:${quota.scopeId}:${quota.model}`}
                label={t.deleteQuota}
                title={t.deleteQuotaOf(scope, model)}
                question={t.confirmDeleteQuota(scope, model)}
                disabled={remove.isPending}
                onConfirm={() => {
                  setDeleted(null);
                  remove.mutate(quota);
                }}
              />,
            ];
          })}
        />
      )}
    </AlbertPage>
  );
}

const otherKey = 'other';

function QuotaForm(props: { organisations: { id: string; label: string }[]; onSaved: () => void }) {
  const common = useMessages(adminMessages);
  const t = common.albert;
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const models = useAiModels();
  const quotaNames = useQuotaNames();
  const [scopeType, setScopeType] = useState<AiQuota['scopeType']>('organisation');
  const [organisationId, setOrganisationId] = useState(props.organisations[0]?.id ?? '');
  const [keyChoice, setKeyChoice] = useState('');
  const [keyId, setKeyId] = useState('');
  const [model, setModel] = useState<string>(allModels);
  const [limits, setLimits] = useState<Record<LimitField, string>>({
    requestsPerMinute: '',
    tokensPerMinute: '',
    tokensPerDay: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  // The service keys of the chosen organisation (the cache of the service keys page).
  const serviceKeys = useQuery({
    queryKey: ['admin', 'service-keys', organisationId],
    queryFn: () =>
      api<{ items: ServiceKey[] }>(`/api/admin/organisations/${encodeURIComponent(organisationId)}/service-keys`),
    enabled: scopeType === 'api-key' && organisationId !== '',
  });
  const keys = serviceKeys.data?.items ?? [];
  const chosenKey =
    keys.some((key) => key.id === keyChoice) || keyChoice === otherKey ? keyChoice : (keys[0]?.id ?? otherKey);
  const save = useMutation({
    mutationFn: saveAiQuota,
    onSuccess: async () => {
      setErrors({});
      props.onSaved();
      await queryClient.invalidateQueries({ queryKey: assistantKeys.quotas });
    },
  });
  const errorCount = Object.keys(errors).length;
  const summaryRef = useFocusWhen<HTMLDivElement>(errorCount > 0, errors);
  const failureRef = useFocusWhen<HTMLDivElement>(save.isError, save.error);

  const fieldState = (field: string) => {
    const message = errors[field];
    return message === undefined ? {} : { state: 'error' as const, stateRelatedMessage: message };
  };
  const changed = () => save.reset();
  const aliases = models.data?.items ?? [];

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const found: Errors = {};
        const scopeId =
          scopeType === 'organisation' ? organisationId : chosenKey === otherKey ? keyId.trim() : chosenKey;
        if (scopeType === 'api-key' && chosenKey === otherKey && !uuidPattern.test(scopeId))
          found.keyId = t.invalidKeyId;
        const values: Partial<Record<LimitField, number | null>> = {};
        for (const field of limitFields) {
          const text = limits[field].trim();
          const value = Number(text);
          if (text === '') values[field] = null;
          else if (/^\d+$/.test(text) && value <= quotaLimits[field]) values[field] = value;
          else found[field] = t.invalidLimit(formatNumber(locale, quotaLimits[field]));
        }
        setErrors(found);
        if (Object.keys(found).length > 0 || !scopeId) return;
        save.mutate({
          scopeType,
          scopeId,
          model,
          requestsPerMinute: values.requestsPerMinute ?? null,
          tokensPerMinute: values.tokensPerMinute ?? null,
          tokensPerDay: values.tokensPerDay ?? null,
        });
      }}
    >
      {errorCount > 0 && (
        <div ref={summaryRef} tabIndex={-1} className="fr-mb-3w">
          <Alert severity="error" small description={common.formHasErrors(errorCount)} />
        </div>
      )}
      <p className="fr-hint-text">{t.setQuotaHint}</p>
      <RadioButtons
        legend={t.scopeType}
        name="scopeType"
        orientation="horizontal"
        options={(['organisation', 'api-key'] as const).map((value) => ({
          label: value === 'organisation' ? t.scopeOrganisation : t.scopeApiKey,
          nativeInputProps: {
            value,
            checked: scopeType === value,
            onChange: () => {
              setScopeType(value);
              setErrors({});
              changed();
            },
          },
        }))}
      />
      <Select
        label={scopeType === 'organisation' ? common.organisation : t.keyOrganisation}
        hint={scopeType === 'api-key' ? t.keyOrganisationHint : undefined}
        nativeSelectProps={{
          name: 'organisationId',
          value: organisationId,
          onChange: (event) => {
            setOrganisationId(event.currentTarget.value);
            setKeyChoice('');
            changed();
          },
        }}
      >
        {props.organisations.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </Select>
      {scopeType === 'api-key' && (
        <>
          {serviceKeys.isPending && <p className="bureau-loading">{common.loading}</p>}
          {serviceKeys.isError && <ErrorNotice error={serviceKeys.error} />}
          <Select
            label={t.serviceKey}
            nativeSelectProps={{
              name: 'keyChoice',
              value: chosenKey,
              onChange: (event) => {
                setKeyChoice(event.currentTarget.value);
                changed();
              },
            }}
          >
            {keys.map((key) => (
              <option key={key.id} value={key.id}>
                {key.name} (bk_{key.prefix}_…)
              </option>
            ))}
            <option value={otherKey}>{t.otherKey}</option>
          </Select>
          {chosenKey === otherKey && (
            <Input
              label={t.keyId}
              hintText={t.keyIdHint}
              {...fieldState('keyId')}
              nativeInputProps={{
                name: 'keyId',
                value: keyId,
                required: true,
                autoComplete: 'off',
                spellCheck: false,
                maxLength: 36,
                onChange: (event) => {
                  setKeyId(event.currentTarget.value);
                  changed();
                },
              }}
            />
          )}
        </>
      )}
      <Select
        label={t.model}
        nativeSelectProps={{
          name: 'model',
          value: model,
          onChange: (event) => {
            setModel(event.currentTarget.value);
            changed();
          },
        }}
      >
        <option value={allModels}>{t.allModels}</option>
        {aliases.map((alias) => (
          <option key={alias.name} value={alias.name}>
            {alias.name}
          </option>
        ))}
      </Select>
      <div className="fr-grid-row fr-grid-row--gutters">
        {limitFields.map((field) => (
          <div key={field} className="fr-col-12 fr-col-md-4">
            <Input
              label={t[field]}
              hintText={t.limitHint}
              {...fieldState(field)}
              nativeInputProps={{
                name: field,
                type: 'number',
                inputMode: 'numeric',
                min: 0,
                max: quotaLimits[field],
                step: 1,
                value: limits[field],
                onChange: (event) => {
                  const value = event.currentTarget.value;
                  setLimits((current) => ({ ...current, [field]: value }));
                  changed();
                },
              }}
            />
          </div>
        ))}
      </div>
      {save.isError && (
        <div ref={failureRef} tabIndex={-1} className="fr-mb-2w">
          <ErrorNotice error={save.error} />
        </div>
      )}
      <div role="status">
        {save.isSuccess && (
          <Alert
            severity="success"
            small
            description={t.quotaSaved(quotaNames.scope(save.data), quotaNames.model(save.data.model))}
            className="fr-mb-2w"
          />
        )}
      </div>
      <Button type="submit" className="fr-mt-2w" disabled={save.isPending}>
        {t.saveQuota}
      </Button>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------------
// Usage

const periods = [7, 30, 90] as const;
const defaultPeriod = 30;

/** The `count` UTC days up to today's, oldest first ('YYYY-MM-DD'), as the server groups usage. */
function lastDays(count: number, today = new Date()): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: count }, (_, index) =>
    new Date(end - (count - 1 - index) * 86_400_000).toISOString().slice(0, 10),
  );
}

interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  refusedForSensitivity: number;
  refusedForQuota: number;
  /** Sum of the durations, for an average weighted by requests. */
  latencyMs: number;
}

function emptyTotals(): UsageTotals {
  return {
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    refusedForSensitivity: 0,
    refusedForQuota: 0,
    latencyMs: 0,
  };
}

function addTo(totals: UsageTotals, row: AiUsageAggregate): void {
  totals.requests += row.requests;
  totals.promptTokens += row.promptTokens;
  totals.completionTokens += row.completionTokens;
  totals.latencyMs += row.averageLatencyMs * row.requests;
  if (row.status === 'refused') totals.refusedForSensitivity += row.requests;
  if (row.status === 'rate-limited') totals.refusedForQuota += row.requests;
}

/** The aggregates summed for the dashboard: totals, per day, per organisation and model, refusals. */
function summariseUsage(items: readonly AiUsageAggregate[], days: readonly string[]) {
  const totals = emptyTotals();
  const perDay = new Map(days.map((day) => [day, 0]));
  const byOrganisation = new Map<string | null, UsageTotals>();
  const byModel = new Map<string, UsageTotals>();
  const refusedByLevel = new Map<SensitivityLevel, number>();
  const refusedByQuota = new Map<string, { organisationId: string | null; model: string; requests: number }>();
  for (const row of items) {
    addTo(totals, row);
    perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.requests);
    const organisation = byOrganisation.get(row.organisationId) ?? emptyTotals();
    addTo(organisation, row);
    byOrganisation.set(row.organisationId, organisation);
    const model = byModel.get(row.model) ?? emptyTotals();
    addTo(model, row);
    byModel.set(row.model, model);
    if (row.status === 'refused') {
      refusedByLevel.set(row.sensitivity, (refusedByLevel.get(row.sensitivity) ?? 0) + row.requests);
    }
    if (row.status === 'rate-limited') {
      const key = `${row.organisationId ?? ''}\n${row.model}`;
      const entry = refusedByQuota.get(key) ?? { organisationId: row.organisationId, model: row.model, requests: 0 };
      entry.requests += row.requests;
      refusedByQuota.set(key, entry);
    }
  }
  const byRequests = <K,>(entries: Iterable<[K, UsageTotals]>) =>
    [...entries].sort((a, b) => b[1].requests - a[1].requests);
  return {
    totals,
    // Only the period's days: a row of a day outside it (clock skew) still counts in the totals.
    perDay: days.map((day) => ({ day, requests: perDay.get(day) ?? 0 })),
    byOrganisation: byRequests(byOrganisation),
    byModel: byRequests(byModel),
    refusedByLevel: sensitivityLevels
      .filter((level) => refusedByLevel.has(level))
      .map((level) => ({ level, requests: refusedByLevel.get(level) ?? 0 })),
    refusedByQuota: [...refusedByQuota.values()].sort((a, b) => b.requests - a.requests),
  };
}

function isPeriod(value: number): value is (typeof periods)[number] {
  return (periods as readonly number[]).includes(value);
}

function UsagePage() {
  const common = useMessages(adminMessages);
  const t = common.albert;
  const { locale } = useLocale();
  const [searchParams, setSearchParams] = useSearchParams();
  const asked = Number(searchParams.get('jours'));
  const period = isPeriod(asked) ? asked : defaultPeriod;
  const days = lastDays(period);
  const usage = useAiUsage(`${days[0] ?? ''}T00:00:00.000Z`);
  const organisations = useOrganisations();
  const organisationNames = new Map((organisations.data?.items ?? []).map((item) => [item.id, item.name]));
  const organisationName = (id: string | null) => (id === null ? t.noOrganisation : (organisationNames.get(id) ?? id));
  const number = (value: number) => formatNumber(locale, value);
  const items = usage.data?.items ?? [];
  const summary = summariseUsage(items, days);
  const averageOf = (totals: UsageTotals) =>
    totals.requests === 0 ? '—' : t.milliseconds(number(Math.round(totals.latencyMs / totals.requests)));
  const totalsRow = (totals: UsageTotals) => [
    number(totals.requests),
    number(totals.promptTokens),
    number(totals.completionTokens),
    number(totals.refusedForSensitivity + totals.refusedForQuota),
    averageOf(totals),
  ];
  const totalsHeaders = [t.requests, t.promptTokens, t.completionTokens, t.refusals, t.averageLatency];

  return (
    <AlbertPage title={t.usageTitle} intro={t.usageIntro}>
      <Select
        label={t.period}
        nativeSelectProps={{
          name: 'period',
          value: String(period),
          onChange: (event) => setSearchParams({ jours: event.currentTarget.value }, { replace: true }),
        }}
      >
        {periods.map((days) => (
          <option key={days} value={days}>
            {t.lastDays(days)}
          </option>
        ))}
      </Select>
      {usage.isPending && <p className="bureau-loading">{common.loading}</p>}
      {usage.isError && <ErrorNotice error={usage.error} onRetry={() => void usage.refetch()} />}
      {usage.isSuccess && items.length === 0 && <p>{t.noUsage}</p>}
      {items.length > 0 && (
        <>
          <h2 className="fr-h4 fr-mt-4w">{t.totals}</h2>
          <dl className="bureau-card-fields">
            <dt>{t.requests}</dt>
            <dd>{number(summary.totals.requests)}</dd>
            <dt>{t.promptTokens}</dt>
            <dd>{number(summary.totals.promptTokens)}</dd>
            <dt>{t.completionTokens}</dt>
            <dd>{number(summary.totals.completionTokens)}</dd>
            <dt>{t.refusals}</dt>
            <dd>
              {number(summary.totals.refusedForSensitivity + summary.totals.refusedForQuota)}
              <span className="bureau-meta">
                {' '}
                (
                {t.refusalsDetail(number(summary.totals.refusedForSensitivity), number(summary.totals.refusedForQuota))}
                )
              </span>
            </dd>
            <dt>{t.averageLatency}</dt>
            <dd>{averageOf(summary.totals)}</dd>
          </dl>
          <h2 className="fr-h4 fr-mt-4w">{t.requestsPerDay}</h2>
          <RequestsChart perDay={summary.perDay} />
          <h2 className="fr-h4 fr-mt-4w">{t.byOrganisation}</h2>
          <ScrollTable
            caption={t.byOrganisation}
            noCaption
            headers={[common.organisation, ...totalsHeaders]}
            data={summary.byOrganisation.map(([id, totals]) => [organisationName(id), ...totalsRow(totals)])}
          />
          <h2 className="fr-h4 fr-mt-4w">{t.byModel}</h2>
          <ScrollTable
            caption={t.byModel}
            noCaption
            headers={[t.model, ...totalsHeaders]}
            data={summary.byModel.map(([model, totals]) => [<code key="model">{model}</code>, ...totalsRow(totals)])}
          />
          <h2 className="fr-h4 fr-mt-4w">{t.refusalsBySensitivity}</h2>
          <p>{t.refusalsBySensitivityIntro}</p>
          {summary.refusedByLevel.length === 0 ? (
            <p>{t.noRefusals}</p>
          ) : (
            <ScrollTable
              caption={t.refusalsBySensitivity}
              noCaption
              headers={[t.level, t.refusals]}
              data={summary.refusedByLevel.map((entry) => [
                <SensitivityBadge key="level" level={entry.level} />,
                number(entry.requests),
              ])}
            />
          )}
          <h2 className="fr-h4 fr-mt-4w">{t.refusalsByQuota}</h2>
          <p>{t.refusalsByQuotaIntro}</p>
          {summary.refusedByQuota.length === 0 ? (
            <p>{t.noRefusals}</p>
          ) : (
            <ScrollTable
              caption={t.refusalsByQuota}
              noCaption
              headers={[common.organisation, t.model, t.refusals]}
              data={summary.refusedByQuota.map((entry) => [
                organisationName(entry.organisationId),
                <code key="model">{entry.model}</code>,
                number(entry.requests),
              ])}
            />
          )}
        </>
      )}
    </AlbertPage>
  );
}

/** Requests per day as bars, and the same figures in the table assistive technologies read. */
function RequestsChart({ perDay }: { perDay: { day: string; requests: number }[] }) {
  const t = useMessages(adminMessages).albert;
  return (
    <DailyBarChart
      days={perDay.map((entry) => ({ day: entry.day, values: [entry.requests] }))}
      caption={t.requestsPerDay}
      maximumLabel={t.chartMaximum}
      dayHeader={t.day}
      valueHeaders={[t.requests]}
    />
  );
}
