import { accessSync, constants } from 'node:fs';

/** Where Debian's `chromium` package puts the browser (installed by scripts/install-test-dependencies.sh). */
export const defaultChromiumPath = '/usr/bin/chromium';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium that runs the browser journeys: `BUREAU_CHROMIUM` when set (it must then be an executable,
 * otherwise this throws), else /usr/bin/chromium when present, else undefined.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.BUREAU_CHROMIUM?.trim();
  if (chosen) {
    if (!isExecutable(chosen)) {
      throw new Error(`BUREAU_CHROMIUM is set to "${chosen}", which is not an executable file.`);
    }
    return chosen;
  }
  return isExecutable(defaultChromiumPath) ? defaultChromiumPath : undefined;
}
