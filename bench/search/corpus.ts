/**
 * French administrative text for the search benchmark, generated from a vocabulary with a seeded
 * random source. Sentences mix stop words, words common to every service (`dossier`, `demande`...), the
 * words of one topic (a space's subject), a long tail of 16,000 words built from French roots and
 * affixes (`cofinancement`, `redéclarations`...), place and people's names and reference numbers, with
 * plural and feminine forms. Frequencies follow Zipf's law shifted as for content words in real text
 * (the most frequent ones are stop words): `dossier` is in about a quarter of the documents, most words
 * of the tail in fewer than a hundred.
 */
import type { createSeededRandom } from '../../apps/server/src/testing/seeded-random.ts';

type Random = ReturnType<typeof createSeededRandom>;

const stopWords = (
  'le la les un une des du de d’ l’ à au aux et ou en dans par pour sur avec sans sous entre vers ' +
  'ce cette ces son sa ses leur leurs notre nos votre vos qui que dont est sont été être avoir a ont ' +
  'il elle ils elles nous vous on ne pas plus très aussi mais donc car si comme tout tous toute toutes'
).split(' ');

/** Words every service writes, most frequent first. */
export const commonWords = (
  'dossier demande service direction agent réunion document projet suivi rapport note cadre travail ' +
  'équipe question point semaine année date besoin mise place information courrier réponse délai ' +
  'procédure décision avis proposition situation ensemble objectif action calendrier responsable ' +
  'secrétariat compte rendu présentation validation transmission modification version annexe ' +
  'organisation mission conseil comité bureau échange priorité difficulté circulaire instruction ' +
  'référence partenaire usager public collectivité administration territoire région département ' +
  'commune préfecture ministère instance délégation convention accord contrat budget moyen'
).split(' ');

/** The subjects of spaces, each with its own words, most frequent first. */
export const topics: Readonly<Record<string, readonly string[]>> = {
  finances: (
    'budget crédit dépense recette exécution programme engagement paiement facture mandat comptable ' +
    'trésorerie dotation subvention fiscalité impôt taxe exercice prévisionnel rectificatif arbitrage ' +
    'amortissement investissement fonctionnement liquidation ordonnancement'
  ).split(' '),
  ressources: (
    'recrutement poste carrière mutation formation entretien rémunération indemnité congé absence ' +
    'titulaire contractuel concours promotion avancement effectif mobilité télétravail handicap ' +
    'prévoyance médecine retraite détachement disponibilité astreinte'
  ).split(' '),
  numerique: (
    'application logiciel serveur réseau messagerie sécurité sauvegarde migration hébergement ' +
    'développement maintenance incident ticket déploiement interface données archivage authentification ' +
    'identité certificat cloud souveraineté accessibilité ergonomie'
  ).split(' '),
  marches: (
    'marché consultation candidature offre attribution lot cahier clause prestataire fournisseur ' +
    'négociation avenant résiliation pénalité commande achat devis titulaire notification allotissement ' +
    'dématérialisation sourcing mémoire technique'
  ).split(' '),
  education: (
    'élève enseignant établissement collège lycée école académie rectorat inspection programme classe ' +
    'examen baccalauréat orientation scolarité inclusion périscolaire cantine transport rentrée ' +
    'absentéisme décrochage parent conseil pédagogique'
  ).split(' '),
  sante: (
    'santé hôpital patient médecin soin prévention vaccination épidémie agence pharmacie urgence ' +
    'dépistage infirmier établissement ehpad autonomie dépendance handicap consultation veille ' +
    'sanitaire alerte protocole'
  ).split(' '),
  environnement: (
    'environnement biodiversité eau déchet pollution climat énergie rénovation transition carbone ' +
    'émission forêt littoral risque inondation sécheresse agriculture pesticide qualité air bruit ' +
    'paysage espace naturel protégé'
  ).split(' '),
  juridique: (
    'juridique contentieux recours tribunal jugement arrêté décret loi ordonnance code article ' +
    'délibération requête mémoire avocat conseil jurisprudence responsabilité contrat litige ' +
    'médiation transaction conformité règlement'
  ).split(' '),
  communication: (
    'communication presse journaliste communiqué campagne site internet réseaux social publication ' +
    'événement salon visuel affiche logo charte graphique discours interview vidéo podcast newsletter ' +
    'audience image'
  ).split(' '),
  elections: (
    'élection scrutin vote électeur candidat liste bureau dépouillement procuration inscription ' +
    'résultat campagne circonscription municipal régional législatif présidentiel assesseur urne ' +
    'émargement propagande financement'
  ).split(' '),
};

