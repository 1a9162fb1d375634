import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import {
  compareSensitivity,
  maxClearanceForHosting,
  processorHostings,
  sensitivityLevels,
  type ProcessorHosting,
  type SensitivityLevel,
} from '../../../platform/sensitivity/index.ts';

/** What a model does, hence which OpenAI-compatible endpoint serves it. */
export const modelTypes = ['chat', 'embeddings', 'rerank'] as const;

export type ModelType = (typeof modelTypes)[number];

/** One model a provider serves, under the alias clients ask for. */
export interface ProviderModel {
  /** The alias clients ask for (`albert-large`); several providers may serve the same alias. */
  readonly name: string;
  /** The provider's own name of the model (defaults to `name`). */
  readonly upstream: string;
  readonly type: ModelType;
  /** Price per million tokens, for usage accounting; null when the operator gave none. */
  readonly costPerMillionTokens: { readonly input: number; readonly output: number } | null;
}

/** A model provider (any OpenAI-compatible server) as declared by the operator, every default resolved. */
export interface ProviderDefinition {
  /** Unique within the file; used in logs, metrics and usage records. */
  readonly id: string;
  /** Display name (defaults to `id`). */
  readonly name: string;
  /** OpenAI base URL, `/v1` included, without a trailing slash. */
  readonly baseUrl: string;
  /** Sent as a bearer token; null when the provider needs none. A secret: never log it. */
  readonly apiKey: string | null;
  readonly hosting: ProcessorHosting;
  /** The most sensitive data the provider may receive; never above what its hosting allows. */
  readonly clearance: SensitivityLevel;
  /** Who runs the provider (an administration, a company), shown to people; null when not given. */
  readonly operator: string | null;
  readonly models: readonly ProviderModel[];
  /** How many requests the provider accepts at once. */
  readonly maxConcurrency: number;
  readonly timeouts: { readonly firstByteMs: number; readonly totalMs: number };
  /** Whether personal data must be pseudonymised before it is sent to this provider. */
  readonly requiresPseudonymisation: boolean;
  /** Probed with GET `baseUrl + path` every `intervalMs`. */
  readonly healthCheck: { readonly path: string; readonly intervalMs: number };
}

export type ProvidersFileFormat = 'yaml' | 'json';

export interface ParseProvidersFileOptions {
  readonly format: ProvidersFileFormat;
  /** Values of the `${NAME}` references; the process environment in production. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Named in the error message, e.g. the file's path. */
  readonly source?: string;
}

