import type { Dictionary } from '../../i18n.tsx';
import type { FeedbackReason, FlaggedCitation } from './assistant.api.ts';

/** The texts of Albert's conversation pages (the collections' are in collections.messages.ts). */
export interface AssistantMessages {
  title: string;
  intro: string;
  navigation: string;
  conversationsTab: string;
  collectionsTab: string;
  loading: string;
  cancel: string;
  save: string;
  close: string;
  retry: string;

  // History
  history: string;
  showHistory: string;
  newConversation: string;
  noConversations: string;
  loadMore: string;
  rename: string;
  renameOf: (title: string) => string;
  titleLabel: string;
  renamed: string;
  remove: string;
  removeOf: (title: string) => string;
  confirmRemove: (title: string) => string;
  removed: (title: string) => string;

  // Thread
  exchanges: string;
  emptyThread: string;
  examplesTitle: string;
  examples: string[];
  question: string;
  answer: string;
  writing: string;
  announceStart: string;
  announceDone: (text: string, sources: number) => string;
  announceStopped: string;
  stopped: string;
  interrupted: string;
  incomplete: string;
  networkError: string;
  extractiveNotice: string;
  extractiveHint: string;
  noAnswerTitle: string;
  noAnswerHint: string;
  flagged: (count: number) => string;
  flaggedReasons: Record<FlaggedCitation['reason'], (number: number) => string>;
  servedBy: (provider: string, hosting: string) => string;
  servedWithoutModel: string;
  level: string;
  model: (name: string) => string;
  pseudonymised: string;
  hostingNames: Record<string, string>;
  answerActions: (number: number) => string;
  showSources: (count: number) => string;
  sourcesShown: string;
  copyAnswer: string;
  plainSources: string;
  plainQuestion: string;
  sendToRoom: string;
  markerLabel: (number: number, title: string) => string;
  markerUnknown: (number: number) => string;

  // Composer
  questionLabel: string;
  questionHint: string;
  counter: (count: number, max: number) => string;
  /** Said when the question nears the limit: fewer than `remaining` characters left, or none. */
  nearLimit: (remaining: number) => string;
  send: string;
  stop: string;
  sourcesChooser: string;
  chooserButton: (summary: string) => string;
  defaultSources: string;
  chosenSources: (count: number) => string;
  chooseHint: string;
  tooManyCollections: (max: number) => string;
  collectionsUnavailable: string;
  documentCount: (count: number) => string;
  manageCollections: string;

  // Sources panel
  sourcesTitle: string;
  sourcesOfAnswer: (number: number) => string;
  noSources: string;
  noAnswerSelected: string;
  newWindow: string;
  collection: string;
  updated: (date: string) => string;
  quote: string;

  // Feedback
  feedbackGroup: string;
  useful: string;
  notUseful: string;
  reasonsUp: string;
  reasonsDown: string;
  reasonNames: Record<FeedbackReason, string>;
  comment: string;
  commentHint: (max: number) => string;
  saveFeedback: string;
  feedbackSaved: string;
  yourFeedback: (isUseful: boolean, reasons: string[]) => string;
  editFeedback: string;

  // Sending to a chat room
  sendToRoomTitle: string;
  sendToRoomIntro: string;
  connectingChat: string;
  chatFailed: string;
  room: string;
  noRooms: string;
  messagePreview: string;
  sendMessage: string;
  sent: (room: string) => string;
  openRoom: (room: string) => string;
  sendFailed: string;

  // Inserting into a document
  insertInDocument: string;
  insertTitle: string;
  insertIntro: string;
  insertSearchLabel: string;
  insertSearchHint: string;
  recentPages: string;
  noRecentPages: string;
  searching: string;
  noPagesFound: string;
  pagesFound: (count: number) => string;
  documentChoice: string;
  untitled: string;
  chooseDocument: string;
  insertSubmit: string;
  inserted: (title: string) => string;
  openDocument: (title: string) => string;
  markdownSources: string;
  insertPreview: string;
}

const hostingNamesFr = {
  'on-premises': 'infrastructure de l’administration',
  'state-cloud': 'cloud de l’État',
  secnumcloud: 'cloud qualifié SecNumCloud',
  'public-cloud': 'cloud public',
};

