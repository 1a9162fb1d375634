import type { KnowledgeSourceDocument } from './knowledge-document.ts';

/**
 * The demo administration's public collection (`npm start`): a short guide to Bureau itself, so that Albert
 * answers something, with its sources, before anyone imports service-public.fr (which needs the network).
 */
export const demoGuideCollection = {
  slug: 'guide-bureau',
  name: 'Guide de Bureau (démonstration)',
  description: 'Quelques fiches sur l’utilisation de Bureau, pour essayer Albert sans rien importer.',
};

const page = (externalId: string, title: string, sections: Array<[string, string]>): KnowledgeSourceDocument => ({
  externalId,
  kind: 'guide',
  title,
  url: null,
  date: '2026-11-29',
  audiences: ['Agents'],
  description: null,
  context: ['Guide de Bureau'],
  sections: sections.map(([heading, text]) => ({ headings: [heading], text })),
  relatedQuestions: [],
});

export const demoGuideDocuments: readonly KnowledgeSourceDocument[] = [
  page('albert', 'Albert, l’assistant IA de Bureau', [
    [
      'Poser une question',
      'Albert répond aux questions des agents à partir de sources : les fiches de service-public.fr, le Code du travail, les fiches du ministère du Travail et les collections de documents de l’administration. Chaque réponse cite ses sources par des numéros entre crochets, que l’on peut ouvrir.',
    ],
    [
      'Quand Albert ne sait pas',
      'Si aucune source ne répond à la question, Albert le dit et indique où chercher, plutôt que d’inventer une réponse. Sans modèle de langage configuré, Albert donne les passages les plus pertinents des sources, sans reformulation : c’est la réponse extractive.',
    ],
    [
      'Donner son avis',
      'Sous chaque réponse, le pouce levé ou baissé et les motifs (sources manquantes, informations inventées, réponse imprécise…) aident l’administration à mesurer la qualité d’Albert dans le tableau de bord d’impact.',
    ],
  ]),
  page('sensibilite', 'Niveaux de sensibilité des données', [
    [
      'Les quatre niveaux',
      'Chaque document, salon ou collection porte un niveau : public, interne, sensible ou restreint. Le niveau décide quels modèles, stockages et services peuvent traiter la donnée.',
    ],
    [
      'Les modèles habilités',
      'Une question posée à Albert sur des sources sensibles n’est envoyée qu’à un modèle hébergé sur une infrastructure habilitée à ce niveau (SecNumCloud ou sur site). Si aucun modèle n’est habilité, Albert montre les passages des sources sans les envoyer à un modèle.',
    ],
  ]),
  page('messagerie', 'Messagerie : salons et messages directs', [
    [
      'Créer un salon',
      'Dans la messagerie, le bouton « Nouvelle conversation » crée un salon ou un message direct. Les salons peuvent être chiffrés de bout en bout ; un salon public de type forum ne l’est pas.',
    ],
    [
      'Mentions et notifications',
      'Mentionner un collègue avec @ lui envoie une notification dans la boîte de réception de Bureau.',
    ],
  ]),
  page('import', 'Importer les fiches de service-public.fr', [
    [
      'Par la ligne de commande',
      'La commande « npm run albert:import -- service-public » remplit la collection publique des fiches de service-public.fr ; « code-du-travail » et « fiches-travail » remplissent les deux autres. Un import interrompu reprend là où il s’était arrêté.',
    ],
    [
      'Par l’administration',
      'Les administrateurs de l’instance peuvent aussi lancer un import depuis l’API d’administration et suivre sa progression.',
    ],
  ]),
];
