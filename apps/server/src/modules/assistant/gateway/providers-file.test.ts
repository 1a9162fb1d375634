import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadProvidersFile,
  parseProvidersFile,
  ProvidersFileError,
  type ProviderDefinition,
  type ProvidersFileFormat,
} from './providers-file.ts';

const secret = 'sk-bureau-4f1c9a7e2b8d6053';

const exampleYaml = `
providers:
  - id: onprem-vllm                 # unique
    baseUrl: http://10.0.0.5:8000/v1
    apiKey: \${VLLM_KEY}             # environment references allowed
    hosting: on-premises
    clearance: restricted
    models:
      - name: albert-large          # the alias clients ask for
        upstream: mistral-small-3.2 # the provider's own model name
        type: chat
`;

const exampleProvider = {
  id: 'onprem-vllm',
  baseUrl: 'http://10.0.0.5:8000/v1',
  apiKey: '${VLLM_KEY}',
  hosting: 'on-premises',
  clearance: 'restricted',
  models: [{ name: 'albert-large', upstream: 'mistral-small-3.2', type: 'chat' }],
};

const exampleJson = JSON.stringify({ providers: [exampleProvider] });

const exampleDefinition: ProviderDefinition = {
  id: 'onprem-vllm',
  name: 'onprem-vllm',
  baseUrl: 'http://10.0.0.5:8000/v1',
  apiKey: secret,
  hosting: 'on-premises',
  clearance: 'restricted',
  operator: null,
  models: [{ name: 'albert-large', upstream: 'mistral-small-3.2', type: 'chat', costPerMillionTokens: null }],
  maxConcurrency: 16,
  timeouts: { firstByteMs: 30_000, totalMs: 300_000 },
  requiresPseudonymisation: false,
  healthCheck: { path: '/models', intervalMs: 30_000 },
};

const env = { VLLM_KEY: secret };

function parse(text: string, format: ProvidersFileFormat = 'yaml', environment: Record<string, string> = env) {
  return parseProvidersFile(text, { format, env: environment, source: 'providers.yaml' });
}

/** The error thrown by `run`, failing the test when nothing is thrown. */
function errorOf(run: () => unknown): ProvidersFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProvidersFileError) return error;
    throw error;
  }
  throw new Error('expected a ProvidersFileError');
}

/**
 * A YAML file of valid providers, each given as its fields that differ (a field not in the defaults is
 * added last, one line each): provider 0 starts on line 2, its models are on line 6.
 */
function providersYaml(...providers: ReadonlyArray<Readonly<Record<string, string>>>): string {
  const items = providers.map((overrides) => {
    const fields = {
      id: 'a',
      baseUrl: 'https://models.example.gouv.fr/v1',
      hosting: 'on-premises',
      clearance: 'internal',
      models: '[{ name: albert-small, type: chat }]',
      ...overrides,
    };
    return Object.entries(fields)
      .map(([key, value], index) => `${index === 0 ? '  - ' : '    '}${key}: ${value}`)
      .join('\n');
  });
  return `providers:\n${items.join('\n')}\n`;
}

