import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { webDistDirectory } from '../apps/server/src/platform/web-build.ts';

/** The shell's initial JavaScript, gzipped: what a first visit downloads before any page shows. */
const budgetBytes = 250 * 1024;

function gzippedSize(file: string): number {
  return gzipSync(readFileSync(path.join(webDistDirectory(), file)), { level: 9 }).length;
}

/** The JavaScript index.html loads: its module script and the static imports Vite preloads. */
function initialScripts(): string[] {
  const html = readFileSync(path.join(webDistDirectory(), 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g)].map((match) => match[1] ?? '');
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map(
    (match) => match[1] ?? '',
  );
  return [...scripts, ...preloads];
}

// The build is the one the global setup made (or found up to date) for the journeys.
describe('the web app’s bundle budget', () => {
  it('keeps the shell’s initial JavaScript within 250 KB gzipped, DSFR’s own script included', () => {
    const scripts = initialScripts();
    expect(scripts.length).toBeGreaterThan(0);
    const shell = scripts.reduce((total, file) => total + gzippedSize(file), 0);
    // react-dsfr loads the DSFR's script (dsfr.module) at start-up by a dynamic import: count it too.
    const code = scripts.map((file) => readFileSync(path.join(webDistDirectory(), file), 'utf8')).join('\n');
    const dsfrFile = /dsfr\.module-[\w-]+\.js/.exec(code)?.[0];
    const dsfrModule = dsfrFile === undefined ? undefined : `assets/${dsfrFile}`;
    const atStart = shell + (dsfrModule ? gzippedSize(dsfrModule) : 0);
    console.info(
      `web bundle: shell ${(shell / 1024).toFixed(1)} KB gzipped (${scripts.join(', ')}), ` +
        `${(atStart / 1024).toFixed(1)} KB with ${dsfrModule ?? 'no dsfr.module'}`,
    );
    expect(shell).toBeLessThanOrEqual(budgetBytes);
    expect(atStart).toBeLessThanOrEqual(budgetBytes);
  });
});
