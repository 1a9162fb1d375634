import type { Dictionary } from '../../i18n.tsx';
import type { CollectionDocument, CollectionScope, CollectionSummary } from './assistant.api.ts';

/** The texts of Albert's collection pages: list, creation, documents, uploads, sharing. */
export interface CollectionsMessages {
  title: string;
  intro: string;
  loading: string;
  cancel: string;
  close: string;
  scopeNames: Record<CollectionScope, string>;
  documents: (count: number) => string;
  updated: (date: string) => string;
  canEdit: string;
  importStatus: Record<NonNullable<CollectionSummary['lastImport']>['status'], string>;
  importProgress: (processed: string, total: string | null) => string;
  importProgressLabel: (name: string) => string;
  importFinished: (date: string) => string;
  noCollections: string;
  collectionsList: string;

  // Creation
  createTitle: string;
  createIntro: string;
  name: string;
  description: string;
  scope: string;
  scopeUser: string;
  scopeOrganisation: (name: string) => string;
  scopeGroup: string;
  group: string;
  chooseOption: string;
  noGroups: string;
  label: string;
  labelHint: string;
  labelDefault: string;
  create: string;
  nameRequired: string;
  groupRequired: string;

  // A collection
  back: string;
  notFound: string;
  documentsTitle: string;
  noDocuments: string;
  documentsCaption: string;
  documentColumn: string;
  statusColumn: string;
  sizeColumn: string;
  updatedColumn: string;
  statusNames: Record<CollectionDocument['status'], string>;
  errorExplanations: Record<string, string>;
  unknownError: (code: string) => string;
  readOnlyNotice: string;

  // Uploads
  uploadTitle: string;
  filesLabel: string;
  filesHint: string;
  dropHint: string;
  upload: string;
  uploadsTitle: string;
  uploadWaiting: string;
  uploadSending: (percent: number) => string;
  uploadIndexing: string;
  uploadReady: string;
  uploadFailed: (reason: string) => string;
  uploadsDone: (ready: number, failed: number) => string;
  uploadProgressOf: (name: string) => string;

  // Sharing
  manageSharing: string;
  sharingTitle: (name: string) => string;
  sharingIntro: string;
  sharesCaption: string;
  whoColumn: string;
  roleColumn: string;
  principalKinds: Record<'user' | 'group' | 'organisation' | 'all_agents', string>;
  allAgents: string;
  roleNames: Record<string, string>;
  removeShare: string;
  removeShareOf: (name: string) => string;
  confirmRemoveShare: (name: string) => string;
  shareRemoved: (name: string) => string;
  shareAdded: (name: string) => string;
  addShareTitle: string;
  shareWith: string;
  roleLabel: string;
  share: string;
  choosePrincipal: string;
}

const errorExplanationsFr: Record<string, string> = {
  AI_DOCUMENT_CORRUPT: 'Fichier endommagé ou incomplet : il n’a pas pu être lu.',
  AI_DOCUMENT_EMPTY:
    'Aucun texte n’a été trouvé : PDF numérisé sans texte ? Faites-le passer par une reconnaissance de caractères (OCR), puis déposez-le à nouveau.',
  AI_DOCUMENT_ENCRYPTED: 'Document protégé par un mot de passe : retirez la protection, puis déposez-le à nouveau.',
  AI_DOCUMENT_UNSUPPORTED_TYPE:
    'Type de fichier non pris en charge : déposez un PDF, un document Word (.docx) ou OpenDocument (.odt), une page HTML, un fichier Markdown ou texte.',
  AI_DOCUMENT_TOO_LARGE: 'Fichier trop volumineux : 50 Mo au plus.',
  AI_DOCUMENT_TIMEOUT: 'La lecture a pris trop de temps : le document est trop long ou trop complexe à analyser.',
};