export const assistantMessages: Dictionary<AssistantMessages> = {
  fr: {
    title: 'Albert',
    intro:
      'Posez vos questions à Albert, l’assistant IA souverain : il répond à partir des fiches de service-public.fr, du Code du travail et de vos documents, en citant ses sources. Quand les sources ne permettent pas de répondre, il le dit.',
    navigation: 'Pages d’Albert',
    conversationsTab: 'Conversations',
    collectionsTab: 'Collections',
    loading: 'Chargement…',
    cancel: 'Annuler',
    save: 'Enregistrer',
    close: 'Fermer',
    retry: 'Réessayer',

    history: 'Historique des conversations',
    showHistory: 'Historique',
    newConversation: 'Nouvelle conversation',
    noConversations: 'Aucune conversation pour l’instant.',
    loadMore: 'Afficher plus de conversations',
    rename: 'Renommer',
    renameOf: (title) => `Renommer la conversation « ${title} »`,
    titleLabel: 'Titre de la conversation',
    renamed: 'Conversation renommée.',
    remove: 'Supprimer',
    removeOf: (title) => `Supprimer la conversation « ${title} »`,
    confirmRemove: (title) => `Supprimer la conversation « ${title} » et toutes ses réponses ?`,
    removed: (title) => `La conversation « ${title} » est supprimée.`,

    exchanges: 'Questions et réponses',
    emptyThread: 'Écrivez votre question ci-dessous. Albert cite chaque source : cliquez sur un numéro pour la voir.',
    examplesTitle: 'Par exemple :',
    examples: [
      'Une administration peut-elle exiger une copie certifiée conforme ?',
      'Combien coûte le renouvellement d’une carte d’identité perdue ?',
    ],
    question: 'Votre question',
    answer: 'Réponse d’Albert',
    writing: 'Albert rédige sa réponse…',
    announceStart: 'Albert rédige sa réponse.',
    announceDone: (text, sources) =>
      `Réponse d’Albert : ${text} ${sources === 0 ? 'Aucune source citée.' : sources === 1 ? '1 source citée.' : `${sources} sources citées.`}`,
    announceStopped: 'Réponse interrompue.',
    stopped: 'Réponse interrompue : elle est incomplète.',
    interrupted: 'La connexion a été coupée avant la fin de la réponse. Posez la question à nouveau.',
    incomplete: 'Réponse incomplète : le modèle s’est arrêté avant la fin. Posez la question à nouveau.',
    networkError: 'Albert n’a pas pu être joint. Vérifiez votre connexion, puis réessayez.',
    extractiveNotice: 'Réponse extractive : passages des sources, sans reformulation',
    extractiveHint:
      'Aucun modèle de langage n’était disponible pour ces sources : Albert montre les passages les plus pertinents, tels quels.',
    noAnswerTitle: 'Albert ne sait pas',
    noAnswerHint: 'Les sources consultées ne contiennent pas de réponse fiable à cette question.',
    flagged: (count) =>
      count === 1
        ? '1 citation a été retirée de la réponse : elle n’était pas étayée par les sources.'
        : `${count} citations ont été retirées de la réponse : elles n’étaient pas étayées par les sources.`,
    flaggedReasons: {
      'not-retrieved': (number) => `[${number}] ne désignait aucune des sources consultées`,
      'not-grounded': (number) => `[${number}] : le passage cité ne soutient pas la phrase`,
    },
    servedBy: (provider, hosting) => `Traité par ${provider} (${hosting})`,
    servedWithoutModel: 'Sans modèle de langage',
    level: 'niveau',
    model: (name) => `modèle ${name}`,
    pseudonymised: 'données personnelles pseudonymisées',
    hostingNames: hostingNamesFr,
    answerActions: (number) => `Actions sur la réponse ${number}`,
    showSources: (count) => (count === 1 ? 'Voir la source' : `Voir les ${count} sources`),
    sourcesShown: 'Sources affichées',
    copyAnswer: 'Copier la réponse',
    plainSources: 'Sources :',
    plainQuestion: 'Question :',
    sendToRoom: 'Envoyer dans un salon',
    markerLabel: (number, title) => `Source ${number} : ${title}`,
    markerUnknown: (number) => `Source ${number}`,

    questionLabel: 'Votre question',
    questionHint: 'Entrée pour envoyer, Maj+Entrée pour aller à la ligne.',
    counter: (count, max) => `${count} / ${max} caractères`,
    nearLimit: (remaining) =>
      remaining === 0 ? 'Limite de caractères atteinte.' : `Il reste moins de ${remaining} caractères.`,
    send: 'Envoyer',
    stop: 'Arrêter la réponse',
    sourcesChooser: 'Sources consultées',
    chooserButton: (summary) => `Sources consultées : ${summary}`,
    defaultSources: 'collections publiques (par défaut)',
    chosenSources: (count) => (count === 1 ? '1 collection choisie' : `${count} collections choisies`),
    chooseHint: 'Sans choix, Albert consulte les collections publiques.',
    tooManyCollections: (max) => `Choisissez ${max} collections au plus.`,
    collectionsUnavailable:
      'La liste des collections n’a pas pu être chargée : Albert consultera les collections publiques.',
    documentCount: (count) => (count === 1 ? '1 document' : `${count} documents`),
    manageCollections: 'Gérer les collections',

    sourcesTitle: 'Sources',
    sourcesOfAnswer: (number) => `Sources de la réponse ${number}`,
    noSources: 'Cette réponse ne cite aucune source.',
    noAnswerSelected: 'Les sources de la réponse choisie s’affichent ici.',
    newWindow: 'nouvelle fenêtre',
    collection: 'Collection :',
    updated: (date) => `Mise à jour : ${date}`,
    quote: 'Passage cité',

    feedbackGroup: 'Votre avis sur cette réponse',
    useful: 'Utile',
    notUseful: 'Pas utile',
    reasonsUp: 'Qu’avez-vous apprécié ? (facultatif)',
    reasonsDown: 'Qu’est-ce qui n’allait pas ? (facultatif)',
    reasonNames: {
      clear: 'Claire',
      concise: 'Concise',
      'reliable-sources': 'Sources fiables',
      hallucination: 'Informations inventées',
      'missing-sources': 'Sources manquantes',
      'too-long': 'Trop longue',
      inconsistent: 'Incohérente',
      imprecise: 'Imprécise',
      grammar: 'Fautes de langue',
    },
    comment: 'Commentaire (facultatif)',
    commentHint: (max) => `${max} caractères au plus. N’y mettez pas de données personnelles.`,
    saveFeedback: 'Enregistrer l’avis',
    feedbackSaved: 'Merci, votre avis est enregistré.',
    yourFeedback: (isUseful, reasons) =>
      `Votre avis : réponse ${isUseful ? 'utile' : 'pas utile'}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}.`,
    editFeedback: 'Modifier l’avis',

    sendToRoomTitle: 'Envoyer la réponse dans un salon',
    sendToRoomIntro: 'La question, la réponse et ses sources sont envoyées comme un message de la messagerie.',
    connectingChat: 'Connexion à la messagerie…',
    chatFailed: 'La messagerie n’a pas pu être jointe.',
    room: 'Salon',
    noRooms: 'Vous n’avez rejoint aucun salon ni aucune conversation.',
    messagePreview: 'Message',
    sendMessage: 'Envoyer le message',
    sent: (room) => `La réponse est envoyée dans « ${room} ».`,
    openRoom: (room) => `Ouvrir « ${room} »`,
    sendFailed: 'Le message n’a pas pu être envoyé.',

    insertInDocument: 'Insérer dans un document',
    insertTitle: 'Insérer la réponse dans un document',
    insertIntro:
      'La réponse et ses sources sont ajoutées à la fin de la page choisie, sous les yeux de ceux qui la modifient.',
    insertSearchLabel: 'Rechercher une page',
    insertSearchHint: 'Tapez un mot de son titre ou de son texte ; sans recherche, vos pages récentes.',
    recentPages: 'Pages récentes',
    noRecentPages: 'Aucune page ouverte récemment : recherchez-en une.',
    searching: 'Recherche…',
    noPagesFound: 'Aucune page ne correspond.',
    pagesFound: (count) => (count === 1 ? '1 page trouvée' : `${count} pages trouvées`),
    documentChoice: 'Page où insérer la réponse',
    untitled: 'Sans titre',
    chooseDocument: 'Choisissez une page.',
    insertSubmit: 'Insérer à la fin de la page',
    inserted: (title) => `La réponse est ajoutée à la fin de « ${title} ».`,
    openDocument: (title) => `Ouvrir « ${title} »`,
    markdownSources: 'Sources',
    insertPreview: 'Texte ajouté (Markdown)',
  },
  en: {
    title: 'Albert',
    intro:
      'Ask Albert, the sovereign AI assistant: it answers from service-public.fr fiches, the Labour Code and your documents, citing its sources. When the sources do not answer the question, it says so.',
    navigation: 'Albert’s pages',
    conversationsTab: 'Conversations',
    collectionsTab: 'Collections',
    loading: 'Loading…',
    cancel: 'Cancel',
    save: 'Save',
    close: 'Close',
    retry: 'Try again',

    history: 'Conversation history',
    showHistory: 'History',
    newConversation: 'New conversation',
    noConversations: 'No conversation yet.',
    loadMore: 'Show more conversations',
    rename: 'Rename',
    renameOf: (title) => `Rename the conversation “${title}”`,
    titleLabel: 'Conversation title',
    renamed: 'Conversation renamed.',
    remove: 'Delete',
    removeOf: (title) => `Delete the conversation “${title}”`,
    confirmRemove: (title) => `Delete the conversation “${title}” and all its answers?`,
    removed: (title) => `The conversation “${title}” is deleted.`,

    exchanges: 'Questions and answers',
    emptyThread: 'Write your question below. Albert cites every source: select a number to see it.',
    examplesTitle: 'For example:',
    examples: ['May an administration require a certified copy?', 'How much does renewing a lost identity card cost?'],
    question: 'Your question',
    answer: 'Albert’s answer',
    writing: 'Albert is writing its answer…',
    announceStart: 'Albert is writing its answer.',
    announceDone: (text, sources) =>
      `Albert’s answer: ${text} ${sources === 0 ? 'No source cited.' : sources === 1 ? '1 source cited.' : `${sources} sources cited.`}`,
    announceStopped: 'Answer stopped.',
    stopped: 'Answer stopped: it is incomplete.',
    interrupted: 'The connection was cut before the end of the answer. Ask the question again.',
    incomplete: 'Incomplete answer: the model stopped before the end. Ask the question again.',
    networkError: 'Albert could not be reached. Check your connection, then try again.',
    extractiveNotice: 'Extractive answer: passages of the sources, not rephrased',
    extractiveHint:
      'No language model was available for these sources: Albert shows the most relevant passages as they are.',
    noAnswerTitle: 'Albert does not know',
    noAnswerHint: 'The sources consulted hold no reliable answer to this question.',
    flagged: (count) =>
      count === 1
        ? '1 citation was removed from the answer: the sources did not support it.'
        : `${count} citations were removed from the answer: the sources did not support them.`,
    flaggedReasons: {
      'not-retrieved': (number) => `[${number}] named none of the sources consulted`,
      'not-grounded': (number) => `[${number}]: the passage cited does not support the sentence`,
    },
    servedBy: (provider, hosting) => `Processed by ${provider} (${hosting})`,
    servedWithoutModel: 'Without a language model',
    level: 'level',
    model: (name) => `model ${name}`,
    pseudonymised: 'personal data pseudonymised',
    hostingNames: {
      'on-premises': 'the administration’s infrastructure',
      'state-cloud': 'State cloud',
      secnumcloud: 'SecNumCloud-qualified cloud',
      'public-cloud': 'public cloud',
    },
    answerActions: (number) => `Actions on answer ${number}`,
    showSources: (count) => (count === 1 ? 'Show the source' : `Show the ${count} sources`),
    sourcesShown: 'Sources shown',
    copyAnswer: 'Copy the answer',
    plainSources: 'Sources:',
    plainQuestion: 'Question:',
    sendToRoom: 'Send to a room',
    markerLabel: (number, title) => `Source ${number}: ${title}`,
    markerUnknown: (number) => `Source ${number}`,

    questionLabel: 'Your question',
    questionHint: 'Enter to send, Shift+Enter for a new line.',
    counter: (count, max) => `${count} / ${max} characters`,
    nearLimit: (remaining) =>
      remaining === 0 ? 'Character limit reached.' : `Fewer than ${remaining} characters left.`,
    send: 'Send',
    stop: 'Stop the answer',
    sourcesChooser: 'Sources consulted',
    chooserButton: (summary) => `Sources consulted: ${summary}`,
    defaultSources: 'public collections (default)',
    chosenSources: (count) => (count === 1 ? '1 collection chosen' : `${count} collections chosen`),
    chooseHint: 'Without a choice, Albert consults the public collections.',
    tooManyCollections: (max) => `Choose ${max} collections at most.`,
    collectionsUnavailable: 'The collections could not be loaded: Albert will consult the public collections.',
    documentCount: (count) => (count === 1 ? '1 document' : `${count} documents`),
    manageCollections: 'Manage collections',

    sourcesTitle: 'Sources',
    sourcesOfAnswer: (number) => `Sources of answer ${number}`,
    noSources: 'This answer cites no source.',
    noAnswerSelected: 'The sources of the chosen answer show here.',
    newWindow: 'new window',
    collection: 'Collection:',
    updated: (date) => `Updated: ${date}`,
    quote: 'Passage cited',

    feedbackGroup: 'Your opinion of this answer',
    useful: 'Useful',
    notUseful: 'Not useful',
    reasonsUp: 'What did you like? (optional)',
    reasonsDown: 'What was wrong? (optional)',
    reasonNames: {
      clear: 'Clear',
      concise: 'Concise',
      'reliable-sources': 'Reliable sources',
      hallucination: 'Made-up information',
      'missing-sources': 'Missing sources',
      'too-long': 'Too long',
      inconsistent: 'Inconsistent',
      imprecise: 'Imprecise',
      grammar: 'Language mistakes',
    },
    comment: 'Comment (optional)',
    commentHint: (max) => `${max} characters at most. Do not include personal data.`,
    saveFeedback: 'Save the opinion',
    feedbackSaved: 'Thank you, your opinion is saved.',
    yourFeedback: (isUseful, reasons) =>
      `Your opinion: ${isUseful ? 'useful' : 'not useful'}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}.`,
    editFeedback: 'Change the opinion',

    sendToRoomTitle: 'Send the answer to a room',
    sendToRoomIntro: 'The question, the answer and its sources are sent as a chat message.',
    connectingChat: 'Connecting to the chat…',
    chatFailed: 'The chat could not be reached.',
    room: 'Room',
    noRooms: 'You have joined no room or conversation.',
    messagePreview: 'Message',
    sendMessage: 'Send the message',
    sent: (room) => `The answer is sent to “${room}”.`,
    openRoom: (room) => `Open “${room}”`,
    sendFailed: 'The message could not be sent.',

    insertInDocument: 'Insert into a document',
    insertTitle: 'Insert the answer into a document',
    insertIntro: 'The answer and its sources are added at the end of the page chosen, live for those editing it.',
    insertSearchLabel: 'Search for a page',
    insertSearchHint: 'Type a word of its title or text; without a search, your recent pages.',
    recentPages: 'Recent pages',
    noRecentPages: 'No page opened recently: search for one.',
    searching: 'Searching…',
    noPagesFound: 'No page matches.',
    pagesFound: (count) => (count === 1 ? '1 page found' : `${count} pages found`),
    documentChoice: 'Page to insert the answer into',
    untitled: 'Untitled',
    chooseDocument: 'Choose a page.',
    insertSubmit: 'Insert at the end of the page',
    inserted: (title) => `The answer is added at the end of “${title}”.`,
    openDocument: (title) => `Open “${title}”`,
    markdownSources: 'Sources',
    insertPreview: 'Text added (Markdown)',
  },
};
