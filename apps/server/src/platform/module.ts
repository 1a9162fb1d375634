import type { Migration } from './db/migrations.ts';
import type { ErrorSurfaces } from './http/error-mapper.ts';
import type { HttpServer } from './http/http-server.ts';

/**
 * What a capability module (identity, chat, docs, assistant...) gives the application. Each module is
 * made by a factory `createXModule(deps)` in its index.ts and listed explicitly in app.ts.
 */
export interface BureauModule {
  readonly name: string;
  /** Forward-only migrations of the module's own tables. */
  readonly migrations: readonly Migration[];
  /** Registers the module's routes; a protocol surface (e.g. /_matrix) also registers its error shape. */
  registerRoutes?(http: HttpServer, errorSurfaces: ErrorSurfaces): void | Promise<void>;
  /**
   * Idempotent setup of the module's own data once its tables exist (e.g. registering its root resources
   * with the permission model); called by every `migrate()`, so tests get it without listening.
   */
  initialise?(): Promise<void>;
  /** Called once the database is migrated, before the server listens. */
  start?(): Promise<void>;
  /**
   * Called as soon as shutdown begins, before in-flight requests are drained: long-polls and streams
   * answer now rather than holding the drain until their timeout.
   */
  beginShutdown?(): void;
  /** Called on shutdown after the HTTP server has drained. */
  stop?(): Promise<void>;
}