export const collectionsMessages: Dictionary<CollectionsMessages> = {
  fr: {
    title: 'Collections d’Albert',
    intro:
      'Les sources où Albert cherche ses réponses : les collections publiques (service-public.fr, Code du travail…) et les vôtres, personnelles ou partagées.',
    loading: 'Chargement…',
    cancel: 'Annuler',
    close: 'Fermer',
    scopeNames: { public: 'Publique', organisation: 'Organisation', group: 'Groupe', user: 'Personnelle' },
    documents: (count) => (count === 0 ? 'Aucun document' : count === 1 ? '1 document' : `${count} documents`),
    updated: (date) => `Mise à jour le ${date}`,
    canEdit: 'Vous pouvez y ajouter des documents',
    importStatus: {
      running: 'Import en cours',
      completed: 'Dernier import terminé',
      failed: 'Dernier import en échec',
    },
    importProgress: (processed, total) =>
      total === null ? `${processed} documents traités` : `${processed} documents traités sur ${total}`,
    importProgressLabel: (name) => `Progression de l’import de ${name}`,
    importFinished: (date) => `le ${date}`,
    noCollections: 'Aucune collection n’est disponible pour l’instant.',
    collectionsList: 'Collections que vous pouvez consulter',

    createTitle: 'Créer une collection',
    createIntro:
      'Une collection rassemble vos documents (notes, procédures, circulaires) : Albert y cherche quand vous la choisissez pour une question.',
    name: 'Nom',
    description: 'Description (facultatif)',
    scope: 'Qui peut la consulter ?',
    scopeUser: 'Vous seul',
    scopeOrganisation: (name) => `Votre organisation (${name})`,
    scopeGroup: 'Un de vos groupes',
    group: 'Groupe',
    chooseOption: '— Choisir —',
    noGroups: 'Vous n’êtes membre d’aucun groupe.',
    label: 'Niveau de sensibilité',
    labelHint:
      'Il décide quels modèles peuvent lire ses documents pour répondre. Sans choix : le niveau par défaut de votre organisation.',
    labelDefault: 'Niveau par défaut',
    create: 'Créer la collection',
    nameRequired: 'Donnez un nom à la collection.',
    groupRequired: 'Choisissez le groupe.',

    back: 'Toutes les collections',
    notFound: 'Cette collection n’existe pas ou vous ne pouvez pas la consulter.',
    documentsTitle: 'Documents',
    noDocuments: 'Aucun document pour l’instant.',
    documentsCaption: 'Documents de la collection',
    documentColumn: 'Document',
    statusColumn: 'État',
    sizeColumn: 'Taille',
    updatedColumn: 'Mis à jour',
    statusNames: { ready: 'Indexé', pending: 'En attente', failed: 'Échec' },
    errorExplanations: errorExplanationsFr,
    unknownError: (code) => `Le fichier n’a pas pu être indexé (${code}).`,
    readOnlyNotice: 'Vous pouvez consulter cette collection, mais pas y ajouter de documents.',

    uploadTitle: 'Ajouter des documents',
    filesLabel: 'Fichiers à ajouter',
    filesHint:
      'PDF, Word (.docx), OpenDocument (.odt), HTML, Markdown ou texte ; 50 Mo au plus par fichier ; plusieurs fichiers possibles.',
    dropHint: 'Vous pouvez aussi déposer les fichiers dans ce cadre.',
    upload: 'Ajouter les fichiers',
    uploadsTitle: 'Fichiers envoyés',
    uploadWaiting: 'En attente',
    uploadSending: (percent) => `Envoi : ${percent} %`,
    uploadIndexing: 'Lecture et indexation…',
    uploadReady: 'Indexé',
    uploadFailed: (reason) => `Échec : ${reason}`,
    uploadsDone: (ready, failed) =>
      `Envoi terminé : ${ready} ${ready > 1 ? 'fichiers indexés' : 'fichier indexé'}${failed > 0 ? `, ${failed} en échec` : ''}.`,
    uploadProgressOf: (name) => `Progression de l’envoi de ${name}`,

    manageSharing: 'Gérer le partage',
    sharingTitle: (name) => `Partage de « ${name} »`,
    sharingIntro:
      'Donnez accès à cette collection à des personnes, des groupes ou des unités : en lecture, ou pour y ajouter des documents.',
    sharesCaption: 'Qui a accès à la collection',
    whoColumn: 'Qui',
    roleColumn: 'Droit',
    principalKinds: { user: 'Personne', group: 'Groupe', organisation: 'Unité', all_agents: 'Tous les agents' },
    allAgents: 'Tous les agents de l’instance',
    roleNames: { owner: 'Propriétaire', reader: 'Lecture', editor: 'Lecture et ajout de documents' },
    removeShare: 'Retirer',
    removeShareOf: (name) => `Retirer l’accès de ${name}`,
    confirmRemoveShare: (name) => `Retirer l’accès de ${name} à la collection ?`,
    shareRemoved: (name) => `L’accès de ${name} est retiré.`,
    shareAdded: (name) => `${name} a maintenant accès à la collection.`,
    addShareTitle: 'Donner accès',
    shareWith: 'À qui ?',
    roleLabel: 'Droit',
    share: 'Donner accès',
    choosePrincipal: 'Choisissez à qui donner accès.',
  },
  en: {
    title: 'Albert’s collections',
    intro:
      'The sources Albert searches for its answers: the public collections (service-public.fr, Labour Code…) and yours, personal or shared.',
    loading: 'Loading…',
    cancel: 'Cancel',
    close: 'Close',
    scopeNames: { public: 'Public', organisation: 'Organisation', group: 'Group', user: 'Personal' },
    documents: (count) => (count === 0 ? 'No document' : count === 1 ? '1 document' : `${count} documents`),
    updated: (date) => `Updated on ${date}`,
    canEdit: 'You may add documents to it',
    importStatus: { running: 'Import running', completed: 'Last import completed', failed: 'Last import failed' },
    importProgress: (processed, total) =>
      total === null ? `${processed} documents processed` : `${processed} of ${total} documents processed`,
    importProgressLabel: (name) => `Progress of the import of ${name}`,
    importFinished: (date) => `on ${date}`,
    noCollections: 'No collection is available yet.',
    collectionsList: 'Collections you may consult',

    createTitle: 'Create a collection',
    createIntro:
      'A collection gathers your documents (notes, procedures, circulars): Albert searches it when you choose it for a question.',
    name: 'Name',
    description: 'Description (optional)',
    scope: 'Who may consult it?',
    scopeUser: 'Only you',
    scopeOrganisation: (name) => `Your organisation (${name})`,
    scopeGroup: 'One of your groups',
    group: 'Group',
    chooseOption: '— Choose —',
    noGroups: 'You are a member of no group.',
    label: 'Sensitivity level',
    labelHint:
      'It decides which models may read its documents to answer. Without a choice: your organisation’s default level.',
    labelDefault: 'Default level',
    create: 'Create the collection',
    nameRequired: 'Give the collection a name.',
    groupRequired: 'Choose the group.',

    back: 'All collections',
    notFound: 'This collection does not exist or you may not consult it.',
    documentsTitle: 'Documents',
    noDocuments: 'No document yet.',
    documentsCaption: 'Documents of the collection',
    documentColumn: 'Document',
    statusColumn: 'Status',
    sizeColumn: 'Size',
    updatedColumn: 'Updated',
    statusNames: { ready: 'Indexed', pending: 'Pending', failed: 'Failed' },
    errorExplanations: {
      AI_DOCUMENT_CORRUPT: 'Damaged or incomplete file: it could not be read.',
      AI_DOCUMENT_EMPTY:
        'No text was found: a scanned PDF without text? Run it through character recognition (OCR), then upload it again.',
      AI_DOCUMENT_ENCRYPTED: 'Password-protected document: remove the protection, then upload it again.',
      AI_DOCUMENT_UNSUPPORTED_TYPE:
        'Unsupported file type: upload a PDF, a Word (.docx) or OpenDocument (.odt) document, an HTML page, a Markdown or text file.',
      AI_DOCUMENT_TOO_LARGE: 'File too large: 50 MB at most.',
      AI_DOCUMENT_TIMEOUT: 'Reading took too long: the document is too long or too complex to analyse.',
    },
    unknownError: (code) => `The file could not be indexed (${code}).`,
    readOnlyNotice: 'You may consult this collection, but not add documents to it.',

    uploadTitle: 'Add documents',
    filesLabel: 'Files to add',
    filesHint:
      'PDF, Word (.docx), OpenDocument (.odt), HTML, Markdown or text; 50 MB at most per file; several files at once.',
    dropHint: 'You may also drop the files in this frame.',
    upload: 'Add the files',
    uploadsTitle: 'Files sent',
    uploadWaiting: 'Waiting',
    uploadSending: (percent) => `Sending: ${percent}%`,
    uploadIndexing: 'Reading and indexing…',
    uploadReady: 'Indexed',
    uploadFailed: (reason) => `Failed: ${reason}`,
    uploadsDone: (ready, failed) =>
      `Upload finished: ${ready} ${ready === 1 ? 'file' : 'files'} indexed${failed > 0 ? `, ${failed} failed` : ''}.`,
    uploadProgressOf: (name) => `Progress of the upload of ${name}`,

    manageSharing: 'Manage sharing',
    sharingTitle: (name) => `Sharing of “${name}”`,
    sharingIntro: 'Give people, groups or units access to this collection: to read it, or to add documents to it.',
    sharesCaption: 'Who has access to the collection',
    whoColumn: 'Who',
    roleColumn: 'Right',
    principalKinds: { user: 'Person', group: 'Group', organisation: 'Unit', all_agents: 'All agents' },
    allAgents: 'All agents of the instance',
    roleNames: { owner: 'Owner', reader: 'Read', editor: 'Read and add documents' },
    removeShare: 'Remove',
    removeShareOf: (name) => `Remove the access of ${name}`,
    confirmRemoveShare: (name) => `Remove the access of ${name} to the collection?`,
    shareRemoved: (name) => `The access of ${name} is removed.`,
    shareAdded: (name) => `${name} now has access to the collection.`,
    addShareTitle: 'Give access',
    shareWith: 'To whom?',
    roleLabel: 'Right',
    share: 'Give access',
    choosePrincipal: 'Choose whom to give access to.',
  },
};
