import { buildApp, type BureauApp } from './app.ts';
import type { Config } from './config.ts';

/**
 * Runs Bureau until SIGTERM or SIGINT, then shuts down gracefully. A second signal during shutdown
 * exits at once. Resolves with the exit code.
 */
export async function runServer(config: Config): Promise<number> {
  const app: BureauApp = await buildApp(config);
  try {
    await app.listen();
  } catch (error) {
    app.platform.logger.fatal({ err: error }, 'Bureau could not start');
    await app.close().catch(() => undefined);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        app.platform.logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      signalled = true;
      app.platform.logger.info({ signal }, 'signal received');
      app.close().then(
        () => resolve(0),
        (error: unknown) => {
          app.platform.logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