describe('parseProvidersFile', () => {
  it('reads the example provider from YAML, resolving every default', () => {
    expect(parse(exampleYaml)).toEqual([exampleDefinition]);
  });

  it('reads the same definitions from the same file written in JSON', () => {
    expect(parse(exampleJson, 'json')).toEqual(parse(exampleYaml, 'yaml'));
  });

  it('keeps every optional field the operator gives, and trims the URL and key', () => {
    const [provider] = parse(`
providers:
  - id: dinum.albert
    name: Albert (DINUM)
    baseUrl: https://albert.api.etalab.gouv.fr/v1///
    apiKey: " ${secret} "
    hosting: state-cloud
    clearance: sensitive
    operator: DINUM
    maxConcurrency: 64
    timeouts: { firstByteMs: 5000, totalMs: 60000 }
    requiresPseudonymisation: true
    healthCheck: { path: /health, intervalMs: 10000 }
    models:
      - name: albert-large
        type: chat
        costPerMillionTokens: { input: 0.5, output: 1.5 }
      - name: embeddings-small
        upstream: BAAI/bge-m3
        type: embeddings
`);
    expect(provider).toEqual({
      id: 'dinum.albert',
      name: 'Albert (DINUM)',
      baseUrl: 'https://albert.api.etalab.gouv.fr/v1',
      apiKey: secret,
      hosting: 'state-cloud',
      clearance: 'sensitive',
      operator: 'DINUM',
      models: [
        {
          name: 'albert-large',
          upstream: 'albert-large',
          type: 'chat',
          costPerMillionTokens: { input: 0.5, output: 1.5 },
        },
        { name: 'embeddings-small', upstream: 'BAAI/bge-m3', type: 'embeddings', costPerMillionTokens: null },
      ],
      maxConcurrency: 64,
      timeouts: { firstByteMs: 5000, totalMs: 60_000 },
      requiresPseudonymisation: true,
      healthCheck: { path: '/health', intervalMs: 10_000 },
    });
  });

  it('treats a missing or empty API key as none', () => {
    const providers = parse(providersYaml({ id: 'a' }, { id: 'b', apiKey: '""' }));
    expect(providers.map((provider) => provider.apiKey)).toEqual([null, null]);
  });

  it('accepts an empty file, a file of comments and an empty providers list as no provider', () => {
    expect(parse('')).toEqual([]);
    expect(parse('# providers are added later\n')).toEqual([]);
    expect(parse('providers: []')).toEqual([]);
    expect(parse('providers:')).toEqual([]);
    expect(parse('', 'json')).toEqual([]);
    expect(parse('{ "providers": [] }', 'json')).toEqual([]);
  });

  it('lets providers share settings through YAML anchors, merge keys and x- top-level keys', () => {
    const providers = parse(`
x-shared: &shared
  hosting: on-premises
  clearance: restricted
  models: [{ name: albert-large, upstream: mistral-small-3.2, type: chat }]
providers:
  - <<: *shared
    id: node-1
    baseUrl: http://10.0.0.5:8000/v1
  - <<: *shared
    id: node-2
    baseUrl: http://10.0.0.6:8000/v1
`);
    expect(providers.map(({ id, baseUrl, clearance, models }) => ({ id, baseUrl, clearance, models }))).toEqual([
      { id: 'node-1', baseUrl: 'http://10.0.0.5:8000/v1', clearance: 'restricted', models: exampleDefinition.models },
      { id: 'node-2', baseUrl: 'http://10.0.0.6:8000/v1', clearance: 'restricted', models: exampleDefinition.models },
    ]);
  });

  describe('environment references', () => {
    it('replaces references in every string value, numbers and booleans included', () => {
      const [provider] = parse(
        providersYaml({
          baseUrl: 'http://${VLLM_HOST}:8000/v1',
          apiKey: '${VLLM_KEY}',
          maxConcurrency: '${VLLM_CONCURRENCY}',
          requiresPseudonymisation: '${PSEUDONYMISE}',
        }),
        'yaml',
        { VLLM_HOST: '10.0.0.5', VLLM_KEY: secret, VLLM_CONCURRENCY: '8', PSEUDONYMISE: 'true' },
      );
      expect(provider).toMatchObject({
        baseUrl: 'http://10.0.0.5:8000/v1',
        apiKey: secret,
        maxConcurrency: 8,
        requiresPseudonymisation: true,
      });
    });

    it('reads $${NAME} as the literal text ${NAME}', () => {
      const [provider] = parse(providersYaml({ operator: 'Team $${TEAM} of ${VLLM_KEY_OWNER}' }), 'yaml', {
        TEAM: 'never used',
        VLLM_KEY_OWNER: 'DINUM',
      });
      expect(provider?.operator).toBe('Team ${TEAM} of DINUM');
    });

    it('names each missing variable and where it is used, without further noise about that value', () => {
      const error = errorOf(() =>
        parse(providersYaml({ apiKey: '${MISSING_KEY}', maxConcurrency: '${MISSING_LIMIT}' }), 'yaml', {}),
      );
      expect(error.issues).toEqual([
        'providers[0] (a).apiKey: environment variable MISSING_KEY is not set (line 7)',
        'providers[0] (a).maxConcurrency: environment variable MISSING_LIMIT is not set (line 8)',
      ]);
    });

    it('rejects a reference whose name is not an upper-case variable name', () => {
      const error = errorOf(() => parse(providersYaml({ operator: '${team}' })));
      expect(error.issues).toEqual([
        'providers[0] (a).operator: ${team} is not a valid environment reference: names are upper-case letters, ' +
          'digits and _, not starting with a digit (write $${...} for a literal ${...}) (line 7)',
      ]);
    });
  });

  describe('validation', () => {
    it('reports every problem of the file at once, each with its location', () => {
      const error = errorOf(() =>
        parse(`
providers:
  - id: Bad Id
    baseUrl: ftp://models.example.gouv.fr
    hosting: moon
    clearance: secret
    maxConcurrency: 0
    timeouts: { firstByteMs: 2.5 }
    healthCheck: { path: models, intervalMs: 10 }
    models:
      - name: -leading-dash
        type: chatt
        costPerMillionTokens: { input: -1 }
  - id: empty-models
    baseUrl: https://ok.example.gouv.fr/v1
    hosting: on-premises
    clearance: public
    models: []
  - baseUrl: https://ok.example.gouv.fr/v1
    requiresPseudonymisation: maybe
`),
      );
      expect(error.issues).toEqual([
        'providers[0].id: must be 1 to 64 lower-case letters, digits or . _ - characters, starting with a letter or a digit (line 3)',
        'providers[0].baseUrl: must be an http:// or https:// URL (line 4)',
        'providers[0].hosting: must be one of on-premises, state-cloud, secnumcloud, public-cloud (got "moon") (line 5)',
        'providers[0].clearance: must be one of public, internal, sensitive, restricted (got "secret") (line 6)',
        'providers[0].maxConcurrency: must be at least 1 (line 7)',
        'providers[0].timeouts.firstByteMs: must be a whole number (line 8)',
        'providers[0].healthCheck.path: must be a path starting with / (appended to baseUrl) (line 9)',
        'providers[0].healthCheck.intervalMs: must be at least 1000 (line 9)',
        'providers[0].models[0].name: must be 1 to 128 letters, digits or . _ : / - characters, starting with a letter or a digit (line 11)',
        'providers[0].models[0].type: must be one of chat, embeddings, rerank (got "chatt") (line 12)',
        'providers[0].models[0].costPerMillionTokens.input: must be at least 0 (line 13)',
        'providers[0].models[0].costPerMillionTokens.output: is required (line 13)',
        'providers[1] (empty-models).models: must not be empty (line 18)',
        'providers[2].id: is required (line 19)',
        'providers[2].hosting: is required (line 19)',
        'providers[2].clearance: is required (line 19)',
        'providers[2].models: is required (line 19)',
        'providers[2].requiresPseudonymisation: must be true or false (got text) (line 20)',
      ]);
      expect(error.message).toBe(
        `Invalid AI providers file providers.yaml:\n${error.issues.map((issue) => `  - ${issue}`).join('\n')}`,
      );
      expect(error.name).toBe('ProvidersFileError');
    });

    it('rejects two providers with the same id', () => {
      const error = errorOf(() => parse(providersYaml({ id: 'twin' }, { id: 'other' }, { id: 'twin' })));
      expect(error.issues).toEqual(['providers[2] (twin).id: twin is already the id of providers[0] (line 12)']);
    });

    it('rejects an alias listed twice by one provider but lets two providers serve the same alias', () => {
      const twice = providersYaml({
        models: '[{ name: albert-small, type: chat }, { name: albert-small, upstream: other-model, type: chat }]',
      });
      expect(errorOf(() => parse(twice)).issues).toEqual([
        'providers[0] (a).models[1].name: albert-small is already the name of models[0] of this provider (line 6)',
      ]);
      expect(parse(providersYaml({ id: 'a' }, { id: 'b' }))).toHaveLength(2);
    });

    it('rejects a clearance above what the hosting allows, naming the cap', () => {
      const error = errorOf(() =>
        parse(
          providersYaml({
            id: 'openai',
            hosting: 'public-cloud',
            clearance: 'sensitive',
            timeouts: '{ firstByteMs: 1000 }',
          }),
        ),
      );
      expect(error.issues).toEqual([
        'providers[0] (openai).clearance: sensitive is above what public-cloud hosting allows (internal at most) (line 5)',
      ]);
    });

    it('reports a cross-field problem even when the same provider has other errors', () => {
      const error = errorOf(() =>
        parse(
          providersYaml({
            id: 'cloud',
            hosting: 'secnumcloud',
            clearance: 'restricted',
            maxConcurrency: 'lots',
            timeouts: '{ firstByteMs: 600000 }',
          }),
        ),
      );
      expect(error.issues).toEqual([
        'providers[0] (cloud).clearance: restricted is above what secnumcloud hosting allows (sensitive at most) (line 5)',
        'providers[0] (cloud).maxConcurrency: must be a number (got text) (line 7)',
        'providers[0] (cloud).timeouts.firstByteMs: must not exceed totalMs (600000 > 300000) (line 8)',
      ]);
    });

    it('rejects unknown keys, suggesting the key probably meant', () => {
      const error = errorOf(() =>
        parse(
          `provider: []\n${providersYaml({ baseURL: 'http://x/v1', colour: 'blue', timeouts: '{ total_ms: 1000 }' })}`,
        ),
      );
      expect(error.issues).toEqual([
        'provider: unknown key (did you mean providers?) (line 1)',
        'providers[0] (a).baseURL: unknown key (did you mean baseUrl?) (line 8)',
        'providers[0] (a).colour: unknown key (line 9)',
        'providers[0] (a).timeouts.total_ms: unknown key (did you mean totalMs?) (line 10)',
      ]);
    });

    it('rejects a file that is not a mapping of providers', () => {
      expect(errorOf(() => parse('- id: a')).issues).toEqual([
        '(top level): must be a mapping with a providers list (line 1)',
      ]);
    });

    it('rejects a base URL carrying credentials or a query', () => {
      const error = errorOf(() =>
        parse(
          providersYaml(
            { id: 'a', baseUrl: 'https://user:pass@models.example.gouv.fr/v1' },
            { id: 'b', baseUrl: 'https://models.example.gouv.fr/v1?version=2' },
          ),
        ),
      );
      expect(error.issues).toEqual([
        'providers[0] (a).baseUrl: must not contain credentials (put the key in apiKey) (line 3)',
        'providers[1] (b).baseUrl: must not have a query or a fragment (line 8)',
      ]);
    });

    it('locates problems by line in a JSON file too', () => {
      const text = JSON.stringify({ providers: [{ ...exampleProvider, hosting: 'attic' }] }, null, 2);
      expect(errorOf(() => parse(text, 'json')).issues).toEqual([
        'providers[0] (onprem-vllm).hosting: must be one of on-premises, state-cloud, secnumcloud, public-cloud (got "attic") (line 7)',
      ]);
    });
  });

  describe('syntax errors', () => {
    it('reports unparseable YAML as one issue with the parser message and its line', () => {
      expect(errorOf(() => parse('providers:\n  - id: a\n\tbaseUrl: x\n')).issues).toEqual([
        'Tabs are not allowed as indentation (line 3, column 1)',
      ]);
    });

    it('reports duplicate YAML keys and unresolved aliases', () => {
      expect(errorOf(() => parse('providers: []\nproviders: []\n')).issues).toEqual([
        'Map keys must be unique (line 2, column 1)',
      ]);
      expect(errorOf(() => parse('providers: *nowhere\n')).issues).toHaveLength(1);
    });

    it('reports unparseable JSON as one issue with the parser message', () => {
      expect(errorOf(() => parse('{ "providers": [], }', 'json')).issues).toEqual([
        'Expected double-quoted property name in JSON at position 19 (line 1 column 20)',
      ]);
    });
  });

  describe('API keys', () => {
    const cases: Array<[string, string, ProvidersFileFormat]> = [
      ['a key of the wrong type', providersYaml({ apiKey: `[${secret}]` }), 'yaml'],
      ['a key under a misspelled field', providersYaml({ api_key: secret }), 'yaml'],
      ['a key put in the wrong field', providersYaml({ maxConcurrency: secret }), 'yaml'],
      ['a key in a provider with other errors', providersYaml({ id: 'Bad', apiKey: secret }), 'yaml'],
      ['a key on a line YAML cannot parse', `providers:\n  - id: a\n    apiKey: "${secret}\n  bad: [`, 'yaml'],
      ['a key JSON cannot parse', `{ "providers": [{ "id": "a", "apiKey": ${secret} }] }`, 'json'],
      ['a key in a malformed reference', providersYaml({ apiKey: `\${${secret}}` }), 'yaml'],
    ];

    it.each(cases)('never appear in the error for %s', (_, text, format) => {
      const error = errorOf(() => parse(text, format));
      expect(error.issues.length).toBeGreaterThan(0);
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(secret.slice(0, 12));
    });

    it('never appear in the error when resolved from the environment', () => {
      const error = errorOf(() => parse(providersYaml({ apiKey: '${VLLM_KEY}', maxConcurrency: 'many' })));
      expect(error.issues).toEqual(['providers[0] (a).maxConcurrency: must be a number (got text) (line 8)']);
      expect(error.message).not.toContain(secret);
    });
  });
});

