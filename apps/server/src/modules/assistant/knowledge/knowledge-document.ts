/**
 * What an importer or a document parser gives the knowledge base: one source document (a service-public
 * fiche, a Code du travail article, a ministry fiche, an uploaded file) with its structure, before chunking.
 */
export interface KnowledgeSection {
  /** The headings above this text, outermost first. */
  readonly headings: readonly string[];
  readonly text: string;
}

export interface RelatedQuestion {
  /** The id of the fiche that answers it (`F33324`). */
  readonly id: string;
  /** The editor's phrasing of the question (the link's text). */
  readonly text: string;
}

export interface KnowledgeSourceDocument {
  /** The id of the document in its source: `F1412`, `L1234-5`, `article375542`; unique in a collection. */
  readonly externalId: string;
  /** A slug of its type: `fiche-pratique`, `question-reponse`, `article`, `fiche-travail`, `document`. */
  readonly kind: string;
  readonly title: string;
  readonly url: string | null;
  /** The date of its last change, `YYYY-MM-DD`. */
  readonly date: string | null;
  /** Who it is written for (`Particuliers`, `Professionnels`, `Associations`). */
  readonly audiences: readonly string[];
  /** A short summary shown under the title (service-public's `dc:description`). */
  readonly description: string | null;
  /** Where it sits: the breadcrumb of a fiche, the titles of the parts, books and chapters of an article. */
  readonly context: readonly string[];
  readonly sections: readonly KnowledgeSection[];
  /** Questions answered elsewhere that the document links to (service-public's `QuestionReponse`). */
  readonly relatedQuestions: readonly RelatedQuestion[];
  /** Acronyms the document defines (`MSA` → `Mutualité sociale agricole`), fed to the retrieval lexicon. */
  readonly acronyms?: ReadonlyArray<{ readonly short: string; readonly long: string }>;
}

/** A slug of a label: lower case, no accents, words joined by `-` (`Comment faire si...` → `comment-faire-si`). */
export function slugOf(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Whitespace collapsed, soft hyphens and zero-width characters removed. */
export function cleanText(text: string): string {
  return text
    .replace(/[\u00ad\u200b-\u200d\ufeff]/g, '')
    .replace(/[ \t\u00a0\u202f\r\n]+/g, ' ')
    .trim();
}