/** The providers file cannot be used; `issues` lists every problem found, one readable line each. */
export class ProvidersFileError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[], source?: string) {
    const where = source === undefined ? '' : ` ${source}`;
    super(`Invalid AI providers file${where}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ProvidersFileError';
    this.issues = issues;
  }
}

const providerIdPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const modelAliasPattern = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const environmentReferencePattern = /\$(\$?)\{([^}]*)\}/g;
const environmentVariableNamePattern = /^[A-Z_][A-Z0-9_]*$/;
const oneDayMs = 86_400_000;

// A `${NAME}` reference always yields text; numbers and booleans written that way are read back here.
const numberFromText = (value: unknown) =>
  typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
const booleanFromText = (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value);

const wholeNumber = (min: number, max: number) => z.preprocess(numberFromText, z.number().int().min(min).max(max));
const price = z.preprocess(numberFromText, z.number().min(0));
const flag = z.preprocess(booleanFromText, z.boolean());
const label = z.string().trim().min(1).max(128);

const baseUrl = z
  .string()
  .trim()
  .superRefine((value, context) => {
    const url = URL.parse(value);
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      context.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
    } else if (url.username !== '' || url.password !== '') {
      // The URL is logged and shown to administrators; a secret belongs in apiKey, which never is.
      context.addIssue({ code: 'custom', message: 'must not contain credentials (put the key in apiKey)' });
    } else if (url.search !== '' || url.hash !== '') {
      // Endpoint paths are appended to the base URL, which a query or fragment would break.
      context.addIssue({ code: 'custom', message: 'must not have a query or a fragment' });
    }
  })
  .transform((value) => value.replace(/\/+$/, ''));

const costFields = z.strictObject({ input: price, output: price });

const modelFields = z.strictObject({
  name: z
    .string()
    .regex(
      modelAliasPattern,
      'must be 1 to 128 letters, digits or . _ : / - characters, starting with a letter or a digit',
    ),
  upstream: z.string().trim().min(1).max(256).optional(),
  type: z.enum(modelTypes),
  costPerMillionTokens: costFields.nullable().optional(),
});

const timeoutsFields = z.strictObject({
  firstByteMs: wholeNumber(1, oneDayMs).default(30_000),
  totalMs: wholeNumber(1, oneDayMs).default(300_000),
});

const healthCheckFields = z.strictObject({
  path: z
    .string()
    .regex(/^\/\S{0,255}$/, 'must be a path starting with / (appended to baseUrl)')
    .default('/models'),
  intervalMs: wholeNumber(1000, oneDayMs).default(30_000),
});

const providerFields = z.strictObject({
  id: z
    .string()
    .regex(
      providerIdPattern,
      'must be 1 to 64 lower-case letters, digits or . _ - characters, starting with a letter or a digit',
    ),
  name: label.optional(),
  baseUrl,
  apiKey: z.string().nullable().optional(),
  hosting: z.enum(processorHostings),
  clearance: z.enum(sensitivityLevels),
  operator: label.nullable().optional(),
  models: z.array(modelFields).min(1),
  maxConcurrency: wholeNumber(1, 10_000).default(16),
  timeouts: timeoutsFields.prefault({}),
  requiresPseudonymisation: flag.default(false),
  healthCheck: healthCheckFields.prefault({}),
});

const fileFields = z.strictObject(
  { providers: z.array(providerFields).nullable().optional() },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be a mapping with a providers list' : undefined) },
);

// Where an unknown key sits decides which keys were meant; paths are written with `*` for list indices.
const knownKeysByPath: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(fileFields.shape)],
  ['providers.*', Object.keys(providerFields.shape)],
  ['providers.*.models.*', Object.keys(modelFields.shape)],
  ['providers.*.models.*.costPerMillionTokens', Object.keys(costFields.shape)],
  ['providers.*.timeouts', Object.keys(timeoutsFields.shape)],
  ['providers.*.healthCheck', Object.keys(healthCheckFields.shape)],
]);

type PathSegment = string | number;

interface Issue {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/**
 * Reads the model providers of an AI providers file (YAML or JSON) and resolves every default.
 * `${NAME}` references in string values are replaced from `env` (`$${...}` stands for a literal
 * `${...}`). Top-level keys starting with `x-` are ignored, so that they can hold YAML anchors shared
 * by providers (`<<: *defaults`). An empty file declares no provider. Throws
 * {@link ProvidersFileError} listing every problem at once, each with its location; the API keys never
 * appear in it.
 */
export function parseProvidersFile(text: string, options: ParseProvidersFileOptions): ProviderDefinition[] {
  const withoutByteOrderMark = text.replace(/^\uFEFF/, '');
  const syntax = parseSyntax(withoutByteOrderMark, options.format);
  if (!syntax.ok) {
    const secrets = apiKeysWrittenIn(withoutByteOrderMark);
    throw new ProvidersFileError([redact(syntax.problem, secrets)], options.source);
  }
  if (syntax.value === null || syntax.value === undefined) return [];

  const environmentIssues: Issue[] = [];
  const resolved = substituteEnvironment(withoutExtensions(syntax.value), options.env, [], environmentIssues);
  const validation = fileFields.safeParse(resolved, { error: describeIssue });
  const otherIssues = [
    ...(validation.success ? [] : validation.error.issues.flatMap(toIssues)),
    ...crossCheck(resolved),
  ];
  // A value whose variable is missing is already reported; its leftover `${NAME}` would only add noise.
  const issues = [
    ...environmentIssues,
    ...otherIssues.filter((issue) => !environmentIssues.some((reported) => isWithin(issue.path, reported.path))),
  ];
  if (issues.length > 0 || !validation.success) {
    const secrets = [...apiKeysIn(syntax.value), ...apiKeysIn(resolved)];
    const lines = inReadingOrder(issues, syntax.locate).map(({ issue, line }) =>
      redact(formatIssue(issue, line, resolved), secrets),
    );
    throw new ProvidersFileError(lines, options.source);
  }
  return (validation.data.providers ?? []).map(toDefinition);
}

/**
 * Reads and parses the providers file at `path`: YAML for `.yaml`/`.yml`, JSON for `.json`; any other
 * name is read as JSON when it starts with `{`, as YAML otherwise. Throws {@link ProvidersFileError}.
 */
export async function loadProvidersFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ProviderDefinition[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ProvidersFileError([`cannot be read: ${describeReadError(error)}`], path);
  }
  return parseProvidersFile(text, { format: formatOf(path, text), env, source: path });
}

/**
 * The file without its top-level `x-` keys, which hold YAML anchors shared by providers (as in Docker
 * Compose files): they are merged where used, and are not providers themselves.
 */
function withoutExtensions(file: unknown): unknown {
  if (!isRecord(file)) return file;
  return Object.fromEntries(Object.entries(file).filter(([key]) => !key.startsWith('x-')));
}

function formatOf(path: string, text: string): ProvidersFileFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  const start = text.replace(/^\uFEFF/, '').trimStart();
  return start.startsWith('{') ? 'json' : 'yaml';
}

function describeReadError(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

type LineLocator = (path: readonly PathSegment[]) => number | undefined;

type SyntaxResult = { ok: true; value: unknown; locate: LineLocator } | { ok: false; problem: string };

function parseSyntax(text: string, format: ProvidersFileFormat): SyntaxResult {
  if (format === 'json') {
    if (text.trim() === '') return { ok: true, value: null, locate: () => undefined };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, problem: describeJsonError(error) };
    }
    // JSON is YAML too: its syntax tree gives the line of each value for the messages.
    const tree = readYamlTree(text);
    return { ok: true, value, locate: tree.document.errors.length === 0 ? tree.locate : () => undefined };
  }
  const { document, lineCounter, locate } = readYamlTree(text);
  const [error] = document.errors;
  if (error !== undefined) {
    // Messages are built without `prettyErrors`, which would quote the source, API keys included.
    const position = lineCounter.linePos(error.pos[0]);
    return { ok: false, problem: `${error.message} (line ${position.line}, column ${position.col})` };
  }
  try {
    return { ok: true, value: document.toJS(), locate };
  } catch (failure) {
    // Unresolved aliases and alias bombs only surface when the tree is turned into values.
    return { ok: false, problem: failure instanceof Error ? failure.message : String(failure) };
  }
}

function readYamlTree(text: string): { document: Document; lineCounter: LineCounter; locate: LineLocator } {
  const lineCounter = new LineCounter();
  // `merge` lets operators share settings between providers with `<<: *defaults`.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const lineOf = (node: unknown) => (isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined);
  const locate: LineLocator = (path) => {
    let node: unknown = document.contents;
    let line = lineOf(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (pair === undefined) break;
        line = lineOf(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (node === undefined) break;
        line = lineOf(node) ?? line;
      } else {
        break;
      }
    }
    return line;
  };
  return { document, lineCounter, locate };
}

function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // V8 quotes the text around an unexpected token, which may be an API key: keep the token only.
  const quoting = /^(.*?), .*is not valid JSON$/s.exec(message);
  return quoting?.[1] === undefined ? message : `${quoting[1]} (not valid JSON)`;
}

function substituteEnvironment(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path: readonly PathSegment[],
  issues: Issue[],
): unknown {
  if (typeof value === 'string') return substituteInText(value, env, path, issues);
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => substituteEnvironment(item, env, [...path, index], issues));
  }
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteEnvironment(item, env, [...path, key], issues)]),
    );
  }
  return value;
}

function substituteInText(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  path: readonly PathSegment[],
  issues: Issue[],
): string {
  const problems = new Set<string>();
  const result = text.replace(environmentReferencePattern, (reference, escape: string, name: string) => {
    if (escape !== '') return reference.slice(1);
    if (!environmentVariableNamePattern.test(name)) {
      // The text of a malformed reference inside an API key could be part of the key itself.
      const subject = path.at(-1) === 'apiKey' ? 'an API key reference' : `\${${name}}`;
      problems.add(
        `${subject} is not a valid environment reference: names are upper-case letters, digits and _, ` +
          'not starting with a digit (write $${...} for a literal ${...})',
      );
      return reference;
    }
    const replacement = env[name];
    if (replacement === undefined) {
      problems.add(`environment variable ${name} is not set`);
      return reference;
    }
    return replacement;
  });
  for (const message of problems) issues.push({ path, message });
  return result;
}

/** Rules across fields and entries, checked on whatever parts of the file are valid so all are reported. */
function crossCheck(file: unknown): Issue[] {
  const issues: Issue[] = [];
  const providers = isRecord(file) && Array.isArray(file.providers) ? (file.providers as unknown[]) : [];
  const firstIndexById = new Map<string, number>();
  providers.forEach((provider, index) => {
    if (!isRecord(provider)) return;
    const path = ['providers', index];

    if (typeof provider.id === 'string') {
      const firstIndex = firstIndexById.get(provider.id);
      if (firstIndex === undefined) {
        firstIndexById.set(provider.id, index);
      } else {
        issues.push({ path: [...path, 'id'], message: `${provider.id} is already the id of providers[${firstIndex}]` });
      }
    }

    const hosting = providerFields.shape.hosting.safeParse(provider.hosting);
    const clearance = providerFields.shape.clearance.safeParse(provider.clearance);
    if (hosting.success && clearance.success) {
      const cap = maxClearanceForHosting(hosting.data);
      if (compareSensitivity(clearance.data, cap) > 0) {
        issues.push({
          path: [...path, 'clearance'],
          message: `${clearance.data} is above what ${hosting.data} hosting allows (${cap} at most)`,
        });
      }
    }

    const timeouts = providerFields.shape.timeouts.safeParse(provider.timeouts);
    if (timeouts.success && timeouts.data.firstByteMs > timeouts.data.totalMs) {
      issues.push({
        path: [...path, 'timeouts', 'firstByteMs'],
        message: `must not exceed totalMs (${timeouts.data.firstByteMs} > ${timeouts.data.totalMs})`,
      });
    }

    const models = Array.isArray(provider.models) ? (provider.models as unknown[]) : [];
    const firstIndexByAlias = new Map<string, number>();
    models.forEach((model, modelIndex) => {
      if (!isRecord(model) || typeof model.name !== 'string') return;
      const firstIndex = firstIndexByAlias.get(model.name);
      if (firstIndex === undefined) {
        firstIndexByAlias.set(model.name, modelIndex);
      } else {
        issues.push({
          path: [...path, 'models', modelIndex, 'name'],
          message: `${model.name} is already the name of models[${firstIndex}] of this provider`,
        });
      }
    });
  });
  return issues;
}

const expectedNames: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** Messages of the zod issues, in the words of someone editing the file; values are echoed for enums only. */
const describeIssue: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return 'is required';
  }
  switch (issue.code) {
    case 'invalid_type': {
      const expected = expectedNames[issue.expected] ?? issue.expected;
      if (issue.expected === 'int' && typeof issue.input === 'number') return `must be ${expected}`;
      const hint =
        issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean')
          ? '; put it in quotes'
          : '';
      // The received type, never the value: a misplaced API key must not be echoed.
      return `must be ${expected} (got ${describeType(issue.input)}${hint})`;
    }
    case 'invalid_value': {
      const got =
        typeof issue.input === 'string' && issue.input.length <= 64 ? ` (got ${JSON.stringify(issue.input)})` : '';
      return `must be one of ${issue.values.map(String).join(', ')}${got}`;
    }
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'string') {
        return Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${issue.minimum} entries`;
      }
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} entries`;
      return `must be at most ${issue.maximum}`;
    default:
      return undefined;
  }
};

function describeType(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

function toIssues(issue: z.core.$ZodIssue): Issue[] {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key${suggestKey(path, key)}` }));
  }
  return [{ path, message: issue.message }];
}

