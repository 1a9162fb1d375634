/**
 * The upstream of the gateway benchmark in a process of its own: the fake OpenAI-compatible server of the
 * assistant's tests (apps/server/src/modules/assistant/testing/fake-openai-upstream.ts), not recording
 * requests. Prints its base URL (`http://127.0.0.1:<port>/v1`) on a line of stdout once it listens, then
 * serves until it receives SIGTERM or SIGINT.
 *
 *   node bench/gateway/upstream.ts [--embedding-dimensions 1024]
 */
import { parseArgs } from 'node:util';
import { startFakeOpenAiUpstream } from '../../apps/server/src/modules/assistant/testing/fake-openai-upstream.ts';

const { values } = parseArgs({
  options: { 'embedding-dimensions': { type: 'string', default: '1024' } },
});

const upstream = await startFakeOpenAiUpstream({
  name: 'bench',
  recordRequests: false,
  embeddingDimensions: Number(values['embedding-dimensions']),
});
process.stdout.write(`${upstream.baseUrl}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // close() ends every open socket, so nothing keeps the process alive afterwards: it exits with 0.
  process.once(signal, () => void upstream.close());
}
