import { cleanText, slugOf, type KnowledgeSection, type KnowledgeSourceDocument } from '../knowledge-document.ts';
import { elementsOf, firstElement, isElement, textOf, type XmlDocument, type XmlElement } from './xml-tree.ts';

/**
 * service-public.fr's "Vos droits et démarches" fiches (the official `Publication` XML of the DILA feed,
 * schema 3.x, read as a tree: see xml-tree.ts). A fiche keeps its `ID`, its type as a slug of `dc:type`
 * (`fiche-pratique`, `comment-faire-si`, `question-reponse`, `dossier`...), title, audience, URL, date,
 * breadcrumb, and its links to related questions; its body is cut along its chapters and situations.
 */

/** Elements outside the body: metadata, navigation, links to other fiches, addresses, references. */
const skippedElements = new Set([
  'FilDAriane',
  'Theme',
  'SousThemePere',
  'DossierPere',
  'SousDossierPere',
  'VoirAussi',
  'Reference',
  'PourEnSavoirPlus',
  'QuestionReponse',
  'Definition',
  'Abreviation',
  'Canal',
  'SurTitre',
  'Audience',
  'Partenaire',
  'LienExterneCommente',
  'ServiceEnLigne',
  'Avertissement',
  'Cible',
  'RechercheGuidee',
  'Questionnaire',
  'Problematiques',
]);

/** Elements whose `Titre` child is a heading of the text they hold. */
const sectionElements = new Set([
  'Chapitre',
  'SousChapitre',
  'Situation',
  'Cas',
  'SousDossier',
  'Dossier',
  'CommentFaireSi',
]);

/** Boxes whose title is a label of the text rather than a heading (`Attention`, `À noter`). */
const calloutElements = new Set(['Attention', 'ANoter', 'Rappel', 'APrevoir', 'Exemple']);

interface Block {
  readonly headings: readonly string[];
  readonly lines: string[];
}

/** Reads one fiche (`{children: [Publication]}`); undefined for files that are not publications. */
export function parseServicePublicFiche(
  document: XmlDocument,
  options: { readonly audience?: string } = {},
): KnowledgeSourceDocument | undefined {
  const publication = firstElement(document, 'Publication');
  const id = publication?.attributes?.ID;
  if (!publication || !id) return undefined;
  const meta = (name: string) => cleanText(textOf(firstElement(publication, name))) || null;
  const type = meta('dc:type') ?? publication.attributes?.type ?? 'fiche';
  const title = meta('dc:title') ?? id;
  const audiences = unique(elementsOf(publication, 'Audience').map((element) => cleanText(textOf(element))));
  if (audiences.length === 0 && options.audience) audiences.push(options.audience);
  const breadcrumb = elementsOf(firstElement(publication, 'FilDAriane'), 'Niveau')
    .filter((level) => level.attributes?.ID !== id && !/^Accueil/i.test(textOf(level).trim()))
    .map((level) => cleanText(textOf(level)));
  const context = unique([
    ...breadcrumb,
    cleanText(textOf(firstElement(firstElement(publication, 'Theme'), 'Titre'))),
    cleanText(textOf(firstElement(publication, 'SousThemePere'))),
    cleanText(textOf(firstElement(firstElement(publication, 'DossierPere'), 'Titre'))),
    cleanText(textOf(firstElement(firstElement(publication, 'SousDossierPere'), 'Titre'))),
    meta('dc:subject') ?? '',
  ]);

  const blocks: Block[] = [];
  const walk = (element: XmlElement, headings: readonly string[], block: Block): Block => {
    let current = block;
    for (const child of element.children ?? []) {
      if (!isElement(child)) continue;
      const name = child.name;
      if (name.startsWith('dc:') || skippedElements.has(name) || name === 'Titre') continue;
      if (sectionElements.has(name)) {
        const heading = cleanText(textOf(firstElement(child, 'Titre')));
        const inner: Block = { headings: heading ? [...headings, heading] : headings, lines: [] };
        blocks.push(inner);
        walk(child, inner.headings, inner);
        current = { headings, lines: [] };
        blocks.push(current);
        continue;
      }
      if (calloutElements.has(name)) {
        const label = cleanText(textOf(firstElement(child, 'Titre')));
        const before = current.lines.length;
        current = walk(child, headings, current);
        if (label && current.lines.length > before) current.lines[before] = `${label} : ${current.lines[before]}`;
        continue;
      }
      switch (name) {
        case 'Paragraphe':
          pushLine(current, inlineText(child));
          break;
        case 'Item':
          pushLine(current, `- ${cleanText(elementsOf(child).map(inlineText).join(' '))}`);
          break;
        case 'Tableau':
          for (const row of elementsOf(child, 'Rangée')) {
            pushLine(current, elementsOf(row, 'Cellule').map(inlineText).join(' | '));
          }
          break;
        case 'OuSAdresser': {
          const place = cleanText(textOf(firstElement(child, 'Titre')));
          if (place) pushLine(current, `Où s’adresser : ${place}`);
          break;
        }
        case 'Fiche':
          // The fiches of a dossier: their titles are its content.
          pushLine(current, `- ${cleanText(textOf(child))}`);
          break;
        default:
          current = walk(child, headings, current);
      }
    }
    return current;
  };
  const body: Block = { headings: [], lines: [] };
  blocks.push(body);
  walk(publication, [], body);

  const sections: KnowledgeSection[] = blocks
    .filter((block) => block.lines.length > 0)
    .map((block) => ({ headings: block.headings, text: block.lines.join('\n') }));
  const relatedQuestions = elementsOf(publication, 'QuestionReponse')
    .map((link) => ({ id: link.attributes?.ID ?? '', text: cleanText(textOf(link)) }))
    .filter((link) => link.id && link.text);
  const acronyms = elementsOf(publication, 'Abreviation')
    .map((definition) => ({
      short: cleanText(textOf(firstElement(definition, 'Titre'))),
      long: cleanText(textOf(firstElement(definition, 'Texte'))),
    }))
    .filter((acronym) => acronym.short && acronym.long);
  const date = /(\d{4}-\d{2}-\d{2})/.exec(meta('dc:date') ?? '')?.[1] ?? null;
  return {
    externalId: id,
    kind: slugOf(type),
    title,
    url: publication.attributes?.spUrl ?? `https://www.service-public.fr/particuliers/vosdroits/${id}`,
    date,
    audiences,
    description: meta('dc:description'),
    context,
    sections,
    relatedQuestions,
    acronyms,
  };
}

/** The same fiche met under several audiences becomes one document with all of them. */
export function mergeAudiences(
  existing: KnowledgeSourceDocument,
  other: KnowledgeSourceDocument,
): KnowledgeSourceDocument {
  return { ...existing, audiences: unique([...existing.audiences, ...other.audiences]) };
}

function inlineText(element: XmlElement): string {
  return cleanText(textOf(element));
}

function pushLine(block: Block, line: string): void {
  const text = cleanText(line);
  if (text && text !== '-') block.lines.push(text);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value.length > 0))];
}
