/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, the packages and
 * source files they belong to, and the functions with the most inclusive time (on the stack), as Markdown.
 *
 *   node bench/chat/profile-summary.ts FILE.cpuprofile [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a function lives: a package of node_modules, a file of the repository, Node's internals. */
function placeOf(url: string): string {
  if (url === '') return '(native or V8)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const repository = /\/(apps\/.*|bench\/.*|packages\/.*)$/.exec(url);
  return repository?.[1] ?? url;
}

function frameName(node: ProfileNode): string {
  const frame = node.callFrame;
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  return `${name} ${placeOf(frame.url)}:${frame.lineNumber + 1}`;
}

function table(title: string, rows: Array<[string, number]>, totalMs: number, top: number): string {
  const lines = [`| ${title} | ms | share |`, '|---|---:|---:|'];
  for (const [name, ms] of rows.slice(0, top)) {
    lines.push(`| \`${name.replaceAll('|', '\\|')}\` | ${ms.toFixed(0)} | ${((100 * ms) / totalMs).toFixed(1)} % |`);
  }
  return lines.join('\n');
}

export async function summariseProfile(file: string, top = 25): Promise<string> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  /** Native code without a name (better-sqlite3's statement methods...) is named after its caller. */
  const keyOf = (node: ProfileNode): string => {
    if (node.callFrame.functionName !== '' || node.callFrame.url !== '') return frameName(node);
    const caller = byId.get(parentOf.get(node.id) ?? -1);
    return caller ? `(native, called by ${frameName(caller)})` : '(anonymous native)';
  };
  // A gap between two samples far longer than the sampling interval means the thread was not running (the
  // machine was busy with other processes): it is counted apart rather than charged to the function sampled.
  const maxDeltaMs = 10;
  const self = new Map<number, number>();
  let gapsMs = 0;
  profile.samples.forEach((id, index) => {
    const deltaMs = (profile.timeDeltas[index] ?? 0) / 1000;
    self.set(id, (self.get(id) ?? 0) + Math.min(deltaMs, maxDeltaMs));
    gapsMs += Math.max(0, deltaMs - maxDeltaMs);
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const idleKeys = new Set(['(idle)', '(program)']);
  const bySelf = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const key = keyOf(node);
    if (idleKeys.has(key)) {
      idleMs += ms;
      continue;
    }
    bySelf.set(key, (bySelf.get(key) ?? 0) + ms);
    const place = node.callFrame.url === '' ? key : placeOf(node.callFrame.url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    // Inclusive time: each function on the stack once, however often it recurses.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current);
      if (!frame) break;
      const frameKey = keyOf(frame);
      if (seen.has(frameKey) || frameKey === '(root)') continue;
      seen.add(frameKey);
      inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + ms);
    }
  }
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  const busyMs = totalMs - idleMs - gapsMs;
  return [
    `Profile of ${(totalMs / 1000).toFixed(1)} s: ${(busyMs / 1000).toFixed(1)} s running, ${(idleMs / 1000).toFixed(1)} s idle, ` +
      `${(gapsMs / 1000).toFixed(1)} s in gaps between samples longer than ${maxDeltaMs} ms (thread not scheduled); shares below are of the whole profile.`,
    '',
    table('function (self time)', sorted(bySelf), totalMs, top),
    '',
    table('package or file (self time)', sorted(byPlace), totalMs, Math.min(top, 20)),
    '',
    table(
      'function (inclusive time)',
      sorted(inclusive).filter(([name]) => !name.startsWith('(')),
      totalMs,
      top,
    ),
  ].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: node bench/chat/profile-summary.ts FILE.cpuprofile [--top 25]');
  console.log(await summariseProfile(file, Number(values.top)));
}
