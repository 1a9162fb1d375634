#!/usr/bin/env node
// The `bureau` command. Bureau's server runs from its TypeScript sources with Node.js 24's type
// stripping, so it works right after `npm install`, with no build step.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `Bureau needs Node.js 24 or later; this is Node.js ${process.version}.\n` +
      'Install it, or use the copy the repository can fetch:  export PATH="$(bash scripts/ensure-node.sh):$PATH"\n',
  );
  process.exit(1);
}
// Node.js keeps the compiled code of Bureau's modules (type stripping included) in its cache directory
// (NODE_COMPILE_CACHE, or node-compile-cache in the temporary directory), keyed by their content: a command
// starts about twice as fast from the second run on.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { runCli } = await import('../apps/server/src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
