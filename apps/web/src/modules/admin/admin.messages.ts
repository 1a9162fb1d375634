import type { Dictionary } from '../../i18n.tsx';
import type { ModelType, ProcessorHosting, ProviderHealth } from './assistant.api.ts';
import type { FeedbackReason } from './assistant-impact.api.ts';

/** Albert's impact dashboard (AssistantImpactPage.tsx). */
export interface AlbertImpactMessages {
  title: string;
  intro: string;
  organisationFilter: string;
  allOrganisations: string;
  downloadCsv: string;
  csvDetail: string;
  periodSummary: (from: string, to: string) => string;
  noQuestions: string;
  notAvailable: string;
  none: string;
  keyFigures: string;
  questions: string;
  activeUsers: string;
  answeredWithSources: string;
  upRate: string;
  noAnswerRate: string;
  outOf: (count: string, total: string) => string;
  outOfRated: (up: string, rated: string) => string;
  latency: string;
  latencyDetail: (p95: string) => string;
  seconds: (value: string) => string;
  questionsPerDay: string;
  day: string;
  chartMaximum: (value: string) => string;
  quality: string;
  qualityIntro: string;
  answers: string;
  count: string;
  shareOfQuestions: string;
  modeNames: Record<'generative' | 'extractive' | 'noAnswer' | 'withSources' | 'failed' | 'flagged', string>;
  feedback: string;
  feedbackSummary: (rated: string, share: string, up: string, down: string) => string;
  reasons: string;
  reason: string;
  polarity: string;
  polarityNames: Record<'positive' | 'negative', string>;
  ratings: string;
  reasonNames: Record<FeedbackReason, string>;
  latestComments: string;
  commentsPrivacy: string;
  noComments: string;
  date: string;
  rating: string;
  ratingNames: Record<'up' | 'down', string>;
  comment: string;
  topSources: string;
  topSourcesIntro: string;
  source: string;
  collection: string;
  answersCiting: string;
  newWindow: (title: string) => string;
  noSources: string;
  topCollections: string;
  topCollectionsIntro: string;
  personalCollections: string;
  byOrganisation: string;
  organisation: string;
  noOrganisation: string;
  unknownOrganisation: string;
  rated: string;
  bySensitivity: string;
  bySensitivityIntro: string;
  level: string;
  byProvider: string;
  provider: string;
  noModel: string;
}

/** The administration of Albert's model gateway (AssistantPages.tsx). */
export interface AlbertMessages {
  menu: string;
  navigation: string;
  providersTab: string;
  modelsTab: string;
  quotasTab: string;
  usageTab: string;
  impactTab: string;
  providersTitle: string;
  providersIntro: string;
  provider: string;
  hosting: string;
  hostingNames: Record<ProcessorHosting, string>;
  clearance: string;
  clearanceHint: (hosting: string, highest: string) => string;
  models: string;
  source: string;
  sourceFile: string;
  sourceDatabase: string;
  readOnly: string;
  health: string;
  healthNames: Record<ProviderHealth, string>;
  healthSince: (date: string) => string;
  load: (inFlight: number, maximum: string) => string;
  pseudonymised: string;
  noProviders: string;
  deleteProvider: string;
  deleteProviderOf: (name: string) => string;
  confirmDeleteProvider: (name: string) => string;
  providerDeleted: (name: string) => string;
  addProvider: string;
  providerId: string;
  providerIdHint: string;
  invalidProviderId: string;
  providerName: string;
  providerNameHint: string;
  baseUrl: string;
  baseUrlHint: string;
  invalidBaseUrl: string;
  apiKey: string;
  apiKeyHint: string;
  operator: string;
  operatorHint: string;
  modelLegend: (position: number, alias: string) => string;
  modelAlias: string;
  modelAliasHint: string;
  invalidAlias: string;
  duplicateAlias: string;
  aliasTypeClash: (type: string) => string;
  upstream: string;
  upstreamHint: string;
  modelType: string;
  modelTypeNames: Record<ModelType, string>;
  addModel: string;
  removeModel: string;
  removeModelOf: (alias: string) => string;
  maxConcurrency: string;
  maxConcurrencyHint: string;
  invalidConcurrency: string;
  pseudonymisation: string;
  pseudonymisationHint: string;
  providerAdded: (name: string) => string;
  modelsTitle: string;
  modelsIntro: string;
  alias: string;
  highestClearance: string;
  servedBy: string;
  upstreamName: (upstream: string) => string;
  noModels: string;
  quotasTitle: string;
  quotasIntro: string;
  quotasList: string;
  scope: string;
  scopeType: string;
  scopeOrganisation: string;
  scopeApiKey: string;
  keyScope: string;
  keyOrganisation: string;
  keyOrganisationHint: string;
  serviceKey: string;
  otherKey: string;
  keyId: string;
  keyIdHint: string;
  invalidKeyId: string;
  model: string;
  allModels: string;
  allModelsInSentence: string;
  requestsPerMinute: string;
  tokensPerMinute: string;
  tokensPerDay: string;
  limitHint: string;
  invalidLimit: (max: string) => string;
  unlimited: string;
  setQuota: string;
  setQuotaHint: string;
  saveQuota: string;
  quotaSaved: (scope: string, model: string) => string;
  noQuotas: string;
  deleteQuota: string;
  deleteQuotaOf: (scope: string, model: string) => string;
  confirmDeleteQuota: (scope: string, model: string) => string;
  quotaDeleted: (scope: string, model: string) => string;
  usageTitle: string;
  usageIntro: string;
  period: string;
  lastDays: (days: number) => string;
  noUsage: string;
  totals: string;
  requests: string;
  promptTokens: string;
  completionTokens: string;
  refusals: string;
  refusalsDetail: (sensitivity: string, quota: string) => string;
  averageLatency: string;
  milliseconds: (value: string) => string;
  requestsPerDay: string;
  day: string;
  chartMaximum: (value: string) => string;
  byOrganisation: string;
  byModel: string;
  noOrganisation: string;
  refusalsBySensitivity: string;
  refusalsBySensitivityIntro: string;
  level: string;
  refusalsByQuota: string;
  refusalsByQuotaIntro: string;
  noRefusals: string;
  impact: AlbertImpactMessages;
}

