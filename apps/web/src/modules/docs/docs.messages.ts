import type { Dictionary } from '../../i18n.tsx';
import type { ConnectionState } from './collab-state.ts';
import type { WritingLanguage, WritingTask } from '../assistant/assistant.api.ts';
import type { DocsExportFormat, DocsRole, DocsVersion, TemplateScope } from './docs.api.ts';

type PrincipalKind = 'user' | 'group' | 'organisation' | 'all_agents' | 'link';
type LinkScope = 'authenticated' | 'public';

/**
 * The texts of the documents' pages: home, spaces, tree, page, sharing, export, import, versions, trash,
 * templates, discussions, Albert in the editor.
 */
export interface DocsMessages {
  title: string;
  intro: string;
  loading: string;
  loadMore: string;
  close: string;
  cancel: string;
  save: string;
  confirm: string;
  untitled: string;
  navigation: string;
  spacesTab: string;
  trashTab: string;
  notFound: string;
  spaceNotFound: string;
  updatedAt: (date: string) => string;
  updatedBy: (date: string, name: string) => string;
  inSpace: (name: string) => string;
  roleNames: Record<DocsRole, string>;
  yourRole: (role: string) => string;
  spaceKinds: Record<'personal' | 'shared', string>;

  // Home
  newDocument: string;
  newSpace: string;
  spacesTitle: string;
  spacesList: string;
  noSpaces: string;
  recentTitle: string;
  noRecent: string;
  favouritesTitle: string;
  noFavourites: string;
  newSpaceIntro: string;
  spaceName: string;
  spaceDescription: string;
  nameRequired: string;
  createSpace: string;

  // A space
  newPage: string;
  spaceSettings: string;
  share: string;
  treeTitle: string;
  treeLabel: (space: string) => string;
  emptySpace: string;
  settingsTitle: (name: string) => string;
  label: string;
  labelHint: string;
  labelOwnersOnly: string;
  settingsSaved: string;
  deleteSpace: string;
  deleteSpaceHint: string;
  confirmDeleteSpace: (name: string) => string;
  spaceDeleted: (name: string) => string;
  readOnlySpace: string;

  // The tree and a page's actions
  subPagesOf: (title: string) => string;
  actionsOf: (title: string) => string;
  newSubPage: string;
  move: string;
  duplicate: string;
  toTrash: string;
  confirmTrash: (title: string) => string;
  trashed: (title: string) => string;
  loadingChildren: string;
  moveTitle: (title: string) => string;
  destinationSpace: string;
  destinationParent: string;
  topOfSpace: string;
  moveHere: string;
  moved: (title: string) => string;
  duplicateTitle: (title: string) => string;
  withChildren: string;
  duplicated: (title: string) => string;
  copyTitle: (title: string) => string;

  // A page
  titleLabel: string;
  breadcrumbDocuments: string;
  favourite: string;
  favouriteHint: (isFavourite: boolean) => string;
  favouriteAdded: string;
  favouriteRemoved: string;
  readOnly: string;
  trashedNotice: string;
  restore: string;
  restored: (title: string) => string;
  connection: Record<ConnectionState, string>;
  offlineReader: string;
  connectionLabel: string;
  peopleLabel: string;
  alone: string;
  editorLabel: string;
  editorLoading: string;
  editorFailed: string;
  reload: string;
  documentActions: string;
  export: string;
  import: string;
  versions: string;
  sharedBy: string;

  // A page read through its public link, not signed in
  publicNotice: string;
  signIn: string;
  publicNotFound: string;
  publicNotFoundHint: string;
  visitor: string;

  // Sharing
  shareTitle: (name: string) => string;
  shareIntroDocument: string;
  shareIntroSpace: string;
  directTitle: string;
  inheritedTitle: string;
  inheritedHint: string;
  inheritedFrom: (type: 'docs.space' | 'docs.document', title: string) => string;
  noShares: string;
  principalKinds: Record<PrincipalKind, string>;
  allAgents: string;
  linkScopes: Record<LinkScope, string>;
  expiresOn: (date: string) => string;
  removeShare: string;
  removeShareOf: (name: string) => string;
  confirmRemoveShare: (name: string) => string;
  shareRemoved: (name: string) => string;
  shareAdded: (name: string) => string;
  addShareTitle: string;
  shareWith: string;
  searching: string;
  linkScopeLabel: string;
  roleLabel: string;
  roleHints: Record<DocsRole, string>;
  publicLinkReadOnly: string;
  expiryLabel: string;
  expiryHint: (days: number) => string;
  expiryInvalid: (days: number) => string;
  giveAccess: string;
  choosePrincipal: string;
  pageLink: string;
  spaceLink: string;
  copyLink: string;
  externalShareHint: string;
  publicLinkActive: Record<'space' | 'document', string>;

  // Export, import
  exportTitle: (title: string) => string;
  formatLegend: string;
  formats: Record<DocsExportFormat, string>;
  exportWithChildren: string;
  exportSubmit: string;
  exporting: string;
  exportProgress: (received: string, total: string | null) => string;
  exported: (name: string) => string;
  importTitle: string;
  importIntro: (title: string) => string;
  fileLabel: string;
  fileHint: (size: string) => string;
  importSubmit: string;
  sending: (percent: number) => string;
  converting: string;
  imported: (title: string) => string;
  openImported: string;
  fileRequired: string;
  fileTooLarge: (size: string) => string;
  importProgress: string;

  // Versions
  versionsTitle: (title: string) => string;
  nameVersion: string;
  versionNameLabel: string;
  versionNameHint: string;
  versionNameRequired: string;
  versionCreated: (name: string) => string;
  versionsList: string;
  noVersions: string;
  versionKinds: Record<DocsVersion['kind'], string>;
  versionName: (version: DocsVersion, date: string) => string;
  versionBy: (date: string, name: string) => string;
  view: string;
  viewOf: (name: string) => string;
  restoreVersion: string;
  restoreVersionOf: (name: string) => string;
  confirmRestoreVersion: (name: string) => string;
  versionRestored: (name: string) => string;
  versionPreviewTitle: (name: string) => string;
  emptyVersion: string;
  versionUnreadable: string;