function suggestKey(objectPath: readonly PathSegment[], key: string): string {
  const pattern = objectPath.map((segment) => (typeof segment === 'number' ? '*' : segment)).join('.');
  const known = knownKeysByPath.get(pattern) ?? [];
  const simplified = simplifyKey(key);
  const match =
    known.find((candidate) => simplifyKey(candidate) === simplified) ??
    known.find((candidate) => editDistance(simplifyKey(candidate), simplified) <= 2);
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}

function simplifyKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function formatIssue(issue: Issue, line: number | undefined, file: unknown): string {
  return `${formatPath(issue.path, file)}: ${issue.message}${line === undefined ? '' : ` (line ${line})`}`;
}

/** `providers[1] (onprem-vllm).models[0].type`: the provider's id helps find it in a long file. */
function formatPath(path: readonly PathSegment[], file: unknown): string {
  if (path.length === 0) return '(top level)';
  let text = '';
  path.forEach((segment, index) => {
    text += typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${segment}`;
    if (index === 1 && path[0] === 'providers' && typeof segment === 'number') {
      const providers = isRecord(file) && Array.isArray(file.providers) ? (file.providers as unknown[]) : [];
      const provider = providers[segment];
      if (isRecord(provider) && typeof provider.id === 'string' && providerIdPattern.test(provider.id)) {
        text += ` (${provider.id})`;
      }
    }
  });
  return text;
}

/** Grouped by provider, then in the order of the file, as someone fixing it would read them. */
function inReadingOrder(
  issues: readonly Issue[],
  locate: LineLocator,
): Array<{ issue: Issue; line: number | undefined }> {
  const providerIndex = (issue: Issue) =>
    issue.path[0] === 'providers' && typeof issue.path[1] === 'number' ? issue.path[1] : -1;
  return issues
    .map((issue) => ({ issue, line: locate(issue.path) }))
    .sort(
      (a, b) =>
        providerIndex(a.issue) - providerIndex(b.issue) ||
        (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
    );
}

function isWithin(path: readonly PathSegment[], ancestor: readonly PathSegment[]): boolean {
  return ancestor.length <= path.length && ancestor.every((segment, index) => path[index] === segment);
}

/** The API keys of a parsed file, as written and as resolved. */
function apiKeysIn(file: unknown): string[] {
  const providers = isRecord(file) && Array.isArray(file.providers) ? (file.providers as unknown[]) : [];
  return providers.flatMap((provider) =>
    isRecord(provider) && typeof provider.apiKey === 'string' ? [provider.apiKey.trim()] : [],
  );
}

/** The API keys of a file that could not be parsed, found by their key. */
function apiKeysWrittenIn(text: string): string[] {
  return [...text.matchAll(/api[-_]?key["']?\s*[:=]\s*["']?([^\s"',}\]#]+)/gi)].flatMap((match) =>
    match[1] === undefined ? [] : [match[1]],
  );
}

// Short values are skipped: a placeholder key such as `ollama` is also a plausible id or model name, and
// masking it everywhere would make messages unreadable. The messages echo no key to begin with; this is
// a second guard.
const minimumRedactedLength = 8;

function redact(message: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length >= minimumRedactedLength)
    .reduce((text, secret) => text.replaceAll(secret, '[redacted]'), message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function toDefinition(provider: z.output<typeof providerFields>): ProviderDefinition {
  const apiKey = provider.apiKey?.trim() ?? '';
  return {
    id: provider.id,
    name: provider.name ?? provider.id,
    baseUrl: provider.baseUrl,
    // Keys often come from files or variables with a trailing newline; an empty one means none.
    apiKey: apiKey === '' ? null : apiKey,
    hosting: provider.hosting,
    clearance: provider.clearance,
    operator: provider.operator ?? null,
    models: provider.models.map((model) => ({
      name: model.name,
      upstream: model.upstream ?? model.name,
      type: model.type,
      costPerMillionTokens: model.costPerMillionTokens ?? null,
    })),
    maxConcurrency: provider.maxConcurrency,
    timeouts: provider.timeouts,
    requiresPseudonymisation: provider.requiresPseudonymisation,
    healthCheck: provider.healthCheck,
  };
}
