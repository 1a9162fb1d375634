import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Navigate, Route, Routes } from 'react-router';
import { api } from '../../api/client.ts';
import { sensitivityLevels, type Organisation, type SensitivityLevel } from '../../api/types.ts';
import { isAdministrator } from '../../app/modules.ts';
import { SectionLayout, SectionPage } from '../../app/SectionLayout.tsx';
import { ErrorNotice, ForbiddenPage, NotFoundPage, useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { adminMessages } from './admin.messages.ts';
import { organisationOptions, treeOrder, useOrganisations, type OrganisationNode } from './admin.api.ts';
import { AssistantImpactPage } from './AssistantImpactPage.tsx';
import { AssistantRoutes } from './AssistantPages.tsx';
import { AuditPage } from './AuditPage.tsx';
import { GroupsPage, ImportPage, InvitationsPage, UsersPage } from './DirectoryPages.tsx';
import { MergeAccountPage } from './MergeAccountPage.tsx';
import { ServiceKeysPage } from './ServiceKeysPage.tsx';
import { ExternalServicesPage, InstancePage } from './WorkplacePages.tsx';

/** The administration console, for instance and organisation administrators. */
export function AdminRoutes() {
  const t = useMessages(adminMessages);
  const me = useSignedInUser();
  if (!isAdministrator(me)) return <ForbiddenPage />;
  const items = [
    { to: '/administration/organisations', text: t.organisations },
    ...(me.isInstanceAdmin ? [{ to: '/administration/utilisateurs', text: t.users }] : []),
    { to: '/administration/groupes', text: t.groups },
    { to: '/administration/invitations', text: t.invitations },
    ...(me.isInstanceAdmin ? [{ to: '/administration/import', text: t.import }] : []),
    { to: '/administration/journal', text: t.audit },
    { to: '/administration/sensibilite', text: t.sensitivity },
    { to: '/administration/cles-de-service', text: t.serviceKeys },
    // Organisation administrators reach Albert's impact page only; instance administrators all of Albert.
    ...(me.isInstanceAdmin ? [] : [{ to: '/administration/albert/impact', text: t.albert.menu }]),
    ...(me.isInstanceAdmin
      ? [
          { to: '/administration/services-externes', text: t.externalServices },
          { to: '/administration/albert', text: t.albert.menu },
          { to: '/administration/instance', text: t.instance },
        ]
      : []),
  ];
  return (
    <SectionLayout title={t.section} items={items}>
      <Routes>
        <Route index element={<Navigate to="/administration/organisations" replace />} />
        <Route path="organisations" element={<OrganisationsPage />} />
        <Route path="utilisateurs" element={<UsersPage />} />
        <Route path="utilisateurs/:id/fusion" element={<MergeAccountPage />} />
        <Route path="groupes" element={<GroupsPage />} />
        <Route path="invitations" element={<InvitationsPage />} />
        <Route path="import" element={<ImportPage />} />
        <Route path="journal" element={<AuditPage />} />
        <Route path="sensibilite" element={<SensitivityPage />} />
        <Route path="cles-de-service" element={<ServiceKeysPage />} />
        <Route path="services-externes" element={<ExternalServicesPage />} />
        <Route path="albert/impact" element={<AssistantImpactPage />} />
        <Route path="albert/*" element={<AssistantRoutes />} />
        <Route path="instance" element={<InstancePage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </SectionLayout>
  );
}

function text(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** Nested lists from the flat, tree-ordered organisations. */
function OrganisationTree({ nodes }: { nodes: OrganisationNode[] }) {
  const t = useMessages(adminMessages);
  const render = (parentDepth: number, start: number): { element: React.ReactNode; next: number } => {
    const items: React.ReactNode[] = [];
    let index = start;
    while (index < nodes.length) {
      const node = nodes[index];
      if (!node || node.depth <= parentDepth) break;
      const children = render(node.depth, index + 1);
      items.push(
        <li key={node.id}>
          <span className="fr-icon-building-line fr-icon--sm fr-mr-1w" aria-hidden="true" />
          <strong>{node.name}</strong>
          {node.siret && (
            <span className="bureau-meta">
              {' '}
              – {t.siret} {node.siret}
            </span>
          )}
          {node.domains.length > 0 && <span className="bureau-meta"> – {node.domains.join(', ')}</span>}
          {children.element}
        </li>,
      );
      index = children.next;
    }
    return { element: items.length > 0 ? <ul>{items}</ul> : null, next: index };
  };
  const { element } = render(-1, 0);
  return <div className="bureau-tree">{element}</div>;
}

function OrganisationsPage() {
  const t = useMessages(adminMessages);
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const organisations = useOrganisations();
  const create = useMutation({
    mutationFn: (body: { name: string; parentId: string | null; siret: string | null; domains: string[] }) =>
      api<Organisation>('/api/admin/organisations', { method: 'POST', json: body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'organisations'] }),
  });
  const list = organisations.data?.items ?? [];
  return (
    <SectionPage title={t.organisations} intro={t.organisationsIntro}>
      {organisations.isPending && <p className="bureau-loading">{t.loading}</p>}
      {organisations.isError && <ErrorNotice error={organisations.error} />}
      {organisations.isSuccess && <OrganisationTree nodes={treeOrder(list)} />}
      <h2 className="fr-h4 fr-mt-5w">{t.createOrganisation}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          create.mutate(
            {
              name: text(form, 'name'),
              parentId: text(form, 'parentId') || null,
              siret: text(form, 'siret').replaceAll(' ', '') || null,
              domains: text(form, 'domains')
                .split(',')
                .map((domain) => domain.trim())
                .filter(Boolean),
            },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <Input label={t.name} nativeInputProps={{ name: 'name', required: true, maxLength: 200 }} />
        <Select label={t.parent} nativeSelectProps={{ name: 'parentId', defaultValue: '' }}>
          {me.isInstanceAdmin && <option value="">{t.noParent}</option>}
          {organisationOptions(list).map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </Select>
        <Input label={t.siret} nativeInputProps={{ name: 'siret', inputMode: 'numeric', pattern: '[0-9 ]{14,17}' }} />
        <Input label={t.domains} hintText={t.domainsHint} nativeInputProps={{ name: 'domains' }} />
        {create.isError && <ErrorNotice error={create.error} />}
        {create.isSuccess && (
          <div role="status">
            <Alert severity="success" small description={t.created} />
          </div>
        )}
        <Button type="submit" disabled={create.isPending}>
          {t.createOrganisation}
        </Button>
      </form>
    </SectionPage>
  );
}

function isLevel(value: unknown): value is SensitivityLevel {
  return typeof value === 'string' && (sensitivityLevels as readonly string[]).includes(value);
}

/** The default sensitivity label of each organisation (`defaultLabel` of the organisation API). */
function SensitivityPage() {
  const t = useMessages(adminMessages);
  const organisations = useOrganisations();
  const nodes = treeOrder(organisations.data?.items ?? []);
  const isSupported = nodes.some((organisation) => organisation.defaultLabel !== undefined);
  return (
    <SectionPage title={t.sensitivity} intro={t.sensitivityIntro}>
      {organisations.isPending && <p className="bureau-loading">{t.loading}</p>}
      {organisations.isError && <ErrorNotice error={organisations.error} />}
      {organisations.isSuccess && !isSupported && (
        <Alert severity="info" small description={t.defaultLabelUnavailable} className="fr-mb-3w" />
      )}
      {isSupported &&
        nodes.map((organisation) => <OrganisationLabelForm key={organisation.id} organisation={organisation} />)}
    </SectionPage>
  );
}

function OrganisationLabelForm({ organisation }: { organisation: OrganisationNode }) {
  const t = useMessages(adminMessages);
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (defaultLabel: SensitivityLevel) =>
      api<Organisation>(`/api/admin/organisations/${organisation.id}`, { method: 'PATCH', json: { defaultLabel } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'organisations'] }),
  });
  return (
    <form
      className="fr-mb-4w"
      onSubmit={(event) => {
        event.preventDefault();
        const value = new FormData(event.currentTarget).get('defaultLabel');
        if (isLevel(value)) save.mutate(value);
      }}
    >
      <RadioButtons
        legend={`${'› '.repeat(organisation.depth)}${organisation.name}`}
        name="defaultLabel"
        orientation="horizontal"
        options={sensitivityLevels.map((level) => ({
          label: t.labelNames[level],
          hintText: t.labelHints[level],
          nativeInputProps: { value: level, defaultChecked: organisation.defaultLabel === level },
        }))}
      />
      {save.isError && <ErrorNotice error={save.error} />}
      {save.isSuccess && (
        <p role="status" className="fr-message fr-message--valid">
          {t.saved}
        </p>
      )}
      <Button type="submit" priority="secondary" size="small" title={t.saveLabel(organisation.name)}>
        {t.save}
      </Button>
    </form>
  );
}
