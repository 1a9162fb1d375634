import { analyseText } from './analyser.ts';
import type { WeightedTerm } from './lexical-index.ts';

/**
 * Synonyms and acronyms of French administrative language: each line is a set of expressions that name
 * the same thing (an acronym and its expansion, a former and a current name, the everyday and the legal
 * word). A query holding one expression also searches the others, at a lower weight. General knowledge of
 * public services, not derived from any benchmark question; the collections add the acronyms their own
 * documents define (service-public's `Abreviation` elements).
 */
const administrativeLexicon: readonly (readonly string[])[] = [
  ['France Travail', 'Pôle emploi'],
  ['carte grise', 'certificat d’immatriculation'],
  ['CNI', 'carte nationale d’identité', 'carte d’identité'],
  ['RSA', 'revenu de solidarité active'],
  ['APL', 'aide personnalisée au logement', 'aide au logement'],
  ['ALS', 'allocation de logement sociale'],
  ['ALF', 'allocation de logement familiale'],
  ['CAF', 'Caf', 'caisse d’allocations familiales'],
  ['CPAM', 'caisse primaire d’assurance maladie', 'Assurance maladie'],
  ['MSA', 'mutualité sociale agricole'],
  ['CARSAT', 'caisse d’assurance retraite et de la santé au travail'],
  ['ASPA', 'allocation de solidarité aux personnes âgées', 'minimum vieillesse'],
  ['AAH', 'allocation aux adultes handicapés'],
  ['RQTH', 'reconnaissance de la qualité de travailleur handicapé', 'travailleur handicapé'],
  ['MDPH', 'maison départementale des personnes handicapées'],
  ['ARE', 'allocation d’aide au retour à l’emploi', 'allocation chômage', 'indemnités chômage'],
  ['ASS', 'allocation de solidarité spécifique'],
  ['mi-temps thérapeutique', 'temps partiel thérapeutique'],
  ['arrêt maladie', 'arrêt de travail'],
  ['AT-MP', 'accident du travail', 'maladie professionnelle'],
  ['PACS', 'pacte civil de solidarité'],
  ['CDI', 'contrat à durée indéterminée'],
  ['CDD', 'contrat à durée déterminée'],
  ['intérim', 'travail temporaire', 'contrat de mission'],
  ['SMIC', 'salaire minimum'],
  ['TEOM', 'taxe d’enlèvement des ordures ménagères'],
  ['TFPB', 'taxe foncière sur les propriétés bâties'],
  ['ANTS', 'agence nationale des titres sécurisés'],
  ['casier judiciaire', 'bulletin n°3'],
  ['Ehpad', 'établissement d’hébergement pour personnes âgées dépendantes', 'maison de retraite'],
  ['APA', 'allocation personnalisée d’autonomie'],
  ['PMI', 'protection maternelle et infantile'],
  ['CMU-C', 'complémentaire santé solidaire', 'CSS'],
  ['AME', 'aide médicale de l’État'],
  ['URSSAF', 'Urssaf'],
  ['SIRET', 'numéro Siret'],
  ['NIR', 'numéro de sécurité sociale'],
  ['DSN', 'déclaration sociale nominative'],
  ['CSE', 'comité social et économique'],
  ['licenciement', 'rupture du contrat de travail'],
  ['rupture conventionnelle', 'rupture d’un commun accord'],
];

/** Weight of the terms a query gains from a synonym (its own terms weigh 1). */
const synonymWeight = 0.4;

export class QueryExpander {
  /** Each expression as stems, with the expressions it is equivalent to. */
  private readonly entries: Array<{ stems: readonly string[]; equivalents: ReadonlyArray<readonly string[]> }> = [];

  constructor(extraAcronyms: ReadonlyArray<{ readonly short: string; readonly long: string }> = []) {
    const groups: string[][] = administrativeLexicon.map((group) => [...group]);
    const seen = new Set(groups.flatMap((group) => group.map((expression) => analyseText(expression).join(' '))));
    for (const { short, long } of extraAcronyms) {
      const key = analyseText(short).join(' ');
      if (!key || key.includes(' ') || seen.has(key) || analyseText(long).length < 2) continue;
      seen.add(key);
      groups.push([short, long]);
    }
    for (const group of groups) {
      const analysed = group.map((expression) => analyseText(expression)).filter((stems) => stems.length > 0);
      for (const [index, stems] of analysed.entries()) {
        this.entries.push({ stems, equivalents: analysed.filter((_, other) => other !== index) });
      }
    }
  }

  /** The query's terms, with the terms of the expressions equivalent to those it holds. */
  expand(terms: readonly string[]): WeightedTerm[] {
    const weighted: WeightedTerm[] = terms.map((term) => ({ term, weight: 1 }));
    const present = new Set(terms);
    const added = new Map<string, number>();
    for (const entry of this.entries) {
      if (!containsSequence(terms, entry.stems)) continue;
      for (const equivalent of entry.equivalents) {
        for (const term of equivalent) {
          if (present.has(term)) continue;
          added.set(term, Math.max(added.get(term) ?? 0, synonymWeight / Math.sqrt(equivalent.length)));
        }
      }
    }
    for (const [term, weight] of added) weighted.push({ term, weight });
    return weighted;
  }
}

function containsSequence(terms: readonly string[], sequence: readonly string[]): boolean {
  outer: for (let start = 0; start + sequence.length <= terms.length; start++) {
    for (let offset = 0; offset < sequence.length; offset++) {
      if (terms[start + offset] !== sequence[offset]) continue outer;
    }
    return true;
  }
  return false;
}
