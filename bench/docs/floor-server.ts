/**
 * The floor of the documents benchmark: a bare Hocuspocus server, as its documentation starts one — no
 * authentication, no persistence, no hooks — in a process of its own. Any HTTP request is answered
 * "Welcome to Hocuspocus!" (how run.ts knows it is ready); WebSockets on any path.
 *
 *   node bench/docs/floor-server.ts --port P
 */
import { parseArgs } from 'node:util';
import { Server } from '@hocuspocus/server';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const server = new Server({ port: Number(values.port), address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
