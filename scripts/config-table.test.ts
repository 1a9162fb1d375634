import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable, readmePath, readmeWithConfigTable } from './config-table.ts';

describe('README configuration table', () => {
  it('lists every setting of the configuration schema, as generated (run `npm run docs:config` to update it)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(readme).toBe(readmeWithConfigTable(readme));
    expect(configTable()).toContain('`BUREAU_PORT` | `8080`');
  });
});