  // Trash
  trashTitle: string;
  trashIntro: (days: number) => string;
  emptyTrash: string;
  trashedOn: (date: string, purgeDate: string) => string;
  deletePermanently: string;
  deletePermanentlyOf: (title: string) => string;
  restoreOf: (title: string) => string;
  confirmDeletePermanently: (title: string) => string;
  deleted: (title: string) => string;

  // Editor
  linkItemTitle: string;
  linkItemSubtext: string;
  linkItemGroup: string;
  linkItemAliases: string[];
  linkDialogTitle: string;
  linkSearchLabel: string;
  linkSearchHint: string;
  linkNoResult: string;
  linkResults: (count: number) => string;

  // Templates
  newSubPageOf: (title: string) => string;
  startFrom: string;
  startFromHint: string;
  blankPage: string;
  loadingTemplates: string;
  noTemplates: string;
  createPage: string;
  templateScopes: Record<TemplateScope, string>;
  templateBadges: Record<TemplateScope, string>;
  offerAsTemplate: string;
  templateTitle: (title: string) => string;
  templateLegend: string;
  templateNone: string;
  templateNoneHint: string;
  templateToSpace: string;
  templateToSpaceHint: string;
  templateToOrganisation: string;
  templateToOrganisationHint: string;
  templateOffered: (scope: string) => string;
  templateWithdrawn: string;

  // Discussions
  commentOnly: string;
  pageTools: string;
  discussions: string;
  discussionsButton: (open: number) => string;
  discussionsFilter: string;
  openDiscussions: (count: number) => string;
  resolvedDiscussions: (count: number) => string;
  noOpenDiscussions: string;
  noOpenDiscussionsHint: string;
  noResolvedDiscussions: string;
  discussionOn: (text: string) => string;
  discussionWithoutText: string;
  showInText: string;
  resolve: string;
  reopen: string;
  resolvedMark: string;
  discussionResolved: string;
  discussionReopened: string;
  deleteDiscussion: string;
  confirmDeleteDiscussion: string;
  discussionDeleted: string;
  newComment: string;
  comment: string;
  reply: string;
  send: string;
  replySent: string;
  commentPlaceholder: string;
  commentHint: string;
  commentHintMentions: string;
  commentFailed: string;
  someone: string;
  you: (name: string) => string;
  yourself: string;
  edited: string;
  edit: string;
  editComment: string;
  editCommentOf: (name: string) => string;
  commentUpdated: string;
  remove: string;
  deleteCommentOf: (name: string) => string;
  confirmDeleteComment: (excerpt: string) => string;
  commentDeleted: string;
  reactions: string;
  react: string;
  reactionLabel: (emoji: string, names: string[]) => string;
  emojiNames: Record<string, string>;

  // Albert in the editor
  albert: string;
  albertOnSelection: string;
  albertOnPage: string;
  albertTasks: Record<WritingTask, string>;
  albertTasksOnPage: Record<WritingTask, string>;
  albertProposal: string;
  albertWriting: string;
  albertReady: string;
  albertLanguage: string;
  albertLanguages: Record<WritingLanguage, string>;
  albertTranslate: string;
  albertTranslateAgain: string;
  albertReplace: string;
  albertReplacePage: string;
  albertInsertAfter: string;
  albertInsertAtEnd: string;
  albertCopy: string;
  albertCopied: string;
  albertCopyFailed: string;
  albertRetry: string;
  albertTooLong: (max: number) => string;
  albertEmptyPage: string;
  albertSelectionGone: string;
  albertNoClearedProvider: (level: string) => string;
  albertUnavailable: string;
  albertNetworkError: string;
  albertInterrupted: string;
}

