import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../platform/authz/index.ts';
import { anonymousSubject, type Subject } from '../../platform/authz/subject.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logging.ts';
import type { MailService } from '../../platform/mail/index.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { InstanceService } from '../../platform/instance/instance.service.ts';
import type { NotificationService } from '../../platform/notifications/index.ts';
import type { SearchService } from '../../platform/search/index.ts';
import type { BureauModule } from '../../platform/module.ts';
import { createAccountMergeService, type AccountMergeService } from './account-merge.service.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import { createDirectoryService, type DirectoryService } from './directory.service.ts';
import './identity.events.ts';
import { registerAuthentication } from './identity.http.ts';
import { registerIdentityRoutes } from './identity.routes.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { registerProfileRoutes } from './profile.routes.ts';
import { registerWorkplaceRoutes } from './workplace.routes.ts';
import { registerIdentityNotifications } from './identity.notifications.ts';
import { createIdentitySearch } from './identity.search.ts';
import { registerAdministrationRoutes } from './administration.routes.ts';
import { createOnboardingService, type OnboardingService } from './onboarding.service.ts';
import { identityTokensMigration } from './migrations/202611290930_identity_tokens.ts';
import { ensureInitialAdmin, seedDemo } from './identity.seed.ts';
import { identityDirectoryMigration } from './migrations/202611290900_identity_directory.ts';
import { identitySessionsMigration } from './migrations/202611290910_identity_sessions.ts';
import { identityMergesMigration } from './migrations/202611300940_identity_merges.ts';
import { createServiceKeyService, type ServiceKeyService } from './service-keys.service.ts';
// OIDC single sign-on
import { identityOidcMigration } from './migrations/202611290920_identity_oidc.ts';
import { oidcLogout, registerOidcRoutes } from './oidc.routes.ts';
import { createOidcService, type OidcService, type OidcSettings } from './oidc.service.ts';

export { apiKeyScopes, type ApiKeyScope, type Authentication, type AuthService } from './auth.service.ts';
export type { DirectoryService, NewOrganisation, NewUser } from './directory.service.ts';
export type { AccountMergeService, MergeReport } from './account-merge.service.ts';
export type { ServiceKeyService } from './service-keys.service.ts';
export { identityErrors } from './identity.errors.ts';
export {
  actorOf,
  requireAuthentication,
  requireInstanceAdmin,
  requireScope,
  requireSession,
  sessionCookieName,
} from './identity.http.ts';
export { demoDomain, demoPassword } from './identity.seed.ts';

export interface IdentityModuleDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  events: EventBus;
  audit: AuditLog;
  authz: AuthzService;
  mail: MailService;
  blobs: BlobStore;
  instance: InstanceService;
  search: SearchService;
  notifications: NotificationService;
  config: {
    publicUrl: string;
    identity: {
      sessionIdleTimeoutMs: number;
      sessionMaxAgeMs: number;
      initialAdmin: { email: string; password: string } | undefined;
      seedDemo: boolean;
      /** The OpenID provider of single sign-on; undefined: password sign-in only. */
      oidc?: OidcSettings | undefined;
    };
  };
}

export interface IdentityModule extends BureauModule {
  readonly directory: DirectoryService;
  readonly auth: AuthService;
  readonly onboarding: OnboardingService;
  /** Organisations' service keys for other administrations' programs. */
  readonly serviceKeys: ServiceKeyService;
  /** Administrators' merge of two accounts of one person. */
  readonly merges: AccountMergeService;
  /** OIDC single sign-on, when an OpenID provider is configured. */
  readonly oidc: OidcService | undefined;
  /** Rebuilds the search index of users, groups and organisations (done in the background at start). */
  reindexSearch(): Promise<{ indexed: number; removed: number }>;
  /** Who sent the request, for the permission model (anonymous when not signed in). */
  subjectOf(request: FastifyRequest): Promise<Subject>;
}

/**
 * Identity: the directory (organisations, users, groups), sign-in (password, OIDC single sign-on), sessions,
 * API keys, and who a request comes from for every other module.
 */
export function createIdentityModule(deps: IdentityModuleDependencies): IdentityModule {
  const directory = createDirectoryService(deps);
  const auth = createAuthService({
    ...deps,
    sessions: {
      idleTimeoutMs: deps.config.identity.sessionIdleTimeoutMs,
      maxAgeMs: deps.config.identity.sessionMaxAgeMs,
    },
  });
  const onboarding = createOnboardingService({ ...deps, directory, auth, publicUrl: deps.config.publicUrl });
  const serviceKeys = createServiceKeyService(deps);
  const merges = createAccountMergeService(deps);
  const identitySearch = createIdentitySearch(deps);
  registerIdentityNotifications(deps);
  let reindexing: Promise<unknown> | undefined;
  // What a module creates in an organisation gets the organisation's default label.
  deps.authz.useOrganisationLabels((organisationId, executor) => directory.defaultLabelOf(organisationId, executor));
  const logger = deps.logger.child({ module: 'identity' });
  const oidcSettings = deps.config.identity.oidc;
  const oidc = oidcSettings
    ? createOidcService({ ...deps, auth, directory, publicUrl: deps.config.publicUrl, settings: oidcSettings })
    : undefined;
  return {
    name: 'identity',
    migrations: [
      identityDirectoryMigration,
      identitySessionsMigration,
      identityTokensMigration,
      identityOidcMigration,
      identityMergesMigration,
    ],
    directory,
    auth,
    onboarding,
    serviceKeys,
    merges,
    oidc,
    async subjectOf(request) {
      return request.auth ? directory.resolveSubject(request.auth.user) : anonymousSubject;
    },
    async registerRoutes(http) {
      // CSV import of accounts; 10 MiB is far above 5000 rows.
      http.addContentTypeParser(
        'text/csv',
        { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 },
        (_request, body, done) => done(null, body),
      );
      await registerAuthentication(http, { publicUrl: deps.config.publicUrl, auth });
      registerIdentityRoutes(http, {
        auth,
        directory,
        publicUrl: deps.config.publicUrl,
        sessionMaxAgeMs: deps.config.identity.sessionMaxAgeMs,
        ...(oidc ? { endOidcSession: oidcLogout(oidc, deps.config.publicUrl) } : {}),
      });
      await registerOidcRoutes(http, {
        oidc,
        directory,
        publicUrl: deps.config.publicUrl,
        sessionMaxAgeMs: deps.config.identity.sessionMaxAgeMs,
      });
      registerAuditRoutes(http, { audit: deps.audit, directory });
      registerProfileRoutes(http, { directory, blobs: deps.blobs });
      registerWorkplaceRoutes(http, { instance: deps.instance, audit: deps.audit });
      registerAdministrationRoutes(http, {
        directory,
        onboarding,
        serviceKeys,
        merges,
        publicUrl: deps.config.publicUrl,
        sessionMaxAgeMs: deps.config.identity.sessionMaxAgeMs,
      });
    },
    async initialise() {
      await identitySearch.ensureDirectoryResource();
    },
    reindexSearch: () => identitySearch.reindex(),
    async start() {
      await ensureInitialAdmin(directory, deps.config.identity.initialAdmin, logger);
      if (deps.config.identity.seedDemo) await seedDemo(directory, logger);
      // Catches up with changes whose events were lost (a crash between commit and delivery) and with
      // data older than the index; searches go on meanwhile.
      reindexing = identitySearch.reindex().catch((error: unknown) => {
        logger.error({ err: error }, 'rebuilding the directory search index failed');
      });
    },
    async stop() {
      await reindexing;
    },
  };
}