export interface AdminMessages {
  section: string;
  organisations: string;
  organisationsIntro: string;
  users: string;
  usersIntro: string;
  groups: string;
  groupsIntro: string;
  invitations: string;
  invitationsIntro: string;
  import: string;
  importIntro: string;
  audit: string;
  auditIntro: string;
  sensitivity: string;
  sensitivityIntro: string;
  name: string;
  siret: string;
  domains: string;
  domainsHint: string;
  parent: string;
  noParent: string;
  createOrganisation: string;
  created: string;
  email: string;
  displayName: string;
  jobTitle: string;
  kind: string;
  kindAgent: string;
  kindExternal: string;
  organisation: string;
  none: string;
  instanceAdmin: string;
  createUser: string;
  createUserHint: string;
  userCreated: (email: string) => string;
  searchUsers: string;
  status: string;
  active: string;
  deactivated: string;
  lastLogin: string;
  never: string;
  deactivate: string;
  deactivateUser: (name: string) => string;
  more: string;
  noUsers: string;
  description: string;
  createGroup: string;
  members: string;
  manager: string;
  member: string;
  addMember: string;
  addMemberLabel: (group: string) => string;
  memberSearchHint: string;
  remove: string;
  removeMember: (name: string, group: string) => string;
  noGroups: string;
  noMembers: string;
  group: string;
  invite: string;
  invitationSent: (email: string, date: string) => string;
  pendingInvitations: string;
  expires: string;
  noInvitations: string;
  revoke: string;
  csvFile: string;
  csvHint: string;
  check: string;
  importNow: string;
  importChecked: (rows: number) => string;
  importDone: (created: number) => string;
  action: string;
  actionHint: string;
  outcome: string;
  anyOutcome: string;
  success: string;
  failure: string;
  denied: string;
  actor: string;
  actorHint: string;
  since: string;
  until: string;
  filter: string;
  reset: string;
  export: string;
  when: string;
  target: string;
  details: string;
  system: string;
  noEvents: string;
  defaultLabel: string;
  labelNames: Record<'public' | 'internal' | 'sensitive' | 'restricted', string>;
  labelHints: Record<'public' | 'internal' | 'sensitive' | 'restricted', string>;
  defaultLabelUnavailable: string;
  saveLabel: (organisation: string) => string;
  save: string;
  saved: string;
  loading: string;
  externalServices: string;
  externalServicesIntro: string;
  serviceId: string;
  serviceIdHint: string;
  serviceName: string;
  serviceUrl: string;
  serviceUrlHint: string;
  serviceDescription: string;
  serviceDescriptionHint: string;
  serviceLegend: (position: number, name: string) => string;
  addService: string;
  moveUp: string;
  moveUpOf: (name: string) => string;
  moveDown: string;
  moveDownOf: (name: string) => string;
  removeService: string;
  removeServiceOf: (name: string) => string;
  noServices: string;
  saveServices: string;
  servicesSaved: string;
  servicesLimit: (max: number) => string;
  formHasErrors: (count: number) => string;
  invalidId: string;
  duplicateId: string;
  invalidUrl: string;
  required: string;
  tooLong: (max: number) => string;
  instance: string;
  instanceIntro: string;
  instanceName: string;
  instanceNameHint: string;
  rename: string;
  renamed: (name: string) => string;
  invitedOn: string;
  invitedBy: string;
  confirmRevokeInvitation: (email: string) => string;
  revokeInvitationOf: (email: string) => string;
  invitationRevoked: (email: string) => string;
  serviceKeys: string;
  serviceKeysIntro: string;
  serviceKeysWhat: string;
  chooseOrganisation: string;
  keyName: string;
  keyNameHint: string;
  keyScopes: string;
  scopeNames: Record<string, string>;
  keyExpires: string;
  keyExpiresHint: string;
  createKey: string;
  keyCreated: string;
  keyLastUsed: string;
  noServiceKeys: string;
  newKeyTitle: string;
  newKeyWarning: string;
  copySecret: string;
  confirmRevokeKey: (name: string) => string;
  revokeKeyOf: (name: string) => string;
  keyRevoked: (name: string) => string;
  noAdministeredOrganisation: string;
  merge: string;
  mergeOf: (name: string) => string;
  mergeTitle: string;
  mergeIntro: (name: string, email: string) => string;
  mergeSearch: string;
  mergeSearchHint: string;
  mergeCandidates: string;
  mergeChoose: (name: string, email: string) => string;
  mergeNoCandidates: string;
  mergeWarningTitle: string;
  mergeWarning: (source: string, target: string) => string;
  mergeConfirm: string;
  mergeDone: (source: string, target: string) => string;
  mergeMoved: (moved: {
    identities: number;
    groups: number;
    administeredOrganisations: number;
    grants: number;
  }) => string[];
  mergePasswordMoved: string;
  mergeUnknownTarget: string;
  backToUsers: string;
  actions: string;
  groupColumn: string;
  confirmDeactivate: (name: string) => string;
  albert: AlbertMessages;
}