const fr: DocsMessages = {
  title: 'Documents',
  intro: 'Rédigez à plusieurs en direct, rangez vos pages en espaces et partagez-les.',
  loading: 'Chargement…',
  loadMore: 'Afficher plus',
  close: 'Fermer',
  cancel: 'Annuler',
  save: 'Enregistrer',
  confirm: 'Confirmer',
  untitled: 'Sans titre',
  navigation: 'Documents',
  spacesTab: 'Espaces',
  trashTab: 'Corbeille',
  notFound: 'Ce document n’existe pas ou vous n’y avez pas accès.',
  spaceNotFound: 'Cet espace n’existe pas ou vous n’y avez pas accès.',
  updatedAt: (date) => `Modifié le ${date}`,
  updatedBy: (date, name) => `Modifié le ${date} par ${name}`,
  inSpace: (name) => `Espace : ${name}`,
  roleNames: { reader: 'Lecteur', commenter: 'Commentateur', editor: 'Éditeur', owner: 'Propriétaire' },
  yourRole: (role) => `Votre rôle : ${role}`,
  spaceKinds: { personal: 'Personnel', shared: 'Partagé' },

  newDocument: 'Nouveau document',
  newSpace: 'Nouvel espace',
  spacesTitle: 'Espaces',
  spacesList: 'Vos espaces',
  noSpaces: 'Aucun espace pour l’instant.',
  recentTitle: 'Récents',
  noRecent: 'Aucune page ouverte récemment.',
  favouritesTitle: 'Favoris',
  noFavourites: 'Aucun favori : ajoutez une page à vos favoris depuis son en-tête.',
  newSpaceIntro:
    'Un espace rassemble les pages d’une équipe ou d’un projet : les personnes avec qui vous le partagez ont accès à toutes ses pages.',
  spaceName: 'Nom',
  spaceDescription: 'Description (facultatif)',
  nameRequired: 'Donnez un nom à l’espace.',
  createSpace: 'Créer l’espace',

  newPage: 'Nouvelle page',
  spaceSettings: 'Paramètres',
  share: 'Partager',
  treeTitle: 'Pages',
  treeLabel: (space) => `Pages de l’espace ${space}`,
  emptySpace: 'Cet espace n’a pas encore de page.',
  settingsTitle: (name) => `Paramètres de l’espace « ${name} »`,
  label: 'Niveau de sensibilité',
  labelHint: 'Il s’applique à toutes les pages de l’espace.',
  labelOwnersOnly: 'Seuls les propriétaires de l’espace changent son niveau de sensibilité.',
  settingsSaved: 'Paramètres enregistrés.',
  deleteSpace: 'Supprimer l’espace',
  deleteSpaceHint:
    'Un espace se supprime une fois vide : déplacez ses pages ou mettez-les à la corbeille ; les pages de sa corbeille sont alors supprimées définitivement avec lui.',
  confirmDeleteSpace: (name) =>
    `Supprimer l’espace « ${name} » et, définitivement, les pages de sa corbeille ? Cette action est irréversible.`,
  spaceDeleted: (name) => `L’espace « ${name} » a été supprimé.`,
  readOnlySpace: 'Vous consultez cet espace sans pouvoir y ajouter de pages.',

  subPagesOf: (title) => `Sous-pages de « ${title} »`,
  actionsOf: (title) => `Actions sur « ${title} »`,
  newSubPage: 'Nouvelle sous-page',
  move: 'Déplacer',
  duplicate: 'Dupliquer',
  toTrash: 'Mettre à la corbeille',
  confirmTrash: (title) => `Mettre « ${title} » et ses sous-pages à la corbeille ?`,
  trashed: (title) => `« ${title} » est dans la corbeille.`,
  loadingChildren: 'Chargement des sous-pages…',
  moveTitle: (title) => `Déplacer « ${title} »`,
  destinationSpace: 'Espace de destination',
  destinationParent: 'Emplacement',
  topOfSpace: 'À la racine de l’espace',
  moveHere: 'Déplacer',
  moved: (title) => `« ${title} » est déplacé.`,
  duplicateTitle: (title) => `Dupliquer « ${title} »`,
  withChildren: 'Dupliquer aussi les sous-pages',
  duplicated: (title) => `Copie créée : « ${title} ».`,
  copyTitle: (title) => `Copie de ${title}`,

  titleLabel: 'Titre du document',
  breadcrumbDocuments: 'Documents',
  favourite: 'Favori',
  favouriteHint: (isFavourite) => (isFavourite ? 'Retirer des favoris' : 'Ajouter aux favoris'),
  favouriteAdded: 'Page ajoutée à vos favoris.',
  favouriteRemoved: 'Page retirée de vos favoris.',
  readOnly: 'Lecture seule',
  trashedNotice: 'Cette page est dans la corbeille : restaurez-la pour la modifier.',
  restore: 'Restaurer',
  restored: (title) => `« ${title} » est restauré.`,
  connection: {
    synced: 'Synchronisé',
    connecting: 'Connexion…',
    offline: 'Hors ligne — vos modifications seront envoyées à la reconnexion',
    denied: 'Connexion refusée : rechargez la page ou reconnectez-vous.',
  },
  offlineReader: 'Hors ligne — reconnexion…',
  connectionLabel: 'État de la connexion',
  peopleLabel: 'Personnes sur la page',
  alone: 'Personne d’autre sur la page',
  editorLabel: 'Contenu de la page',
  editorLoading: 'Chargement de l’éditeur…',
  editorFailed: 'L’éditeur n’a pas pu s’ouvrir.',
  reload: 'Recharger la page',
  documentActions: 'Plus d’actions',
  export: 'Exporter',
  import: 'Importer',
  versions: 'Versions',
  sharedBy: 'Partage',

  publicNotice: 'Vous lisez cette page grâce à son lien public ; elle se met à jour en direct.',
  signIn: 'Se connecter',
  publicNotFound: 'Ce document n’existe pas, ou il n’est pas public',
  publicNotFoundHint: 'S’il a été partagé avec vous, connectez-vous pour l’ouvrir.',
  visitor: 'Visiteur',

  shareTitle: (name) => `Partager « ${name} »`,
  shareIntroDocument: 'Les accès donnés ici valent pour cette page et ses sous-pages.',
  shareIntroSpace: 'Les accès donnés ici valent pour toutes les pages de l’espace.',
  directTitle: 'Accès donnés ici',
  inheritedTitle: 'Accès hérités',
  inheritedHint: 'Ils se changent sur l’espace ou la page dont ils viennent.',
  inheritedFrom: (type, title) =>
    type === 'docs.space' ? `hérité de l’espace « ${title} »` : `hérité de la page « ${title} »`,
  noShares: 'Aucun accès donné ici.',
  principalKinds: {
    user: 'Personne',
    group: 'Groupe',
    organisation: 'Unité',
    all_agents: 'Tous les agents',
    link: 'Lien',
  },
  allAgents: 'Tous les agents de l’instance',
  linkScopes: {
    authenticated: 'Toute personne connectée ayant le lien',
    public: 'Toute personne ayant le lien (lecture seule)',
  },
  expiresOn: (date) => `jusqu’au ${date}`,
  removeShare: 'Retirer',
  removeShareOf: (name) => `Retirer l’accès de ${name}`,
  confirmRemoveShare: (name) => `Retirer l’accès de ${name} ?`,
  shareRemoved: (name) => `L’accès de ${name} est retiré.`,
  shareAdded: (name) => `${name} a maintenant accès.`,
  addShareTitle: 'Donner accès',
  shareWith: 'À qui ?',
  searching: 'Recherche…',
  linkScopeLabel: 'Qui peut ouvrir le lien ?',
  roleLabel: 'Rôle',
  roleHints: {
    reader: 'Lecteur : lit les pages',
    commenter: 'Commentateur : lit et commente',
    editor: 'Éditeur : modifie les pages',
    owner: 'Propriétaire : modifie et partage',
  },
  publicLinkReadOnly: 'Un lien ouvert à tous ne donne que la lecture.',
  expiryLabel: 'Date de fin (facultatif)',
  expiryHint: (days) => `L’accès cesse après ce jour ; ${days} jours au plus pour un lien.`,
  expiryInvalid: (days) => `Choisissez une date à venir, dans ${days} jours au plus.`,
  giveAccess: 'Donner accès',
  choosePrincipal: 'Choisissez à qui donner accès.',
  pageLink: 'Lien de la page',
  spaceLink: 'Lien de l’espace',
  copyLink: 'Copier le lien',
  externalShareHint:
    'Votre compte ne consulte pas l’annuaire : partagez par lien, ou demandez à un agent d’ajouter des personnes.',
  publicLinkActive: {
    document: 'Un lien public est actif : toute personne ayant ce lien lit la page sans se connecter.',
    space: 'Un lien public est actif : toute personne ayant le lien d’une de ses pages la lit sans se connecter.',
  },

  exportTitle: (title) => `Exporter « ${title} »`,
  formatLegend: 'Format',
  formats: {
    md: 'Markdown (.md)',
    html: 'Page web (.html)',
    docx: 'Word (.docx)',
    odt: 'OpenDocument (.odt)',
    pdf: 'PDF (.pdf)',
  },
  exportWithChildren: 'Inclure les sous-pages (une archive .zip)',
  exportSubmit: 'Exporter',
  exporting: 'Export en cours…',
  exportProgress: (received, total) =>
    total === null ? `Export en cours : ${received} reçus` : `Export en cours : ${received} reçus sur ${total}`,
  exported: (name) => `Export terminé : ${name}`,
  importTitle: 'Importer un fichier',
  importIntro: (title) => `Le fichier devient une nouvelle page, sous « ${title} ».`,
  fileLabel: 'Fichier',
  fileHint: (size) => `Markdown, page web (.html), Word (.docx) ou OpenDocument (.odt) ; ${size} au plus.`,
  importSubmit: 'Importer',
  sending: (percent) => `Envoi : ${percent} %`,
  converting: 'Conversion du fichier…',
  imported: (title) => `« ${title} » est importé.`,
  openImported: 'Ouvrir la page importée',
  fileRequired: 'Choisissez un fichier.',
  fileTooLarge: (size) => `Fichier trop volumineux : ${size} au plus.`,
  importProgress: 'Progression de l’envoi',

  versionsTitle: (title) => `Versions de « ${title} »`,
  nameVersion: 'Nommer une version',
  versionNameLabel: 'Nom de la version',
  versionNameHint: 'Pour la retrouver : « Avant relecture », « Envoyée au cabinet »…',
  versionNameRequired: 'Donnez un nom à la version.',
  versionCreated: (name) => `Version « ${name} » enregistrée.`,
  versionsList: 'Versions enregistrées, la plus récente d’abord',
  noVersions: 'Aucune version pour l’instant.',
  versionKinds: {
    automatic: 'Enregistrement automatique',
    named: 'Version nommée',
    'before-restore': 'Avant une restauration',
  },
  versionName: (version, date) => version.name ?? `${fr.versionKinds[version.kind]} du ${date}`,
  versionBy: (date, name) => `${date}, par ${name}`,
  view: 'Afficher',
  viewOf: (name) => `Afficher la version « ${name} »`,
  restoreVersion: 'Restaurer',
  restoreVersionOf: (name) => `Restaurer la version « ${name} »`,
  confirmRestoreVersion: (name) =>
    `Remplacer le contenu de la page par la version « ${name} » ? Le contenu actuel est gardé comme version.`,
  versionRestored: (name) => `La version « ${name} » est restaurée.`,
  versionPreviewTitle: (name) => `Version « ${name} »`,
  emptyVersion: 'Cette version est vide.',
  versionUnreadable: 'Cette version ne peut pas être affichée.',

  trashTitle: 'Corbeille',
  trashIntro: (days) =>
    `Les pages mises à la corbeille, avec leurs sous-pages : restaurez-les, ou supprimez-les définitivement. Au bout de ${days} jours, elles sont supprimées définitivement.`,
  emptyTrash: 'La corbeille est vide.',
  trashedOn: (date, purgeDate) => `Mise à la corbeille le ${date}, supprimée définitivement le ${purgeDate}`,
  deletePermanently: 'Supprimer définitivement',
  deletePermanentlyOf: (title) => `Supprimer définitivement « ${title} »`,
  restoreOf: (title) => `Restaurer « ${title} »`,
  confirmDeletePermanently: (title) =>
    `Supprimer définitivement « ${title} » et ses sous-pages ? Cette action est irréversible.`,
  deleted: (title) => `« ${title} » est supprimé définitivement.`,

  linkItemTitle: 'Lien vers un document',
  linkItemSubtext: 'Insérer un lien vers une autre page',
  linkItemGroup: 'Liens',
  linkItemAliases: ['lien', 'page', 'document', 'link'],
  linkDialogTitle: 'Lien vers un document',
  linkSearchLabel: 'Rechercher une page',
  linkSearchHint: 'Tapez un mot de son titre ou de son texte.',
  linkNoResult: 'Aucune page ne correspond.',
  linkResults: (count) => (count === 1 ? '1 page trouvée' : `${count} pages trouvées`),

  newSubPageOf: (title) => `Nouvelle sous-page de « ${title} »`,
  startFrom: 'Partir de',
  startFromHint: 'Un modèle copie son contenu et son titre dans la nouvelle page.',
  blankPage: 'Page vierge',
  loadingTemplates: 'Chargement des modèles…',
  noTemplates: 'Aucun modèle proposé dans cet espace ni par votre unité.',
  createPage: 'Créer la page',
  templateScopes: { space: 'Modèle de l’espace', organisation: 'Modèle de votre unité' },
  templateBadges: { space: 'Modèle de l’espace', organisation: 'Modèle de l’unité' },
  offerAsTemplate: 'Proposer comme modèle',
  templateTitle: (title) => `Proposer « ${title} » comme modèle`,
  templateLegend: 'À qui proposer cette page comme modèle ?',
  templateNone: 'À personne',
  templateNoneHint: 'La page n’est pas proposée comme modèle.',
  templateToSpace: 'Aux membres de l’espace',
  templateToSpaceHint: 'Ils pourront créer des pages de l’espace à partir de celle-ci.',
  templateToOrganisation: 'À toute mon unité',
  templateToOrganisationHint:
    'Les agents de l’unité et des unités rattachées pourront lire cette page et partir d’elle pour leurs pages.',
  templateOffered: (scope) => `Page proposée comme modèle : ${scope.toLowerCase()}.`,
  templateWithdrawn: 'La page n’est plus proposée comme modèle.',

  commentOnly: 'Commentaires seulement',
  pageTools: 'Outils de la page',
  discussions: 'Discussions',
  discussionsButton: (open) =>
    open === 0 ? 'Discussions' : open === 1 ? 'Discussions (1 ouverte)' : `Discussions (${open} ouvertes)`,
  discussionsFilter: 'Discussions affichées',
  openDiscussions: (count) => `Ouvertes (${count})`,
  resolvedDiscussions: (count) => `Résolues (${count})`,
  noOpenDiscussions: 'Aucune discussion ouverte.',
  noOpenDiscussionsHint: 'Sélectionnez du texte puis « Ajouter un commentaire » pour en commencer une.',
  noResolvedDiscussions: 'Aucune discussion résolue.',
  discussionOn: (text) => `Sur « ${text} »`,
  discussionWithoutText: 'Sur un texte supprimé depuis',
  showInText: 'Voir dans le texte',
  resolve: 'Résoudre',
  reopen: 'Rouvrir',
  resolvedMark: 'Discussion résolue',
  discussionResolved: 'Discussion résolue.',
  discussionReopened: 'Discussion rouverte.',
  deleteDiscussion: 'Supprimer la discussion',
  confirmDeleteDiscussion: 'Supprimer cette discussion et tous ses commentaires ?',
  discussionDeleted: 'Discussion supprimée.',
  newComment: 'Nouveau commentaire',
  comment: 'Commenter',
  reply: 'Répondre',
  send: 'Envoyer',
  replySent: 'Réponse envoyée.',
  commentPlaceholder: 'Écrivez votre commentaire…',
  commentHint: 'Ctrl+Entrée pour envoyer.',
  commentHintMentions: 'Tapez « @ » pour mentionner une personne ; Ctrl+Entrée pour envoyer.',
  commentFailed: 'Le commentaire n’a pas pu être enregistré : réessayez.',
  someone: 'Quelqu’un',
  you: (name) => `${name} (vous)`,
  yourself: 'vous',
  edited: 'modifié',
  edit: 'Modifier',
  editComment: 'Modifier le commentaire',
  editCommentOf: (name) => `Modifier le commentaire de ${name}`,
  commentUpdated: 'Commentaire modifié.',
  remove: 'Supprimer',
  deleteCommentOf: (name) => `Supprimer le commentaire de ${name}`,
  confirmDeleteComment: (excerpt) => `Supprimer le commentaire « ${excerpt} » ?`,
  commentDeleted: 'Commentaire supprimé.',
  reactions: 'Réactions',
  react: 'Réagir',
  reactionLabel: (emoji, names) =>
    `${emoji} : ${names.length === 1 ? '1 réaction' : `${names.length} réactions`} (${names.join(', ')})`,
  emojiNames: {
    '👍': 'pouce levé',
    '❤️': 'cœur',
    '🎉': 'fête',
    '😄': 'sourire',
    '👀': 'regard',
    '✅': 'coche',
  },

  albert: 'Albert',
  albertOnSelection: 'Demander à Albert de retravailler la sélection',
  albertOnPage: 'Albert sur la page',
  albertTasks: {
    summarise: 'Résumer',
    rewrite: 'Reformuler',
    translate: 'Traduire',
    continue: 'Continuer',
    fix: 'Corriger',
  },
  albertTasksOnPage: {
    summarise: 'Résumer la page',
    rewrite: 'Reformuler la page',
    translate: 'Traduire la page',
    continue: 'Continuer la page',
    fix: 'Corriger la page',
  },
  albertProposal: 'Proposition d’Albert',
  albertWriting: 'Albert rédige…',
  albertReady: 'La proposition d’Albert est prête.',
  albertLanguage: 'Traduire en',
  albertLanguages: { fr: 'français', en: 'anglais', de: 'allemand', es: 'espagnol', it: 'italien' },
  albertTranslate: 'Traduire',
  albertTranslateAgain: 'Traduire à nouveau',
  albertReplace: 'Remplacer la sélection',
  albertReplacePage: 'Remplacer le contenu de la page',
  albertInsertAfter: 'Insérer après',
  albertInsertAtEnd: 'Insérer à la fin de la page',
  albertCopy: 'Copier',
  albertCopied: 'Proposition copiée dans le presse-papiers.',
  albertCopyFailed: 'La copie a été refusée par le navigateur : sélectionnez le texte pour le copier.',
  albertRetry: 'Réessayer',
  albertTooLong: (max) =>
    `Le texte dépasse ${max.toLocaleString('fr-FR')} caractères : sélectionnez une partie plus courte.`,
  albertEmptyPage: 'La page est vide : il n’y a rien à donner à Albert.',
  albertSelectionGone:
    'Le texte sélectionné a été modifié entre-temps : sélectionnez-le à nouveau, ou insérez la proposition après.',
  albertNoClearedProvider: (level) =>
    `Cette page est de niveau « ${level} » : aucun des modèles d’IA disponibles sur cette instance n’est habilité à traiter des données de ce niveau. Bureau n’a rien envoyé. Demandez à votre administrateur un modèle hébergé au niveau requis, ou travaillez sur un texte moins sensible.`,
  albertUnavailable: 'Albert n’est pas disponible sur cette instance : aucun modèle n’y est configuré.',
  albertNetworkError: 'Albert n’a pas pu être joint : vérifiez votre connexion et réessayez.',
  albertInterrupted: 'La réponse d’Albert a été interrompue : réessayez.',
};

