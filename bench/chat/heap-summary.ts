/**
 * Summarises a V8 heap snapshot (`.heapsnapshot`): the object kinds (constructor or type) holding the most
 * memory by their own size, with their counts, as Markdown. Own sizes, not retained ones: enough to see what
 * multiplies per device or per room.
 *
 *   node bench/chat/heap-summary.ts FILE.heapsnapshot [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export async function summariseHeapSnapshot(file: string, top = 25): Promise<string> {
  const heap = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const typeNames = heap.snapshot.meta.node_types[0];
  const typeIndex = fields.indexOf('type');
  const nameIndex = fields.indexOf('name');
  const sizeIndex = fields.indexOf('self_size');
  const byKind = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let offset = 0; offset < heap.nodes.length; offset += fields.length) {
    const type = typeNames[heap.nodes[offset + typeIndex] ?? 0] ?? '?';
    const bytes = heap.nodes[offset + sizeIndex] ?? 0;
    // Strings and code are grouped by type; objects by constructor.
    const name =
      type === 'object' || type === 'closure' || type === 'native'
        ? (heap.strings[heap.nodes[offset + nameIndex] ?? 0] ?? '?')
        : '';
    const key = name === '' ? `(${type})` : `${name} (${type})`;
    const entry = byKind.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += bytes;
    byKind.set(key, entry);
    totalBytes += bytes;
  }
  const lines = [
    `Heap snapshot: ${(totalBytes / 1024 / 1024).toFixed(0)} MB in ${(heap.nodes.length / fields.length).toFixed(0)} objects.`,
    '',
    '| kind | objects | MB (own size) | share |',
    '|---|---:|---:|---:|',
  ];
  for (const [kind, entry] of [...byKind.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    lines.push(
      `| \`${kind.slice(0, 80).replaceAll('|', '\\|')}\` | ${entry.count} | ${(entry.bytes / 1024 / 1024).toFixed(1)} | ${((100 * entry.bytes) / totalBytes).toFixed(1)} % |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: node bench/chat/heap-summary.ts FILE.heapsnapshot [--top 25]');
  console.log(await summariseHeapSnapshot(file, Number(values.top)));
}