const fr: AdminMessages = {
  section: 'Administration',
  organisations: 'Organisations',
  organisationsIntro:
    'L’arborescence de l’administration : ministère, directions, services, avec les domaines de messagerie de leurs agents.',
  users: 'Comptes',
  usersIntro: 'Les comptes des agents et des partenaires externes.',
  groups: 'Groupes',
  groupsIntro: 'Les équipes, qui peuvent réunir des agents de plusieurs organisations et des partenaires.',
  invitations: 'Invitations',
  invitationsIntro: 'Invitez une personne par courriel : le lien lui permet de créer son compte pendant 7 jours.',
  import: 'Import CSV',
  importIntro:
    'Créez des comptes en nombre depuis un fichier CSV (colonnes email, displayName, title, organisation…). L’import est complet ou n’a pas lieu : vérifiez d’abord le fichier.',
  audit: 'Journal d’audit',
  auditIntro: 'Les événements de sécurité : connexions, droits, comptes, clés. Du plus récent au plus ancien.',
  sensitivity: 'Sensibilité par défaut',
  sensitivityIntro:
    'Le niveau de sensibilité que reçoivent les nouveaux contenus de chaque organisation. Un contenu sensible ne part jamais vers un service qui n’est pas qualifié pour lui.',
  name: 'Nom',
  siret: 'SIRET',
  domains: 'Domaines de messagerie',
  domainsHint: 'Séparés par des virgules, par exemple : numerique.gouv.fr',
  parent: 'Rattachée à',
  noParent: 'Aucune (organisation racine)',
  createOrganisation: 'Créer l’organisation',
  created: 'Créé.',
  email: 'Adresse électronique',
  displayName: 'Nom affiché',
  jobTitle: 'Fonction',
  kind: 'Type de compte',
  kindAgent: 'Agent',
  kindExternal: 'Partenaire externe',
  organisation: 'Organisation',
  none: 'Aucune',
  instanceAdmin: 'Administrateur de l’instance',
  createUser: 'Créer le compte',
  createUserHint: 'La personne reçoit un courriel pour choisir son mot de passe.',
  userCreated: (email) => `Le compte ${email} est créé ; un courriel lui a été envoyé pour choisir son mot de passe.`,
  searchUsers: 'Rechercher un compte',
  status: 'État',
  active: 'Actif',
  deactivated: 'Désactivé',
  lastLogin: 'Dernière connexion',
  never: 'Jamais',
  deactivate: 'Désactiver',
  deactivateUser: (name) => `Désactiver le compte de ${name}`,
  more: 'Afficher plus',
  noUsers: 'Aucun compte ne correspond.',
  description: 'Description',
  createGroup: 'Créer le groupe',
  members: 'Membres',
  manager: 'Responsable',
  member: 'Membre',
  addMember: 'Ajouter',
  addMemberLabel: (group) => `Ajouter un membre au groupe ${group} (adresse électronique)`,
  memberSearchHint: 'L’adresse d’un agent de l’annuaire.',
  remove: 'Retirer',
  removeMember: (name, group) => `Retirer ${name} du groupe ${group}`,
  noGroups: 'Aucun groupe.',
  noMembers: 'Aucun membre.',
  group: 'Groupe (facultatif)',
  invite: 'Envoyer l’invitation',
  invitationSent: (email, date) => `Invitation envoyée à ${email}, valable jusqu’au ${date}.`,
  pendingInvitations: 'Invitations en attente',
  expires: 'Expire le',
  noInvitations: 'Aucune invitation en attente.',
  revoke: 'Révoquer',
  csvFile: 'Fichier CSV',
  csvHint: 'Encodage UTF-8, séparateur virgule, 5 000 lignes au plus.',
  check: 'Vérifier le fichier',
  importNow: 'Importer',
  importChecked: (rows) => `Le fichier est valide : ${rows} compte${rows > 1 ? 's' : ''} à créer.`,
  importDone: (created) => `${created} compte${created > 1 ? 's' : ''} créé${created > 1 ? 's' : ''}.`,
  action: 'Action',
  actionHint: 'Début du nom, par exemple identity.login',
  outcome: 'Résultat',
  anyOutcome: 'Tous',
  success: 'Réussite',
  failure: 'Échec',
  denied: 'Refus',
  actor: 'Auteur (identifiant)',
  actorHint: 'Identifiant du compte',
  since: 'Depuis le',
  until: 'Jusqu’au',
  filter: 'Filtrer',
  reset: 'Réinitialiser',
  export: 'Exporter (JSON Lines)',
  when: 'Date',
  target: 'Cible',
  details: 'Détails',
  system: 'Système',
  noEvents: 'Aucun événement ne correspond.',
  defaultLabel: 'Niveau par défaut',
  labelNames: { public: 'Public', internal: 'Interne', sensitive: 'Sensible', restricted: 'Diffusion restreinte' },
  labelHints: {
    public: 'Peut être publié.',
    internal: 'Non sensible, réservé à l’administration.',
    sensitive: 'Hébergement qualifié SecNumCloud ou opéré par l’État.',
    restricted: 'Uniquement sur l’infrastructure de l’administration.',
  },
  defaultLabelUnavailable: 'Le serveur ne gère pas encore le niveau par défaut des organisations.',
  saveLabel: (organisation) => `Enregistrer le niveau de ${organisation}`,
  save: 'Enregistrer',
  saved: 'Enregistré.',
  loading: 'Chargement…',
  externalServices: 'Services externes',
  externalServicesIntro:
    'Les services hors de Bureau que le lanceur d’applications propose à tous les agents, dans cet ordre (30 au plus).',
  serviceId: 'Identifiant',
  serviceIdHint: 'Lettres minuscules, chiffres et tirets, par exemple : grist',
  serviceName: 'Nom',
  serviceUrl: 'Adresse',
  serviceUrlHint: 'Commence par https:// (ou http://)',
  serviceDescription: 'Description (facultative)',
  serviceDescriptionHint: 'Affichée sous le nom dans le lanceur, 200 caractères au plus.',
  serviceLegend: (position, name) => `Service ${position}${name ? ` : ${name}` : ''}`,
  addService: 'Ajouter un service',
  moveUp: 'Monter',
  moveUpOf: (name) => `Monter ${name}`,
  moveDown: 'Descendre',
  moveDownOf: (name) => `Descendre ${name}`,
  removeService: 'Retirer',
  removeServiceOf: (name) => `Retirer ${name}`,
  noServices: 'Aucun service externe : le lanceur ne propose que les services de Bureau.',
  saveServices: 'Enregistrer les services',
  servicesSaved: 'Les services externes sont enregistrés.',
  servicesLimit: (max) => `${max} services au plus.`,
  formHasErrors: (count) =>
    `Le formulaire contient ${count} erreur${count > 1 ? 's' : ''} : corrigez ${count > 1 ? 'les champs signalés' : 'le champ signalé'}.`,
  invalidId: 'Lettres minuscules, chiffres et tirets seulement, 40 caractères au plus, sans tiret au début.',
  duplicateId: 'Cet identifiant est déjà utilisé par un autre service.',
  invalidUrl: 'Une adresse complète qui commence par https:// ou http://.',
  required: 'Champ obligatoire.',
  tooLong: (max) => `${max} caractères au plus.`,
  instance: 'Nom de l’administration',
  instanceIntro: 'Le nom affiché dans l’en-tête de Bureau, sous « Bureau », et dans le titre des pages.',
  instanceName: 'Nom de l’administration',
  instanceNameHint: '120 caractères au plus, par exemple : Ministère de la Culture',
  rename: 'Renommer',
  renamed: (name) => `L’administration s’appelle désormais « ${name} ».`,
  invitedOn: 'Envoyée le',
  invitedBy: 'Par',
  confirmRevokeInvitation: (email) => `Révoquer l’invitation de ${email} ? Son lien cessera aussitôt de fonctionner.`,
  revokeInvitationOf: (email) => `Révoquer l’invitation de ${email}`,
  invitationRevoked: (email) => `L’invitation de ${email} est révoquée.`,
  serviceKeys: 'Clés de service',
  serviceKeysIntro:
    'Une clé de service permet à un programme d’une autre administration d’agir pour le compte de votre organisation, avec les seuls droits choisis.',
  serviceKeysWhat:
    'Chaque clé agit sous un compte de service propre : partagez-lui des documents ou des salons comme à une personne. Révoquer la clé désactive ce compte aussitôt.',
  chooseOrganisation: 'Organisation',
  keyName: 'Nom de la clé',
  keyNameHint: 'Le programme et l’administration qui l’utilisent, par exemple : Passerelle DGFiP',
  keyScopes: 'Droits',
  scopeNames: {
    ai: 'Albert (IA)',
    chat: 'Messagerie',
    'docs:read': 'Documents (lecture)',
    'docs:write': 'Documents (écriture)',
    files: 'Fichiers',
    procedures: 'Démarches',
  },
  keyExpires: 'Expire le',
  keyExpiresHint: 'Facultatif : la clé cesse de fonctionner à la fin de ce jour.',
  createKey: 'Créer la clé de service',
  keyCreated: 'Créée le',
  keyLastUsed: 'Dernière utilisation',
  noServiceKeys: 'Aucune clé de service pour cette organisation.',
  newKeyTitle: 'Votre nouvelle clé de service',
  newKeyWarning: 'Copiez-la maintenant et transmettez-la par un canal sûr : elle ne sera plus jamais affichée.',
  copySecret: 'Copier la clé',
  confirmRevokeKey: (name) => `Révoquer la clé « ${name} » ? Le programme qui l’utilise perdra aussitôt l’accès.`,
  revokeKeyOf: (name) => `Révoquer la clé ${name}`,
  keyRevoked: (name) => `La clé « ${name} » est révoquée.`,
  noAdministeredOrganisation: 'Vous n’administrez aucune organisation.',
  merge: 'Fusionner',
  mergeOf: (name) => `Fusionner un doublon dans le compte de ${name}`,
  mergeTitle: 'Fusionner avec un autre compte',
  mergeIntro: (name, email) =>
    `Le compte conservé est celui de ${name} (${email}). Choisissez le compte en double : ses accès passeront à ce compte.`,
  mergeSearch: 'Rechercher le compte en double',
  mergeSearchHint: 'Nom ou adresse électronique.',
  mergeCandidates: 'Comptes trouvés',
  mergeChoose: (name, email) => `${name} (${email})`,
  mergeNoCandidates: 'Aucun autre compte actif ne correspond.',
  mergeWarningTitle: 'Cette opération est définitive',
  mergeWarning: (source, target) =>
    `Les identités de connexion, les groupes, les rôles d’administration et les droits de ${source} passeront à ${target}. Le compte ${source} sera désactivé, ses sessions fermées et ses clés révoquées.`,
  mergeConfirm: 'Fusionner les comptes',
  mergeDone: (source, target) => `Le compte ${source} est fusionné dans celui de ${target}.`,
  mergeMoved: (moved) => [
    `${moved.identities} identité${moved.identities > 1 ? 's' : ''} de connexion`,
    `${moved.groups} groupe${moved.groups > 1 ? 's' : ''}`,
    `${moved.administeredOrganisations} organisation${moved.administeredOrganisations > 1 ? 's' : ''} administrée${moved.administeredOrganisations > 1 ? 's' : ''}`,
    `${moved.grants} droit${moved.grants > 1 ? 's' : ''} d’accès`,
  ],
  mergePasswordMoved: 'Le mot de passe du doublon est désormais celui du compte conservé.',
  mergeUnknownTarget: 'Ce compte n’existe pas ou n’est plus actif.',
  backToUsers: 'Retour aux comptes',
  actions: 'Actions',
  groupColumn: 'Groupe',
  confirmDeactivate: (name) =>
    `Désactiver le compte de ${name} ? La personne ne pourra plus se connecter et ses sessions seront fermées.`,
  albert: {
    menu: 'Albert (IA)',
    navigation: 'Pages d’Albert',
    providersTab: 'Fournisseurs',
    modelsTab: 'Modèles',
    quotasTab: 'Quotas',
    usageTab: 'Utilisation',
    impactTab: 'Impact',
    providersTitle: 'Albert : fournisseurs de modèles',
    providersIntro:
      'Les serveurs de modèles (compatibles OpenAI) auxquels Albert confie les requêtes. Une donnée ne part jamais vers un fournisseur dont l’habilitation est inférieure à son niveau de sensibilité.',
    provider: 'Fournisseur',
    hosting: 'Hébergement',
    hostingNames: {
      'on-premises': 'Infrastructure de l’administration',
      'state-cloud': 'Cloud de l’État',
      secnumcloud: 'Cloud qualifié SecNumCloud',
      'public-cloud': 'Cloud public',
    },
    clearance: 'Habilitation',
    clearanceHint: (hosting, highest) =>
      `Le niveau de sensibilité le plus élevé que ce fournisseur peut recevoir. Hébergement « ${hosting} » : jusqu’à « ${highest} » (doctrine « Cloud au centre »).`,
    models: 'Modèles',
    source: 'Origine',
    sourceFile: 'Fichier de configuration',
    sourceDatabase: 'Ajouté ici',
    readOnly: 'Lecture seule',
    health: 'État',
    healthNames: { healthy: 'Sain', unhealthy: 'En panne', unknown: 'Inconnu' },
    healthSince: (date) => `Depuis le ${date}`,
    load: (inFlight, maximum) => `${inFlight} requête${inFlight > 1 ? 's' : ''} en cours sur ${maximum} au plus`,
    pseudonymised: 'Données personnelles pseudonymisées',
    noProviders:
      'Aucun fournisseur : Albert n’est pas disponible. Ajoutez-en un ci-dessous, ou déclarez-le dans le fichier de configuration (BUREAU_AI_PROVIDERS_FILE).',
    deleteProvider: 'Supprimer',
    deleteProviderOf: (name) => `Supprimer le fournisseur ${name}`,
    confirmDeleteProvider: (name) =>
      `Supprimer le fournisseur « ${name} » ? Albert cessera aussitôt de lui confier des requêtes.`,
    providerDeleted: (name) => `Le fournisseur « ${name} » est supprimé.`,
    addProvider: 'Ajouter un fournisseur',
    providerId: 'Identifiant',
    providerIdHint: 'Lettres minuscules, chiffres et . _ -, par exemple : albert-dinum',
    invalidProviderId:
      'Lettres minuscules, chiffres et . _ - seulement, 64 caractères au plus, en commençant par une lettre ou un chiffre.',
    providerName: 'Nom (facultatif)',
    providerNameHint: 'Affiché aux agents ; l’identifiant s’il est vide.',
    baseUrl: 'Adresse de l’API',
    baseUrlHint: 'L’adresse de base compatible OpenAI, /v1 compris, par exemple : https://albert.api.etalab.gouv.fr/v1',
    invalidBaseUrl:
      'Une adresse complète qui commence par https:// ou http://, sans identifiants, paramètres ni ancre.',
    apiKey: 'Clé secrète (facultative)',
    apiKeyHint: 'Envoyée au fournisseur avec chaque requête. Elle ne sera plus jamais affichée.',
    operator: 'Opérateur (facultatif)',
    operatorHint: 'Qui exploite ce service, par exemple : DINUM',
    modelLegend: (position, alias) => `Modèle ${position}${alias ? ` : ${alias}` : ''}`,
    modelAlias: 'Alias',
    modelAliasHint: 'Le nom que les programmes demandent, par exemple : albert-large',
    invalidAlias: '1 à 128 lettres, chiffres ou caractères . _ : / -, en commençant par une lettre ou un chiffre.',
    duplicateAlias: 'Ce fournisseur sert déjà un modèle de ce nom.',
    aliasTypeClash: (type) => `Cet alias est déjà un modèle de type « ${type} » chez un autre fournisseur.`,
    upstream: 'Nom chez le fournisseur (facultatif)',
    upstreamHint: 'L’alias s’il est vide.',
    modelType: 'Type',
    modelTypeNames: { chat: 'Conversation', embeddings: 'Plongements (embeddings)', rerank: 'Reclassement (rerank)' },
    addModel: 'Ajouter un modèle',
    removeModel: 'Retirer',
    removeModelOf: (alias) => `Retirer le modèle ${alias}`,
    maxConcurrency: 'Requêtes simultanées au plus',
    maxConcurrencyHint: 'Entre 1 et 10 000 ; 16 s’il est vide.',
    invalidConcurrency: 'Un nombre entier entre 1 et 10 000.',
    pseudonymisation: 'Pseudonymiser les données personnelles avant l’envoi',
    pseudonymisationHint:
      'Les noms, adresses et numéros sont remplacés par des pseudonymes avant de partir vers ce fournisseur.',
    providerAdded: (name) => `Le fournisseur « ${name} » est ajouté.`,
    modelsTitle: 'Albert : modèles',
    modelsIntro:
      'Les noms de modèles que les programmes et les agents demandent, et les fournisseurs qui les servent. Albert choisit le moins chargé de ceux qui sont habilités au niveau de la requête.',
    alias: 'Modèle',
    highestClearance: 'Données acceptées jusqu’à',
    servedBy: 'Fournisseurs',
    upstreamName: (upstream) => `nom chez le fournisseur : ${upstream}`,
    noModels: 'Aucun modèle : ajoutez d’abord un fournisseur.',
    quotasTitle: 'Albert : quotas',
    quotasIntro:
      'Des limites par organisation ou par clé d’API, pour un modèle ou pour tous. Une requête respecte toutes les règles qui la concernent.',
    quotasList: 'Quotas en vigueur',
    scope: 'Portée',
    scopeType: 'Appliquer à',
    scopeOrganisation: 'Une organisation',
    scopeApiKey: 'Une clé d’API',
    keyScope: 'Clé',
    keyOrganisation: 'Organisation de la clé',
    keyOrganisationHint: 'Pour choisir parmi ses clés de service.',
    serviceKey: 'Clé',
    otherKey: 'Autre clé (saisir son identifiant)',
    keyId: 'Identifiant de la clé',
    keyIdHint:
      'L’identifiant d’une clé de service ou d’une clé d’API personnelle, par exemple : 0190c7a4-5b1e-7c3d-9f00-1a2b3c4d5e6f',
    invalidKeyId: 'Un identifiant de 36 caractères, par exemple : 0190c7a4-5b1e-7c3d-9f00-1a2b3c4d5e6f',
    model: 'Modèle',
    allModels: 'Tous les modèles',
    allModelsInSentence: 'tous les modèles',
    requestsPerMinute: 'Requêtes par minute',
    tokensPerMinute: 'Jetons par minute',
    tokensPerDay: 'Jetons par jour',
    limitHint: 'Vide : illimité.',
    invalidLimit: (max) => `Un nombre entier de 0 à ${max}, ou rien (illimité).`,
    unlimited: 'Illimité',
    setQuota: 'Définir un quota',
    setQuotaHint: 'Un quota de même portée et de même modèle est remplacé.',
    saveQuota: 'Enregistrer le quota',
    quotaSaved: (scope, model) => `Le quota de ${scope} pour ${model} est enregistré.`,
    noQuotas: 'Aucun quota : l’usage n’est limité que par la capacité des fournisseurs.',
    deleteQuota: 'Supprimer',
    deleteQuotaOf: (scope, model) => `Supprimer le quota de ${scope} pour ${model}`,
    confirmDeleteQuota: (scope, model) =>
      `Supprimer le quota de ${scope} pour ${model} ? Cette règle cessera aussitôt de limiter l’usage.`,
    quotaDeleted: (scope, model) => `Le quota de ${scope} pour ${model} est supprimé.`,
    usageTitle: 'Albert : utilisation',
    usageIntro: 'Les requêtes adressées à Albert, par jour (UTC), organisation et modèle, et celles qu’il a refusées.',
    period: 'Période',
    lastDays: (days) => `Les ${days} derniers jours`,
    noUsage: 'Aucune requête à Albert sur cette période.',
    totals: 'Sur la période',
    requests: 'Requêtes',
    promptTokens: 'Jetons en entrée',
    completionTokens: 'Jetons en sortie',
    refusals: 'Refus',
    refusalsDetail: (sensitivity, quota) => `${sensitivity} pour sensibilité, ${quota} pour quota`,
    averageLatency: 'Durée moyenne',
    milliseconds: (value) => `${value} ms`,
    requestsPerDay: 'Requêtes par jour',
    day: 'Jour',
    chartMaximum: (value) => `Maximum : ${value}`,
    byOrganisation: 'Par organisation',
    byModel: 'Par modèle',
    noOrganisation: 'Sans organisation',
    refusalsBySensitivity: 'Refus pour sensibilité',
    refusalsBySensitivityIntro:
      'Des requêtes dont les données dépassaient l’habilitation de tous les fournisseurs du modèle : elles ne sont parties vers aucun.',
    level: 'Niveau des données',
    refusalsByQuota: 'Refus pour quota',
    refusalsByQuotaIntro: 'Des requêtes refusées parce qu’un quota était atteint.',
    noRefusals: 'Aucun refus.',
    impact: {
      title: 'Albert : impact',
      intro:
        'Ce qu’Albert apporte aux agents : combien le sollicitent, la part des réponses appuyées sur des sources, leurs avis et les sources les plus utiles.',
      organisationFilter: 'Organisation',
      allOrganisations: 'Toutes les organisations',
      downloadCsv: 'Télécharger les chiffres',
      csvDetail: 'CSV – une ligne par jour et par organisation',
      periodSummary: (from, to) => `Du ${from} au ${to} (jours UTC).`,
      noQuestions: 'Aucune question posée à Albert sur cette période.',
      notAvailable: 'non disponible',
      none: 'aucun',
      keyFigures: 'Chiffres clés',
      questions: 'Questions posées',
      activeUsers: 'Utilisateurs actifs',
      answeredWithSources: 'Réponses appuyées sur des sources',
      upRate: 'Avis positifs',
      noAnswerRate: 'Questions sans réponse',
      outOf: (count, total) => `${count} sur ${total} questions`,
      outOfRated: (up, rated) => `${up} sur ${rated} réponses évaluées`,
      latency: 'Durée médiane d’une réponse',
      latencyDetail: (p95) => `95 % des réponses en moins de ${p95}`,
      seconds: (value) => `${value} s`,
      questionsPerDay: 'Questions par jour',
      day: 'Jour',
      chartMaximum: (value) => `Maximum : ${value}`,
      quality: 'Qualité des réponses',
      qualityIntro:
        'Une réponse générée cite ses sources ; une réponse extractive reprend des passages sans modèle de langage. Les citations retirées sont celles que Bureau n’a pas pu rattacher à une source.',
      answers: 'Réponses',
      count: 'Nombre',
      shareOfQuestions: 'Part des questions',
      modeNames: {
        generative: 'Générées par un modèle',
        extractive: 'Extractives (passages des sources)',
        noAnswer: 'Sans réponse',
        withSources: 'Appuyées sur au moins une source',
        failed: 'Interrompues par une erreur',
        flagged: 'Avec au moins une citation retirée',
      },
      feedback: 'Avis des agents',
      feedbackSummary: (rated, share, up, down) =>
        `${rated} réponses évaluées (${share} des questions) : ${up} avis positifs, ${down} avis négatifs.`,
      reasons: 'Motifs des avis',
      reason: 'Motif',
      polarity: 'Type d’avis',
      polarityNames: { positive: 'Positif', negative: 'Négatif' },
      ratings: 'Avis',
      reasonNames: {
        clear: 'Claire',
        concise: 'Concise',
        'reliable-sources': 'Sources fiables',
        hallucination: 'Invente des informations',
        'missing-sources': 'Sources manquantes',
        'too-long': 'Trop longue',
        inconsistent: 'Incohérente',
        imprecise: 'Imprécise',
        grammar: 'Fautes de langue',
      },
      latestComments: 'Derniers commentaires',
      commentsPrivacy: 'Les commentaires sont affichés sans le nom de leur auteur ni la question posée.',
      noComments: 'Aucun commentaire sur cette période.',
      date: 'Date',
      rating: 'Avis',
      ratingNames: { up: 'Positif', down: 'Négatif' },
      comment: 'Commentaire',
      topSources: 'Sources les plus citées',
      topSourcesIntro:
        'Les documents cités dans le plus de réponses. Les documents personnels des agents ne sont pas nommés.',
      source: 'Source',
      collection: 'Collection',
      answersCiting: 'Réponses qui la citent',
      newWindow: (title) => `${title} – nouvelle fenêtre`,
      noSources: 'Aucune source citée sur cette période.',
      topCollections: 'Collections consultées',
      topCollectionsIntro: 'Les collections où la recherche a trouvé des passages, par nombre de questions.',
      personalCollections: 'Collections personnelles des agents (regroupées)',
      byOrganisation: 'Par organisation',
      organisation: 'Organisation',
      noOrganisation: 'Sans organisation',
      unknownOrganisation: 'Organisation supprimée',
      rated: 'Réponses évaluées',
      bySensitivity: 'Par niveau de sensibilité',
      bySensitivityIntro: 'Le niveau le plus élevé des sources utilisées pour chaque réponse.',
      level: 'Niveau',
      byProvider: 'Par fournisseur de modèles',
      provider: 'Fournisseur',
      noModel: 'Aucun modèle (réponse extractive ou sans réponse)',
    },
  },
};