const en: DocsMessages = {
  title: 'Documents',
  intro: 'Write together in real time, organise your pages in spaces and share them.',
  loading: 'Loading…',
  loadMore: 'Show more',
  close: 'Close',
  cancel: 'Cancel',
  save: 'Save',
  confirm: 'Confirm',
  untitled: 'Untitled',
  navigation: 'Documents',
  spacesTab: 'Spaces',
  trashTab: 'Trash',
  notFound: 'This document does not exist or you may not open it.',
  spaceNotFound: 'This space does not exist or you may not open it.',
  updatedAt: (date) => `Modified on ${date}`,
  updatedBy: (date, name) => `Modified on ${date} by ${name}`,
  inSpace: (name) => `Space: ${name}`,
  roleNames: { reader: 'Reader', commenter: 'Commenter', editor: 'Editor', owner: 'Owner' },
  yourRole: (role) => `Your role: ${role}`,
  spaceKinds: { personal: 'Personal', shared: 'Shared' },

  newDocument: 'New document',
  newSpace: 'New space',
  spacesTitle: 'Spaces',
  spacesList: 'Your spaces',
  noSpaces: 'No space yet.',
  recentTitle: 'Recent',
  noRecent: 'No page opened recently.',
  favouritesTitle: 'Favourites',
  noFavourites: 'No favourite: add a page to your favourites from its header.',
  newSpaceIntro:
    'A space gathers the pages of a team or a project: the people you share it with have access to all its pages.',
  spaceName: 'Name',
  spaceDescription: 'Description (optional)',
  nameRequired: 'Give the space a name.',
  createSpace: 'Create the space',

  newPage: 'New page',
  spaceSettings: 'Settings',
  share: 'Share',
  treeTitle: 'Pages',
  treeLabel: (space) => `Pages of the space ${space}`,
  emptySpace: 'This space has no page yet.',
  settingsTitle: (name) => `Settings of the space “${name}”`,
  label: 'Sensitivity level',
  labelHint: 'It applies to every page of the space.',
  labelOwnersOnly: 'Only the owners of the space change its sensitivity level.',
  settingsSaved: 'Settings saved.',
  deleteSpace: 'Delete the space',
  deleteSpaceHint:
    'A space is deleted once empty: move its pages or send them to the trash; the pages of its trash are then deleted permanently with it.',
  confirmDeleteSpace: (name) =>
    `Delete the space “${name}” and, permanently, the pages of its trash? This cannot be undone.`,
  spaceDeleted: (name) => `The space “${name}” was deleted.`,
  readOnlySpace: 'You may read this space but not add pages to it.',

  subPagesOf: (title) => `Sub-pages of “${title}”`,
  actionsOf: (title) => `Actions on “${title}”`,
  newSubPage: 'New sub-page',
  move: 'Move',
  duplicate: 'Duplicate',
  toTrash: 'Move to the trash',
  confirmTrash: (title) => `Move “${title}” and its sub-pages to the trash?`,
  trashed: (title) => `“${title}” is in the trash.`,
  loadingChildren: 'Loading the sub-pages…',
  moveTitle: (title) => `Move “${title}”`,
  destinationSpace: 'Destination space',
  destinationParent: 'Location',
  topOfSpace: 'At the top of the space',
  moveHere: 'Move',
  moved: (title) => `“${title}” is moved.`,
  duplicateTitle: (title) => `Duplicate “${title}”`,
  withChildren: 'Duplicate the sub-pages too',
  duplicated: (title) => `Copy created: “${title}”.`,
  copyTitle: (title) => `Copy of ${title}`,

  titleLabel: 'Title of the document',
  breadcrumbDocuments: 'Documents',
  favourite: 'Favourite',
  favouriteHint: (isFavourite) => (isFavourite ? 'Remove from favourites' : 'Add to favourites'),
  favouriteAdded: 'Page added to your favourites.',
  favouriteRemoved: 'Page removed from your favourites.',
  readOnly: 'Read only',
  trashedNotice: 'This page is in the trash: restore it to change it.',
  restore: 'Restore',
  restored: (title) => `“${title}” is restored.`,
  connection: {
    synced: 'Synchronised',
    connecting: 'Connecting…',
    offline: 'Offline — your changes will be sent on reconnection',
    denied: 'Connection refused: reload the page or sign in again.',
  },
  offlineReader: 'Offline — reconnecting…',
  connectionLabel: 'Connection status',
  peopleLabel: 'People on the page',
  alone: 'Nobody else on the page',
  editorLabel: 'Content of the page',
  editorLoading: 'Loading the editor…',
  editorFailed: 'The editor could not open.',
  reload: 'Reload the page',
  documentActions: 'More actions',
  export: 'Export',
  import: 'Import',
  versions: 'Versions',
  sharedBy: 'Sharing',

  publicNotice: 'You are reading this page through its public link; it updates live.',
  signIn: 'Sign in',
  publicNotFound: 'This document does not exist, or it is not public',
  publicNotFoundHint: 'If it was shared with you, sign in to open it.',
  visitor: 'Visitor',

  shareTitle: (name) => `Share “${name}”`,
  shareIntroDocument: 'The access given here applies to this page and its sub-pages.',
  shareIntroSpace: 'The access given here applies to every page of the space.',
  directTitle: 'Access given here',
  inheritedTitle: 'Inherited access',
  inheritedHint: 'It is changed on the space or the page it comes from.',
  inheritedFrom: (type, title) => (type === 'docs.space' ? `from the space “${title}”` : `from the page “${title}”`),
  noShares: 'No access given here.',
  principalKinds: {
    user: 'Person',
    group: 'Group',
    organisation: 'Unit',
    all_agents: 'All agents',
    link: 'Link',
  },
  allAgents: 'All agents of the instance',
  linkScopes: {
    authenticated: 'Anyone signed in who has the link',
    public: 'Anyone who has the link (read only)',
  },
  expiresOn: (date) => `until ${date}`,
  removeShare: 'Remove',
  removeShareOf: (name) => `Remove the access of ${name}`,
  confirmRemoveShare: (name) => `Remove the access of ${name}?`,
  shareRemoved: (name) => `The access of ${name} is removed.`,
  shareAdded: (name) => `${name} now has access.`,
  addShareTitle: 'Give access',
  shareWith: 'To whom?',
  searching: 'Searching…',
  linkScopeLabel: 'Who may open the link?',
  roleLabel: 'Role',
  roleHints: {
    reader: 'Reader: reads the pages',
    commenter: 'Commenter: reads and comments',
    editor: 'Editor: changes the pages',
    owner: 'Owner: changes and shares',
  },
  publicLinkReadOnly: 'A link open to anyone only gives reading.',
  expiryLabel: 'End date (optional)',
  expiryHint: (days) => `The access ends after this day; ${days} days at most for a link.`,
  expiryInvalid: (days) => `Choose a date to come, within ${days} days.`,
  giveAccess: 'Give access',
  choosePrincipal: 'Choose whom to give access to.',
  pageLink: 'Link of the page',
  spaceLink: 'Link of the space',
  copyLink: 'Copy the link',
  externalShareHint: 'Your account does not browse the directory: share by link, or ask an agent to add people.',
  publicLinkActive: {
    document: 'A public link is active: anyone with this link reads the page without signing in.',
    space: 'A public link is active: anyone with the link of one of its pages reads it without signing in.',
  },

  exportTitle: (title) => `Export “${title}”`,
  formatLegend: 'Format',
  formats: {
    md: 'Markdown (.md)',
    html: 'Web page (.html)',
    docx: 'Word (.docx)',
    odt: 'OpenDocument (.odt)',
    pdf: 'PDF (.pdf)',
  },
  exportWithChildren: 'Include the sub-pages (a .zip archive)',
  exportSubmit: 'Export',
  exporting: 'Exporting…',
  exportProgress: (received, total) =>
    total === null ? `Exporting: ${received} received` : `Exporting: ${received} of ${total} received`,
  exported: (name) => `Export finished: ${name}`,
  importTitle: 'Import a file',
  importIntro: (title) => `The file becomes a new page, under “${title}”.`,
  fileLabel: 'File',
  fileHint: (size) => `Markdown, web page (.html), Word (.docx) or OpenDocument (.odt); ${size} at most.`,
  importSubmit: 'Import',
  sending: (percent) => `Sending: ${percent}%`,
  converting: 'Converting the file…',
  imported: (title) => `“${title}” is imported.`,
  openImported: 'Open the imported page',
  fileRequired: 'Choose a file.',
  fileTooLarge: (size) => `File too large: ${size} at most.`,
  importProgress: 'Progress of the upload',

  versionsTitle: (title) => `Versions of “${title}”`,
  nameVersion: 'Name a version',
  versionNameLabel: 'Name of the version',
  versionNameHint: 'To find it again: “Before review”, “Sent to the minister’s office”…',
  versionNameRequired: 'Give the version a name.',
  versionCreated: (name) => `Version “${name}” saved.`,
  versionsList: 'Saved versions, newest first',
  noVersions: 'No version yet.',
  versionKinds: {
    automatic: 'Automatic save',
    named: 'Named version',
    'before-restore': 'Before a restoration',
  },
  versionName: (version, date) => version.name ?? `${en.versionKinds[version.kind]} of ${date}`,
  versionBy: (date, name) => `${date}, by ${name}`,
  view: 'Show',
  viewOf: (name) => `Show the version “${name}”`,
  restoreVersion: 'Restore',
  restoreVersionOf: (name) => `Restore the version “${name}”`,
  confirmRestoreVersion: (name) =>
    `Replace the content of the page with the version “${name}”? The current content is kept as a version.`,
  versionRestored: (name) => `The version “${name}” is restored.`,
  versionPreviewTitle: (name) => `Version “${name}”`,
  emptyVersion: 'This version is empty.',
  versionUnreadable: 'This version cannot be shown.',

  trashTitle: 'Trash',
  trashIntro: (days) =>
    `The pages moved to the trash, with their sub-pages: restore them, or delete them permanently. After ${days} days, they are deleted permanently.`,
  emptyTrash: 'The trash is empty.',
  trashedOn: (date, purgeDate) => `Moved to the trash on ${date}, deleted permanently on ${purgeDate}`,
  deletePermanently: 'Delete permanently',
  deletePermanentlyOf: (title) => `Delete “${title}” permanently`,
  restoreOf: (title) => `Restore “${title}”`,
  confirmDeletePermanently: (title) => `Delete “${title}” and its sub-pages permanently? This cannot be undone.`,
  deleted: (title) => `“${title}” is deleted permanently.`,

  linkItemTitle: 'Link to a document',
  linkItemSubtext: 'Insert a link to another page',
  linkItemGroup: 'Links',
  linkItemAliases: ['link', 'page', 'document', 'lien'],
  linkDialogTitle: 'Link to a document',
  linkSearchLabel: 'Search for a page',
  linkSearchHint: 'Type a word of its title or text.',
  linkNoResult: 'No page matches.',
  linkResults: (count) => (count === 1 ? '1 page found' : `${count} pages found`),

  newSubPageOf: (title) => `New sub-page of “${title}”`,
  startFrom: 'Start from',
  startFromHint: 'A template copies its content and title into the new page.',
  blankPage: 'Blank page',
  loadingTemplates: 'Loading the templates…',
  noTemplates: 'No template is offered in this space or by your unit.',
  createPage: 'Create the page',
  templateScopes: { space: 'Template of the space', organisation: 'Template of your unit' },
  templateBadges: { space: 'Template of the space', organisation: 'Template of the unit' },
  offerAsTemplate: 'Offer as a template',
  templateTitle: (title) => `Offer “${title}” as a template`,
  templateLegend: 'To whom should this page be offered as a template?',
  templateNone: 'To nobody',
  templateNoneHint: 'The page is not offered as a template.',
  templateToSpace: 'To the members of the space',
  templateToSpaceHint: 'They may create pages of the space from this one.',
  templateToOrganisation: 'To my whole unit',
  templateToOrganisationHint:
    'The agents of the unit and of the units under it may read this page and start their pages from it.',
  templateOffered: (scope) => `Page offered as a template: ${scope.toLowerCase()}.`,
  templateWithdrawn: 'The page is no longer offered as a template.',

  commentOnly: 'Comments only',
  pageTools: 'Tools of the page',
  discussions: 'Discussions',
  discussionsButton: (open) => (open === 0 ? 'Discussions' : `Discussions (${open} open)`),
  discussionsFilter: 'Discussions shown',
  openDiscussions: (count) => `Open (${count})`,
  resolvedDiscussions: (count) => `Resolved (${count})`,
  noOpenDiscussions: 'No open discussion.',
  noOpenDiscussionsHint: 'Select some text, then “Add comment” to start one.',
  noResolvedDiscussions: 'No resolved discussion.',
  discussionOn: (text) => `On “${text}”`,
  discussionWithoutText: 'On a text deleted since',
  showInText: 'Show in the text',
  resolve: 'Resolve',
  reopen: 'Reopen',
  resolvedMark: 'Discussion resolved',
  discussionResolved: 'Discussion resolved.',
  discussionReopened: 'Discussion reopened.',
  deleteDiscussion: 'Delete the discussion',
  confirmDeleteDiscussion: 'Delete this discussion and all its comments?',
  discussionDeleted: 'Discussion deleted.',
  newComment: 'New comment',
  comment: 'Comment',
  reply: 'Reply',
  send: 'Send',
  replySent: 'Reply sent.',
  commentPlaceholder: 'Write your comment…',
  commentHint: 'Ctrl+Enter to send.',
  commentHintMentions: 'Type “@” to mention someone; Ctrl+Enter to send.',
  commentFailed: 'The comment could not be saved: try again.',
  someone: 'Someone',
  you: (name) => `${name} (you)`,
  yourself: 'you',
  edited: 'edited',
  edit: 'Edit',
  editComment: 'Edit the comment',
  editCommentOf: (name) => `Edit the comment of ${name}`,
  commentUpdated: 'Comment edited.',
  remove: 'Delete',
  deleteCommentOf: (name) => `Delete the comment of ${name}`,
  confirmDeleteComment: (excerpt) => `Delete the comment “${excerpt}”?`,
  commentDeleted: 'Comment deleted.',
  reactions: 'Reactions',
  react: 'React',
  reactionLabel: (emoji, names) =>
    `${emoji}: ${names.length === 1 ? '1 reaction' : `${names.length} reactions`} (${names.join(', ')})`,
  emojiNames: {
    '👍': 'thumbs up',
    '❤️': 'heart',
    '🎉': 'party',
    '😄': 'smile',
    '👀': 'eyes',
    '✅': 'check mark',
  },

  albert: 'Albert',
  albertOnSelection: 'Ask Albert to rework the selection',
  albertOnPage: 'Albert on the page',
  albertTasks: {
    summarise: 'Summarise',
    rewrite: 'Rephrase',
    translate: 'Translate',
    continue: 'Continue',
    fix: 'Correct',
  },
  albertTasksOnPage: {
    summarise: 'Summarise the page',
    rewrite: 'Rephrase the page',
    translate: 'Translate the page',
    continue: 'Continue the page',
    fix: 'Correct the page',
  },
  albertProposal: 'Albert’s proposal',
  albertWriting: 'Albert is writing…',
  albertReady: 'Albert’s proposal is ready.',
  albertLanguage: 'Translate into',
  albertLanguages: { fr: 'French', en: 'English', de: 'German', es: 'Spanish', it: 'Italian' },
  albertTranslate: 'Translate',
  albertTranslateAgain: 'Translate again',
  albertReplace: 'Replace the selection',
  albertReplacePage: 'Replace the content of the page',
  albertInsertAfter: 'Insert after',
  albertInsertAtEnd: 'Insert at the end of the page',
  albertCopy: 'Copy',
  albertCopied: 'Proposal copied to the clipboard.',
  albertCopyFailed: 'The browser refused the copy: select the text to copy it.',
  albertRetry: 'Try again',
  albertTooLong: (max) => `The text is longer than ${max.toLocaleString('en-GB')} characters: select a shorter part.`,
  albertEmptyPage: 'The page is empty: there is nothing to give Albert.',
  albertSelectionGone: 'The selected text was changed meanwhile: select it again, or insert the proposal after it.',
  albertNoClearedProvider: (level) =>
    `This page is labelled “${level}”: none of the AI models available on this instance is cleared for data at that level. Bureau sent nothing. Ask your administrator for a model hosted at the required level, or work on a less sensitive text.`,
  albertUnavailable: 'Albert is not available on this instance: no model is configured.',
  albertNetworkError: 'Albert could not be reached: check your connection and try again.',
  albertInterrupted: 'Albert’s answer was interrupted: try again.',
};

export const docsMessages: Dictionary<DocsMessages> = { fr, en };