describe('loadProvidersFile', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bureau-providers-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const path = join(directory, name);
    await writeFile(path, text);
    return path;
  }

  it('reads the format from the .yaml, .yml and .json extensions', async () => {
    for (const [name, text] of [
      ['providers.yaml', exampleYaml],
      ['providers.yml', exampleYaml],
      ['providers.json', exampleJson],
    ] as const) {
      await expect(loadProvidersFile(await write(name, text), env)).resolves.toEqual([exampleDefinition]);
    }
  });

  it('reads another extension as JSON when the text starts with a brace, as YAML otherwise', async () => {
    await expect(loadProvidersFile(await write('providers.conf', `\n  ${exampleJson}`), env)).resolves.toEqual([
      exampleDefinition,
    ]);
    await expect(loadProvidersFile(await write('providers', exampleYaml), env)).resolves.toEqual([exampleDefinition]);
  });

  it('accepts a byte order mark before JSON', async () => {
    const path = await write('providers.json', `\uFEFF${exampleJson}`);
    await expect(loadProvidersFile(path, env)).resolves.toEqual([exampleDefinition]);
  });

  it('names the file in its errors', async () => {
    const path = await write('providers.yml', 'providers:\n  - id: a\n');
    const error = await loadProvidersFile(path, env).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ProvidersFileError);
    expect((error as ProvidersFileError).message).toMatch(
      new RegExp(
        `^Invalid AI providers file ${path.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\n  - providers\\[0\\] \\(a\\)\\.baseUrl: is required`,
      ),
    );
  });

  it('reports a file that does not exist', async () => {
    const path = join(directory, 'missing.yaml');
    await expect(loadProvidersFile(path, env)).rejects.toThrow(
      new ProvidersFileError(['cannot be read: no such file'], path).message,
    );
  });
});