const en: AdminMessages = {
  section: 'Administration',
  organisations: 'Organisations',
  organisationsIntro: 'The administration’s tree: ministry, directorates, services, with their agents’ e-mail domains.',
  users: 'Accounts',
  usersIntro: 'The accounts of agents and external partners.',
  groups: 'Groups',
  groupsIntro: 'Teams, which may bring together agents of several organisations and partners.',
  invitations: 'Invitations',
  invitationsIntro: 'Invite someone by e-mail: the link lets them create their account for 7 days.',
  import: 'CSV import',
  importIntro:
    'Create many accounts from a CSV file (columns email, displayName, title, organisation…). The import is all or nothing: check the file first.',
  audit: 'Audit log',
  auditIntro: 'Security events: sign-ins, rights, accounts, keys. Newest first.',
  sensitivity: 'Default sensitivity',
  sensitivityIntro:
    'The sensitivity level new content of each organisation gets. Sensitive content never goes to a service not cleared for it.',
  name: 'Name',
  siret: 'SIRET',
  domains: 'E-mail domains',
  domainsHint: 'Comma-separated, for example: numerique.gouv.fr',
  parent: 'Part of',
  noParent: 'None (root organisation)',
  createOrganisation: 'Create the organisation',
  created: 'Created.',
  email: 'E-mail address',
  displayName: 'Display name',
  jobTitle: 'Job title',
  kind: 'Account type',
  kindAgent: 'Agent',
  kindExternal: 'External partner',
  organisation: 'Organisation',
  none: 'None',
  instanceAdmin: 'Instance administrator',
  createUser: 'Create the account',
  createUserHint: 'The person receives an e-mail to choose their password.',
  userCreated: (email) => `The account ${email} is created; an e-mail was sent to choose its password.`,
  searchUsers: 'Search accounts',
  status: 'Status',
  active: 'Active',
  deactivated: 'Deactivated',
  lastLogin: 'Last sign-in',
  never: 'Never',
  deactivate: 'Deactivate',
  deactivateUser: (name) => `Deactivate the account of ${name}`,
  more: 'Show more',
  noUsers: 'No account matches.',
  description: 'Description',
  createGroup: 'Create the group',
  members: 'Members',
  manager: 'Manager',
  member: 'Member',
  addMember: 'Add',
  addMemberLabel: (group) => `Add a member to the group ${group} (e-mail address)`,
  memberSearchHint: 'The address of an agent of the directory.',
  remove: 'Remove',
  removeMember: (name, group) => `Remove ${name} from the group ${group}`,
  noGroups: 'No groups.',
  noMembers: 'No members.',
  group: 'Group (optional)',
  invite: 'Send the invitation',
  invitationSent: (email, date) => `Invitation sent to ${email}, valid until ${date}.`,
  pendingInvitations: 'Pending invitations',
  expires: 'Expires on',
  noInvitations: 'No pending invitations.',
  revoke: 'Revoke',
  csvFile: 'CSV file',
  csvHint: 'UTF-8, comma-separated, at most 5,000 rows.',
  check: 'Check the file',
  importNow: 'Import',
  importChecked: (rows) => `The file is valid: ${rows} account${rows > 1 ? 's' : ''} to create.`,
  importDone: (created) => `${created} account${created > 1 ? 's' : ''} created.`,
  action: 'Action',
  actionHint: 'Start of the name, for example identity.login',
  outcome: 'Outcome',
  anyOutcome: 'All',
  success: 'Success',
  failure: 'Failure',
  denied: 'Denied',
  actor: 'Actor (identifier)',
  actorHint: 'Account identifier',
  since: 'Since',
  until: 'Until',
  filter: 'Filter',
  reset: 'Reset',
  export: 'Export (JSON Lines)',
  when: 'Date',
  target: 'Target',
  details: 'Details',
  system: 'System',
  noEvents: 'No event matches.',
  defaultLabel: 'Default level',
  labelNames: { public: 'Public', internal: 'Internal', sensitive: 'Sensitive', restricted: 'Restricted' },
  labelHints: {
    public: 'May be published.',
    internal: 'Not sensitive, for the administration only.',
    sensitive: 'SecNumCloud-qualified or State-operated hosting.',
    restricted: 'Only on the administration’s own infrastructure.',
  },
  defaultLabelUnavailable: 'The server does not handle organisations’ default level yet.',
  saveLabel: (organisation) => `Save the level of ${organisation}`,
  save: 'Save',
  saved: 'Saved.',
  loading: 'Loading…',
  externalServices: 'External services',
  externalServicesIntro:
    'Services outside Bureau that the app switcher offers every agent, in this order (at most 30).',
  serviceId: 'Identifier',
  serviceIdHint: 'Lower-case letters, digits and dashes, for example: grist',
  serviceName: 'Name',
  serviceUrl: 'Address',
  serviceUrlHint: 'Starts with https:// (or http://)',
  serviceDescription: 'Description (optional)',
  serviceDescriptionHint: 'Shown under the name in the switcher, at most 200 characters.',
  serviceLegend: (position, name) => `Service ${position}${name ? `: ${name}` : ''}`,
  addService: 'Add a service',
  moveUp: 'Move up',
  moveUpOf: (name) => `Move up ${name}`,
  moveDown: 'Move down',
  moveDownOf: (name) => `Move down ${name}`,
  removeService: 'Remove',
  removeServiceOf: (name) => `Remove ${name}`,
  noServices: 'No external services: the switcher offers Bureau’s services only.',
  saveServices: 'Save the services',
  servicesSaved: 'The external services are saved.',
  servicesLimit: (max) => `At most ${max} services.`,
  formHasErrors: (count) =>
    `The form has ${count} error${count > 1 ? 's' : ''}: correct the flagged field${count > 1 ? 's' : ''}.`,
  invalidId: 'Lower-case letters, digits and dashes only, at most 40 characters, not starting with a dash.',
  duplicateId: 'Another service already uses this identifier.',
  invalidUrl: 'A full address starting with https:// or http://.',
  required: 'Required.',
  tooLong: (max) => `At most ${max} characters.`,
  instance: 'Administration’s name',
  instanceIntro: 'The name shown in Bureau’s header, under “Bureau”, and in the pages’ titles.',
  instanceName: 'Administration’s name',
  instanceNameHint: 'At most 120 characters, for example: Ministère de la Culture',
  rename: 'Rename',
  renamed: (name) => `The administration is now called “${name}”.`,
  invitedOn: 'Sent on',
  invitedBy: 'By',
  confirmRevokeInvitation: (email) => `Revoke the invitation of ${email}? Its link stops working at once.`,
  revokeInvitationOf: (email) => `Revoke the invitation of ${email}`,
  invitationRevoked: (email) => `The invitation of ${email} is revoked.`,
  serviceKeys: 'Service keys',
  serviceKeysIntro:
    'A service key lets a program of another administration act for your organisation, with the rights you choose only.',
  serviceKeysWhat:
    'Each key acts as its own service account: share documents or rooms with it as with a person. Revoking the key deactivates that account at once.',
  chooseOrganisation: 'Organisation',
  keyName: 'Key name',
  keyNameHint: 'The program and the administration using it, for example: DGFiP gateway',
  keyScopes: 'Rights',
  scopeNames: {
    ai: 'Albert (AI)',
    chat: 'Chat',
    'docs:read': 'Documents (read)',
    'docs:write': 'Documents (write)',
    files: 'Files',
    procedures: 'Procedures',
  },
  keyExpires: 'Expires on',
  keyExpiresHint: 'Optional: the key stops working at the end of that day.',
  createKey: 'Create the service key',
  keyCreated: 'Created on',
  keyLastUsed: 'Last used',
  noServiceKeys: 'No service keys for this organisation.',
  newKeyTitle: 'Your new service key',
  newKeyWarning: 'Copy it now and pass it on through a safe channel: it will never be shown again.',
  copySecret: 'Copy the key',
  confirmRevokeKey: (name) => `Revoke the key “${name}”? The program using it loses access at once.`,
  revokeKeyOf: (name) => `Revoke the key ${name}`,
  keyRevoked: (name) => `The key “${name}” is revoked.`,
  noAdministeredOrganisation: 'You administer no organisation.',
  merge: 'Merge',
  mergeOf: (name) => `Merge a duplicate into the account of ${name}`,
  mergeTitle: 'Merge with another account',
  mergeIntro: (name, email) =>
    `The account kept is ${name}’s (${email}). Choose the duplicate account: its access moves to this account.`,
  mergeSearch: 'Search for the duplicate account',
  mergeSearchHint: 'Name or e-mail address.',
  mergeCandidates: 'Accounts found',
  mergeChoose: (name, email) => `${name} (${email})`,
  mergeNoCandidates: 'No other active account matches.',
  mergeWarningTitle: 'This cannot be undone',
  mergeWarning: (source, target) =>
    `The sign-in identities, groups, administration roles and rights of ${source} move to ${target}. The account ${source} is deactivated, its sessions ended and its keys revoked.`,
  mergeConfirm: 'Merge the accounts',
  mergeDone: (source, target) => `The account ${source} is merged into ${target}’s.`,
  mergeMoved: (moved) => [
    `${moved.identities} sign-in identit${moved.identities > 1 ? 'ies' : 'y'}`,
    `${moved.groups} group${moved.groups > 1 ? 's' : ''}`,
    `${moved.administeredOrganisations} administered organisation${moved.administeredOrganisations > 1 ? 's' : ''}`,
    `${moved.grants} access right${moved.grants > 1 ? 's' : ''}`,
  ],
  mergePasswordMoved: 'The duplicate’s password is now the kept account’s.',
  mergeUnknownTarget: 'This account does not exist or is no longer active.',
  backToUsers: 'Back to the accounts',
  actions: 'Actions',
  groupColumn: 'Group',
  confirmDeactivate: (name) =>
    `Deactivate the account of ${name}? They will no longer be able to sign in and their sessions will end.`,
  albert: {
    menu: 'Albert (AI)',
    navigation: 'Albert’s pages',
    providersTab: 'Providers',
    modelsTab: 'Models',
    quotasTab: 'Quotas',
    usageTab: 'Usage',
    impactTab: 'Impact',
    providersTitle: 'Albert: model providers',
    providersIntro:
      'The model servers (OpenAI-compatible) Albert hands requests to. Data never goes to a provider whose clearance is below its sensitivity level.',
    provider: 'Provider',
    hosting: 'Hosting',
    hostingNames: {
      'on-premises': 'The administration’s own infrastructure',
      'state-cloud': 'State cloud',
      secnumcloud: 'SecNumCloud-qualified cloud',
      'public-cloud': 'Public cloud',
    },
    clearance: 'Clearance',
    clearanceHint: (hosting, highest) =>
      `The most sensitive data this provider may receive. Hosting “${hosting}”: up to “${highest}” (“Cloud au centre” doctrine).`,
    models: 'Models',
    source: 'Source',
    sourceFile: 'Configuration file',
    sourceDatabase: 'Added here',
    readOnly: 'Read-only',
    health: 'Status',
    healthNames: { healthy: 'Healthy', unhealthy: 'Down', unknown: 'Unknown' },
    healthSince: (date) => `Since ${date}`,
    load: (inFlight, maximum) => `${inFlight} request${inFlight === 1 ? '' : 's'} in flight out of ${maximum} at most`,
    pseudonymised: 'Personal data pseudonymised',
    noProviders:
      'No provider: Albert is not available. Add one below, or declare it in the configuration file (BUREAU_AI_PROVIDERS_FILE).',
    deleteProvider: 'Delete',
    deleteProviderOf: (name) => `Delete the provider ${name}`,
    confirmDeleteProvider: (name) => `Delete the provider “${name}”? Albert stops handing it requests at once.`,
    providerDeleted: (name) => `The provider “${name}” is deleted.`,
    addProvider: 'Add a provider',
    providerId: 'Identifier',
    providerIdHint: 'Lower-case letters, digits and . _ -, for example: albert-dinum',
    invalidProviderId:
      'Lower-case letters, digits and . _ - only, at most 64 characters, starting with a letter or a digit.',
    providerName: 'Name (optional)',
    providerNameHint: 'Shown to agents; the identifier when empty.',
    baseUrl: 'API address',
    baseUrlHint: 'The OpenAI-compatible base address, /v1 included, for example: https://albert.api.etalab.gouv.fr/v1',
    invalidBaseUrl: 'A full address starting with https:// or http://, without credentials, query or fragment.',
    apiKey: 'Secret key (optional)',
    apiKeyHint: 'Sent to the provider with every request. It will never be shown again.',
    operator: 'Operator (optional)',
    operatorHint: 'Who runs this service, for example: DINUM',
    modelLegend: (position, alias) => `Model ${position}${alias ? `: ${alias}` : ''}`,
    modelAlias: 'Alias',
    modelAliasHint: 'The name programs ask for, for example: albert-large',
    invalidAlias: '1 to 128 letters, digits or . _ : / - characters, starting with a letter or a digit.',
    duplicateAlias: 'This provider already serves a model of that name.',
    aliasTypeClash: (type) => `This alias is already a “${type}” model at another provider.`,
    upstream: 'Name at the provider (optional)',
    upstreamHint: 'The alias when empty.',
    modelType: 'Type',
    modelTypeNames: { chat: 'Chat', embeddings: 'Embeddings', rerank: 'Rerank' },
    addModel: 'Add a model',
    removeModel: 'Remove',
    removeModelOf: (alias) => `Remove the model ${alias}`,
    maxConcurrency: 'Concurrent requests at most',
    maxConcurrencyHint: 'Between 1 and 10,000; 16 when empty.',
    invalidConcurrency: 'A whole number between 1 and 10,000.',
    pseudonymisation: 'Pseudonymise personal data before sending it',
    pseudonymisationHint: 'Names, addresses and numbers are replaced by pseudonyms before going to this provider.',
    providerAdded: (name) => `The provider “${name}” is added.`,
    modelsTitle: 'Albert: models',
    modelsIntro:
      'The model names programs and agents ask for, and the providers serving them. Albert picks the least busy of those cleared for the request’s level.',
    alias: 'Model',
    highestClearance: 'Takes data up to',
    servedBy: 'Providers',
    upstreamName: (upstream) => `name at the provider: ${upstream}`,
    noModels: 'No model: add a provider first.',
    quotasTitle: 'Albert: quotas',
    quotasIntro:
      'Limits per organisation or per API key, for one model or all of them. A request keeps to every rule that concerns it.',
    quotasList: 'Quotas in force',
    scope: 'Scope',
    scopeType: 'Apply to',
    scopeOrganisation: 'An organisation',
    scopeApiKey: 'An API key',
    keyScope: 'Key',
    keyOrganisation: 'Organisation of the key',
    keyOrganisationHint: 'To choose among its service keys.',
    serviceKey: 'Key',
    otherKey: 'Another key (type its identifier)',
    keyId: 'Key identifier',
    keyIdHint:
      'The identifier of a service key or a personal API key, for example: 0190c7a4-5b1e-7c3d-9f00-1a2b3c4d5e6f',
    invalidKeyId: 'A 36-character identifier, for example: 0190c7a4-5b1e-7c3d-9f00-1a2b3c4d5e6f',
    model: 'Model',
    allModels: 'All models',
    allModelsInSentence: 'all models',
    requestsPerMinute: 'Requests per minute',
    tokensPerMinute: 'Tokens per minute',
    tokensPerDay: 'Tokens per day',
    limitHint: 'Empty: unlimited.',
    invalidLimit: (max) => `A whole number from 0 to ${max}, or nothing (unlimited).`,
    unlimited: 'Unlimited',
    setQuota: 'Set a quota',
    setQuotaHint: 'A quota with the same scope and model is replaced.',
    saveQuota: 'Save the quota',
    quotaSaved: (scope, model) => `The quota of ${scope} for ${model} is saved.`,
    noQuotas: 'No quota: use is limited by the providers’ capacity only.',
    deleteQuota: 'Delete',
    deleteQuotaOf: (scope, model) => `Delete the quota of ${scope} for ${model}`,
    confirmDeleteQuota: (scope, model) =>
      `Delete the quota of ${scope} for ${model}? This rule stops limiting use at once.`,
    quotaDeleted: (scope, model) => `The quota of ${scope} for ${model} is deleted.`,
    usageTitle: 'Albert: usage',
    usageIntro: 'Requests made to Albert, per day (UTC), organisation and model, and those it refused.',
    period: 'Period',
    lastDays: (days) => `The last ${days} days`,
    noUsage: 'No request to Albert in this period.',
    totals: 'Over the period',
    requests: 'Requests',
    promptTokens: 'Input tokens',
    completionTokens: 'Output tokens',
    refusals: 'Refusals',
    refusalsDetail: (sensitivity, quota) => `${sensitivity} for sensitivity, ${quota} for quota`,
    averageLatency: 'Average duration',
    milliseconds: (value) => `${value} ms`,
    requestsPerDay: 'Requests per day',
    day: 'Day',
    chartMaximum: (value) => `Maximum: ${value}`,
    byOrganisation: 'Per organisation',
    byModel: 'Per model',
    noOrganisation: 'No organisation',
    refusalsBySensitivity: 'Refusals for sensitivity',
    refusalsBySensitivityIntro:
      'Requests whose data went beyond the clearance of every provider of the model: they went to none.',
    level: 'Data level',
    refusalsByQuota: 'Refusals for quota',
    refusalsByQuotaIntro: 'Requests refused because a quota was reached.',
    noRefusals: 'No refusals.',
    impact: {
      title: 'Albert: impact',
      intro:
        'What Albert brings to agents: how many use it, the share of answers backed by sources, their feedback and the most useful sources.',
      organisationFilter: 'Organisation',
      allOrganisations: 'All organisations',
      downloadCsv: 'Download the figures',
      csvDetail: 'CSV – one row per day and organisation',
      periodSummary: (from, to) => `From ${from} to ${to} (UTC days).`,
      noQuestions: 'No question asked to Albert in this period.',
      notAvailable: 'not available',
      none: 'none',
      keyFigures: 'Key figures',
      questions: 'Questions asked',
      activeUsers: 'Active users',
      answeredWithSources: 'Answers backed by sources',
      upRate: 'Positive feedback',
      noAnswerRate: 'Questions without an answer',
      outOf: (count, total) => `${count} of ${total} questions`,
      outOfRated: (up, rated) => `${up} of ${rated} rated answers`,
      latency: 'Median answer time',
      latencyDetail: (p95) => `95% of answers within ${p95}`,
      seconds: (value) => `${value} s`,
      questionsPerDay: 'Questions per day',
      day: 'Day',
      chartMaximum: (value) => `Maximum: ${value}`,
      quality: 'Answer quality',
      qualityIntro:
        'A generated answer cites its sources; an extractive answer quotes passages without a language model. Removed citations are those Bureau could not tie to a source.',
      answers: 'Answers',
      count: 'Count',
      shareOfQuestions: 'Share of questions',
      modeNames: {
        generative: 'Generated by a model',
        extractive: 'Extractive (passages of the sources)',
        noAnswer: 'No answer',
        withSources: 'Backed by at least one source',
        failed: 'Interrupted by an error',
        flagged: 'With at least one citation removed',
      },
      feedback: 'Agents’ feedback',
      feedbackSummary: (rated, share, up, down) =>
        `${rated} answers rated (${share} of questions): ${up} positive, ${down} negative.`,
      reasons: 'Feedback reasons',
      reason: 'Reason',
      polarity: 'Kind of feedback',
      polarityNames: { positive: 'Positive', negative: 'Negative' },
      ratings: 'Ratings',
      reasonNames: {
        clear: 'Clear',
        concise: 'Concise',
        'reliable-sources': 'Reliable sources',
        hallucination: 'Makes things up',
        'missing-sources': 'Missing sources',
        'too-long': 'Too long',
        inconsistent: 'Inconsistent',
        imprecise: 'Imprecise',
        grammar: 'Language mistakes',
      },
      latestComments: 'Latest comments',
      commentsPrivacy: 'Comments are shown without their author’s name or the question asked.',
      noComments: 'No comment in this period.',
      date: 'Date',
      rating: 'Feedback',
      ratingNames: { up: 'Positive', down: 'Negative' },
      comment: 'Comment',
      topSources: 'Most cited sources',
      topSourcesIntro: 'The documents cited in the most answers. Agents’ personal documents are not named.',
      source: 'Source',
      collection: 'Collection',
      answersCiting: 'Answers citing it',
      newWindow: (title) => `${title} – new window`,
      noSources: 'No source cited in this period.',
      topCollections: 'Collections searched',
      topCollectionsIntro: 'The collections where the search found passages, by number of questions.',
      personalCollections: 'Agents’ personal collections (together)',
      byOrganisation: 'Per organisation',
      organisation: 'Organisation',
      noOrganisation: 'No organisation',
      unknownOrganisation: 'Deleted organisation',
      rated: 'Rated answers',
      bySensitivity: 'Per sensitivity level',
      bySensitivityIntro: 'The highest level of the sources used for each answer.',
      level: 'Level',
      byProvider: 'Per model provider',
      provider: 'Provider',
      noModel: 'No model (extractive answer or no answer)',
    },
  },
};

export const adminMessages: Dictionary<AdminMessages> = { fr, en };