const roots = (
  'financ structur organis régul programm coordin déclar format inform évalu réform simplifi modernis ' +
  'territorialis décentralis concert contrôl certifi habilit sécuris numéris dématérialis mutualis ' +
  'accompagn instru homologu attribu recens indemnis planifi harmonis expériment rédig publi consult ' +
  'ratifi valid compens aménag rénov équip affect déploi médi prévis investiss fonctionn gouvern ' +
  'administr professionnalis qualifi sensibilis signal contractualis conventionn budgét comptabilis ' +
  'factur recouvr liquid ordonn engag arbitr notifi transfér reclass titularis'
).split(' ');
const prefixes = ['', 're', 'pré', 'dé', 'co', 'inter', 'sur', 'sous', 'auto', 'multi'];
const suffixes = (
  'ation ations ement ements eur eurs rice er é ée és ées able ables if ive ifs ives age ages ance ' +
  'ances ité ités el elle iste'
).split(' ');

/** The long tail: every root with every prefix and suffix, in a shuffled (seeded) order of frequency. */
export function generalVocabulary(random: Random): string[] {
  const words = roots.flatMap((root) => prefixes.flatMap((prefix) => suffixes.map((suffix) => prefix + root + suffix)));
  return random.shuffle([...new Set(words)]);
}

/** Place names and people's names: rare words, each in a handful of documents. */
const properNames = (
  'Aubervilliers Besançon Carcassonne Dunkerque Épinal Fougères Guéret Hazebrouck Issoudun Jarnac ' +
  'Kaysersberg Lannion Montluçon Nantua Orléans Périgueux Quimperlé Roubaix Saint-Flour Tarascon ' +
  'Uzès Valenciennes Wissembourg Yssingeaux Dupont Lefèvre Moreau Girard Bonnet Lambert Fontaine ' +
  'Rousseau Vincent Muller Chevalier Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fournier'
).split(' ');

/** Plural and feminine forms that the analyser must bring back to their stem. */
function inflect(word: string, random: Random): string {
  const draw = random.next();
  if (draw < 0.25) return word.endsWith('s') || word.endsWith('x') ? word : `${word}s`;
  if (draw < 0.3 && word.endsWith('al')) return `${word.slice(0, -2)}aux`;
  if (draw < 0.35 && word.endsWith('if')) return `${word.slice(0, -2)}ive`;
  if (draw < 0.38 && word.endsWith('ion')) return word.replace(/ion$/, 'ions');
  return word;
}

/** Zipf's law over a list: the word of rank r is drawn with a weight 1 / (r + offset). */
function zipf(words: readonly string[], offset: number): (random: Random) => string {
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 0; rank < words.length; rank += 1) {
    total += 1 / (rank + offset);
    cumulative.push(total);
  }
  return (random) => {
    const target = random.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] ?? total) < target) low = middle + 1;
      else high = middle;
    }
    return words[low] ?? '';
  };
}

export interface CorpusGenerator {
  /** A sentence-like title of a few words on the topic. */
  title(topic: string): string;
  /** About `words` words of text on the topic. */
  text(topic: string, words: number): string;
}

export function createCorpus(random: Random, vocabulary: readonly string[]): CorpusGenerator {
  const drawCommon = zipf(commonWords, 10);
  const drawTopic = new Map(Object.entries(topics).map(([name, words]) => [name, zipf(words, 5)]));
  const drawGeneral = zipf(vocabulary, 100);
  const topicNames = Object.keys(topics);
  const drawStop = zipf(stopWords, 1);

  function contentWord(topic: string): string {
    const draw = random.next();
    if (draw < 0.03) return random.pick(properNames);
    if (draw < 0.05) return `n°${Math.floor(random.next() * 10_000)}`;
    if (draw < 0.15) return inflect(drawCommon(random), random);
    if (draw < 0.4) {
      // Mostly the space's topic, sometimes another one.
      const other = random.chance(0.15) ? random.pick(topicNames) : topic;
      return inflect((drawTopic.get(other) ?? drawCommon)(random), random);
    }
    return drawGeneral(random);
  }

  function sentence(topic: string, length: number): string {
    const words: string[] = [];
    for (let index = 0; index < length; index += 1) {
      words.push(random.chance(0.4) ? drawStop(random) : contentWord(topic));
    }
    const text = words.join(' ').replaceAll('’ ', '’');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  }

  return {
    title(topic) {
      const words: string[] = [];
      const length = 2 + Math.floor(random.next() * 5);
      for (let index = 0; index < length; index += 1) words.push(contentWord(topic));
      const text = words.join(' ');
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
    },
    text(topic, words) {
      const sentences: string[] = [];
      let written = 0;
      while (written < words) {
        const length = 6 + Math.floor(random.next() * 14);
        sentences.push(sentence(topic, length));
        written += length;
      }
      return sentences.join(' ');
    },
  };
}
