import type { Dictionary } from '../../i18n.tsx';

export interface ChatMessages {
  title: string;
  intro: string;
  homeHint: string;
  keyBackupTitle: string;
  keyBackupLink: string;
  keyBackupIntro: string;
  loading: string;
  keyBackupUnavailable: string;
  keyBackupEnabled: string;
  keyBackupFailed: string;
  recoveryKeyInvalid: string;
  recoveryKeyWrong: string;
  keysRestored: (count: number) => string;
  recoveryKeyTitle: string;
  recoveryKeyHint: string;
  copyRecoveryKey: string;
  keyBackupNone: string;
  enableKeyBackup: string;
  keyBackupActive: string;
  showRecoveryKey: string;
  keyBackupElsewhere: string;
  recoveryKeyLabel: string;
  recoveryKeyFieldHint: string;
  restoreKeys: string;
  restoreHistory: string;
  deviceName: string;
  signingIn: string;
  signInFailed: string;
  connectionFailed: string;
  reconnecting: string;
  retry: string;
  cancel: string;
  save: string;
  saved: string;
  saveFailed: string;
  optional: string;
  you: string;

  // Room names the SDK computes
  emptyRoom: string;
  emptyRoomWas: (oldName: string) => string;
  generatedRoomName: (names: string[], count: number, isInviting: boolean) => string;

  // Conversation list
  conversations: string;
  newConversation: string;
  filterRooms: string;
  invitations: (count: number) => string;
  rooms: string;
  directMessages: string;
  noRooms: string;
  noDirectMessages: string;
  unreadMessages: (count: number, mentions: number) => string;
  preview: (sender: string, text: string) => string;
  myMatrixId: string;
  invited: string;
  invitedBy: (name: string) => string;
  accept: string;
  decline: string;
  acceptInvitationTo: (room: string) => string;
  declineInvitationTo: (room: string) => string;
  acceptFailed: string;
  declineFailed: string;

  // Room
  roomNotFound: string;
  roomNotFoundText: string;
  backToRooms: string;
  backToRoom: (room: string) => string;
  roomSettings: string;
  messagesOf: (room: string) => string;
  messageTo: (room: string) => string;
  encryptionUnsupported: string;
  encryptionInOtherTab: string;
  leftRoom: string;
  loadOlder: string;
  loadingOlder: string;
  loadOlderFailed: string;
  historyStart: string;
  today: string;
  yesterday: string;
  typing: (names: string[]) => string;
  newMessageFrom: (name: string, excerpt: string) => string;

  // Timeline notices
  roomCreated: (who: string) => string;
  roomRenamed: (who: string, name: string) => string;
  roomNameRemoved: (who: string) => string;
  topicChanged: (who: string, topic: string) => string;
  topicRemoved: (who: string) => string;
  encryptionEnabled: (who: string) => string;
  memberJoined: (who: string) => string;
  memberInvited: (who: string, target: string) => string;
  memberLeft: (who: string) => string;
  memberRemoved: (who: string, target: string) => string;
  memberBanned: (who: string, target: string) => string;

  // Messages
  deletedMessage: string;
  encryptedMessage: string;
  undecryptableMessage: string;
  undecryptableExcerpt: string;
  decryptingMessage: string;
  edited: string;
  image: string;
  file: string;
  imageExcerpt: (name: string) => string;
  fileExcerpt: (name: string) => string;
  download: (name: string) => string;
  downloadFailed: string;
  loadingPreview: string;
  previewUnavailable: string;
  inReplyTo: (name: string) => string;
  replyNotLoaded: string;
  reactions: string;
  reactionLabel: (key: string, name: string | undefined, count: number, people: string[]) => string;
  messageActions: (sender: string) => string;
  react: string;
  reply: string;
  replyInThread: string;
  edit: string;
  editLabel: string;
  editFailed: string;
  delete: string;
  confirmDelete: string;
  threadAnswers: (count: number) => string;
  sending: string;
  notSent: string;
  retrySend: string;
  cancelSend: string;
  seenBy: (names: string[]) => string;
  emojiChoice: string;

  // Composer
  composerPlaceholder: string;
  composerHint: string;
  send: string;
  sendFailed: string;
  attachFile: string;
  encryptRoom: string;
  encryptRoomHint: string;
  insertEmoji: string;
  uploading: (name: string, percent: number) => string;
  uploadFailed: (name: string) => string;
  replyingTo: (name: string) => string;
  cancelReply: string;
  mentionSuggestions: string;
  suggestionsCount: (count: number) => string;

  // Threads
  thread: string;
  closeThread: string;
  answerInThread: string;
  threadRootNotLoaded: string;

  // Search
  searchInRoom: string;
  searchHint: string;
  searchResults: (count: number) => string;
  searchFurther: string;

  // New conversation
  newConversationTitle: string;
  conversationKind: string;
  kindRoom: string;
  kindRoomHint: string;
  kindDirect: string;
  kindDirectHint: string;
  roomName: string;
  roomTopic: string;
  roomAccess: string;
  accessPrivate: string;
  accessPrivateHint: string;
  accessPublic: string;
  accessPublicHint: string;
  invitePeople: string;
  directWith: string;
  peoplePickerHint: string;
  searching: string;
  noPeopleFound: string;
  directoryUnavailable: string;
  chosenPeople: string;
  removePerson: (name: string) => string;
  nameRequired: string;
  choosePersonFirst: string;
  createRoom: string;
  startDirect: string;
  createFailed: string;

  // Settings
  settingsOf: (room: string) => string;
  aboutRoom: string;
  members: (count: number) => string;
  membersTable: string;
  person: string;
  membership: string;
  role: string;
  memberJoinedState: string;
  memberInvitedState: string;
  roleAdministrator: string;
  roleModerator: string;
  roleMember: string;
  roleCustom: (level: number) => string;
  roleOf: (name: string) => string;
  roleChangeFailed: string;
  inviteTitle: string;
  invite: string;
  invitationsSent: string;
  inviteFailed: string;
  leaveTitle: string;
  leaveText: string;
  leave: string;
  confirmLeave: (room: string) => string;
  leaveFailed: string;
}

function listFr(names: string[]): string {
  return new Intl.ListFormat('fr', { type: 'conjunction' }).format(names);
}

function listEn(names: string[]): string {
  return new Intl.ListFormat('en', { type: 'conjunction' }).format(names);
}

/** The chat module's texts (French first). */
export const chatMessages: Dictionary<ChatMessages> = {
  fr: {
    title: 'Messagerie',
    intro: 'Échangez avec vos collègues dans des salons et des conversations privées.',
    homeHint: 'Choisissez une conversation dans la liste, ou commencez-en une nouvelle.',
    keyBackupTitle: 'Sauvegarde des clés de chiffrement',
    keyBackupLink: 'Sauvegarde des messages chiffrés',
    keyBackupIntro:
      'Les messages chiffrés ne se lisent qu’avec leurs clés, gardées par chaque navigateur. Leur sauvegarde, chiffrée sur le serveur, permet de relire l’historique depuis un autre navigateur avec votre clé de récupération.',
    loading: 'Chargement…',
    keyBackupUnavailable: 'L’état de la sauvegarde n’a pas pu être lu. Réessayez plus tard.',
    keyBackupEnabled: 'Sauvegarde activée : conservez votre clé de récupération.',
    keyBackupFailed: 'La sauvegarde n’a pas pu être activée. Réessayez.',
    recoveryKeyInvalid: 'Cette clé de récupération n’est pas valide : vérifiez chaque caractère.',
    recoveryKeyWrong: 'Cette clé de récupération ne correspond pas à la sauvegarde.',
    keysRestored: (count) =>
      count === 0 ? 'Aucune clé à restaurer.' : count === 1 ? '1 clé restaurée.' : `${count} clés restaurées.`,
    recoveryKeyTitle: 'Votre clé de récupération',
    recoveryKeyHint:
      'Conservez-la en lieu sûr (gestionnaire de mots de passe) : elle seule permet de relire vos messages chiffrés depuis un autre navigateur. Bureau ne peut pas la retrouver pour vous.',
    copyRecoveryKey: 'Copier la clé',
    keyBackupNone:
      'Aucune sauvegarde : un navigateur connecté plus tard ne lira pas les messages chiffrés reçus avant.',
    enableKeyBackup: 'Activer la sauvegarde',
    keyBackupActive: 'Sauvegarde active : les clés des messages reçus et envoyés dans ce navigateur y sont ajoutées.',
    showRecoveryKey: 'Afficher la clé de récupération',
    keyBackupElsewhere:
      'Une sauvegarde existe, créée depuis un autre appareil : saisissez votre clé de récupération pour relire l’historique ici.',
    recoveryKeyLabel: 'Clé de récupération',
    recoveryKeyFieldHint: '48 caractères par groupes de quatre, espaces compris ou non.',
    restoreKeys: 'Restaurer l’historique',
    restoreHistory: 'Restaurer depuis la sauvegarde',
    deviceName: 'Bureau (navigateur)',
    signingIn: 'Connexion à la messagerie…',
    signInFailed: 'La connexion à la messagerie a échoué.',
    connectionFailed: 'La messagerie est injoignable pour le moment.',
    reconnecting: 'Connexion perdue : nouvelle tentative en cours…',
    retry: 'Réessayer',
    cancel: 'Annuler',
    save: 'Enregistrer',
    saved: 'Modification enregistrée.',
    saveFailed: 'L’enregistrement a échoué.',
    optional: 'Facultatif',
    you: 'vous',

    emptyRoom: 'Salon vide',
    emptyRoomWas: (oldName) => `Salon vide (anciennement ${oldName})`,
    generatedRoomName: (names, count, isInviting) => {
      const others = count - names.length;
      const base = others > 0 ? `${names.join(', ')} et ${others} autre${others > 1 ? 's' : ''}` : listFr(names);
      return isInviting ? `Invitation de ${base}` : base;
    },

    conversations: 'Conversations',
    newConversation: 'Nouvelle conversation',
    filterRooms: 'Filtrer les conversations',
    invitations: (count) => `Invitations (${count})`,
    rooms: 'Salons',
    directMessages: 'Messages directs',
    noRooms: 'Aucun salon pour le moment.',
    noDirectMessages: 'Aucun message direct pour le moment.',
    unreadMessages: (count, mentions) =>
      `${count} message${count > 1 ? 's' : ''} non lu${count > 1 ? 's' : ''}` +
      (mentions > 0 ? `, dont ${mentions} vous mentionnant` : ''),
    preview: (sender, text) => `${sender}\u202f: ${text}`,
    myMatrixId: 'Votre identifiant de messagerie :',
    invited: 'Vous êtes invité·e.',
    invitedBy: (name) => `Invitation de ${name}`,
    accept: 'Accepter',
    decline: 'Refuser',
    acceptInvitationTo: (room) => `Accepter l’invitation à ${room}`,
    declineInvitationTo: (room) => `Refuser l’invitation à ${room}`,
    acceptFailed: 'Impossible de rejoindre la conversation.',
    declineFailed: 'Impossible de refuser l’invitation.',

    roomNotFound: 'Conversation introuvable',
    roomNotFoundText: 'Cette conversation n’existe pas ou vous n’en faites pas partie.',
    backToRooms: 'Retour aux conversations',
    backToRoom: (room) => `Retour à ${room}`,
    roomSettings: 'Paramètres du salon',
    messagesOf: (room) => `Messages de ${room}`,
    messageTo: (room) => `Message à ${room}`,
    encryptionUnsupported:
      'Le chiffrement n’a pas pu démarrer dans ce navigateur : lisez et écrivez dans ce salon avec une application Matrix qui gère le chiffrement (Tchap, Element).',
    encryptionInOtherTab:
      'Les messages chiffrés se lisent dans un seul onglet à la fois : la messagerie est ouverte dans un autre onglet de ce navigateur.',
    leftRoom: 'Vous avez quitté ce salon.',
    loadOlder: 'Afficher les messages précédents',
    loadingOlder: 'Chargement des messages précédents…',
    loadOlderFailed: 'Les messages précédents n’ont pas pu être chargés.',
    historyStart: 'Début de la conversation',
    today: 'Aujourd’hui',
    yesterday: 'Hier',
    typing: (names) =>
      names.length === 1
        ? `${names[0] ?? ''} est en train d’écrire…`
        : names.length <= 3
          ? `${listFr(names)} sont en train d’écrire…`
          : 'Plusieurs personnes sont en train d’écrire…',
    newMessageFrom: (name, excerpt) => `Nouveau message de ${name}\u202f: ${excerpt}`,

    roomCreated: (who) => `${who} a créé le salon`,
    roomRenamed: (who, name) => `${who} a renommé le salon en « ${name} »`,
    roomNameRemoved: (who) => `${who} a retiré le nom du salon`,
    topicChanged: (who, topic) => `${who} a changé le sujet\u202f: ${topic}`,
    topicRemoved: (who) => `${who} a retiré le sujet`,
    encryptionEnabled: (who) => `${who} a activé le chiffrement de bout en bout`,
    memberJoined: (who) => `${who} a rejoint le salon`,
    memberInvited: (who, target) => `${who} a invité ${target}`,
    memberLeft: (who) => `${who} a quitté le salon`,
    memberRemoved: (who, target) => `${who} a retiré ${target} du salon`,
    memberBanned: (who, target) => `${who} a banni ${target}`,

    deletedMessage: 'Message supprimé',
    encryptedMessage: 'Message chiffré : non pris en charge dans ce navigateur',
    undecryptableMessage:
      'Message chiffré illisible sur cet appareil : il a été envoyé avant sa connexion, ou ses clés ne lui ont pas été transmises.',
    decryptingMessage: 'Message chiffré : déchiffrement…',
    undecryptableExcerpt: 'Message chiffré illisible sur cet appareil',
    edited: '(modifié)',
    image: 'Image',
    file: 'Fichier',
    imageExcerpt: (name) => `Image : ${name}`,
    fileExcerpt: (name) => `Fichier : ${name}`,
    download: (name) => `Télécharger ${name}`,
    downloadFailed: 'Le téléchargement a échoué.',
    loadingPreview: 'Chargement de l’aperçu…',
    previewUnavailable: 'Aperçu indisponible',
    inReplyTo: (name) => `En réponse à ${name}\u202f:`,
    replyNotLoaded: 'Message d’origine indisponible',
    reactions: 'Réactions',
    reactionLabel: (key, name, count, people) =>
      `${name ?? key} : ${count} réaction${count > 1 ? 's' : ''} (${listFr(people)})`,
    messageActions: (sender) => `Actions sur le message de ${sender}`,
    react: 'Réagir',
    reply: 'Répondre',
    replyInThread: 'Répondre dans un fil',
    edit: 'Modifier',
    editLabel: 'Modifier le message',
    editFailed: 'La modification n’a pas pu être enregistrée.',
    delete: 'Supprimer',
    confirmDelete: 'Supprimer ce message pour tout le monde ?',
    threadAnswers: (count) => `${count} réponse${count > 1 ? 's' : ''} dans le fil`,
    sending: 'Envoi…',
    notSent: 'Message non envoyé.',
    retrySend: 'Renvoyer',
    cancelSend: 'Abandonner',
    seenBy: (names) => `Vu par ${listFr(names)}`,
    emojiChoice: 'Choisir un emoji',

    composerPlaceholder: 'Écrire un message…',
    composerHint: 'Entrée pour envoyer, Maj + Entrée pour aller à la ligne. Markdown accepté, @ pour mentionner.',
    send: 'Envoyer',
    sendFailed: 'Le message n’a pas pu être envoyé. Il est resté dans le champ.',
    attachFile: 'Joindre un fichier',
    encryptRoom: 'Chiffrer les messages de bout en bout',
    encryptRoomHint:
      'Seuls les participants les liront, sur leurs appareils : ni la recherche, ni Albert, ni les notifications n’en verront le contenu. Le chiffrement ne se retire plus ensuite.',
    insertEmoji: 'Insérer un emoji',
    uploading: (name, percent) => `Envoi de ${name} : ${percent} %`,
    uploadFailed: (name) => `L’envoi de ${name} a échoué (le serveur n’accepte peut-être pas encore les fichiers).`,
    replyingTo: (name) => `Réponse à ${name}\u202f:`,
    cancelReply: 'Annuler la réponse',
    mentionSuggestions: 'Personnes à mentionner',
    suggestionsCount: (count) =>
      `${count} suggestion${count > 1 ? 's' : ''}, flèches haut et bas pour choisir, Entrée pour valider`,

    thread: 'Fil de discussion',
    closeThread: 'Fermer le fil',
    answerInThread: 'Répondre dans le fil',
    threadRootNotLoaded: 'Le message d’origine de ce fil n’est pas chargé.',

    searchInRoom: 'Rechercher dans la conversation',
    searchHint: 'Parmi les messages chargés',
    searchResults: (count) =>
      count === 0 ? 'Aucun message trouvé' : `${count} message${count > 1 ? 's' : ''} trouvé${count > 1 ? 's' : ''}`,
    searchFurther: 'Chercher dans les messages plus anciens',

    newConversationTitle: 'Nouvelle conversation',
    conversationKind: 'Type de conversation',
    kindRoom: 'Salon',
    kindRoomHint: 'Un nom, un sujet, plusieurs personnes',
    kindDirect: 'Message direct',
    kindDirectHint: 'Une conversation privée avec une personne',
    roomName: 'Nom du salon',
    roomTopic: 'Sujet',
    roomAccess: 'Accès',
    accessPrivate: 'Privé',
    accessPrivateHint: 'Sur invitation uniquement',
    accessPublic: 'Public',
    accessPublicHint: 'Toute personne de Bureau peut le trouver et le rejoindre',
    invitePeople: 'Inviter des personnes',
    directWith: 'Avec qui ?',
    peoplePickerHint: 'Nom, ou identifiant de messagerie complet (@prenom.nom:serveur)',
    searching: 'Recherche…',
    noPeopleFound: 'Aucune personne trouvée.',
    directoryUnavailable:
      'La recherche dans l’annuaire n’est pas encore disponible : saisissez l’identifiant complet (@prenom.nom:serveur).',
    chosenPeople: 'Personnes choisies',
    removePerson: (name) => `Retirer ${name}`,
    nameRequired: 'Donnez un nom au salon.',
    choosePersonFirst: 'Choisissez la personne avec qui échanger.',
    createRoom: 'Créer le salon',
    startDirect: 'Commencer la conversation',
    createFailed: 'La conversation n’a pas pu être créée.',

    settingsOf: (room) => `Paramètres de ${room}`,
    aboutRoom: 'Le salon',
    members: (count) => `Membres (${count})`,
    membersTable: 'Membres du salon et leur rôle',
    person: 'Personne',
    membership: 'Statut',
    role: 'Rôle',
    memberJoinedState: 'Membre',
    memberInvitedState: 'Invité·e',
    roleAdministrator: 'Administrateur',
    roleModerator: 'Modérateur',
    roleMember: 'Membre',
    roleCustom: (level) => `Niveau ${level}`,
    roleOf: (name) => `Rôle de ${name}`,
    roleChangeFailed: 'Le rôle n’a pas pu être changé.',
    inviteTitle: 'Inviter',
    invite: 'Inviter',
    invitationsSent: 'Invitations envoyées.',
    inviteFailed: 'L’invitation a échoué.',
    leaveTitle: 'Quitter le salon',
    leaveText: 'Vous ne recevrez plus ses messages ; il faudra une nouvelle invitation pour revenir s’il est privé.',
    leave: 'Quitter le salon',
    confirmLeave: (room) => `Quitter ${room} ?`,
    leaveFailed: 'Impossible de quitter le salon.',
  },
  en: {
    title: 'Chat',
    intro: 'Talk with your colleagues in rooms and private conversations.',
    homeHint: 'Pick a conversation in the list, or start a new one.',
    keyBackupTitle: 'Encryption key backup',
    keyBackupLink: 'Backup of encrypted messages',
    keyBackupIntro:
      'Encrypted messages can only be read with their keys, kept by each browser. Their backup, encrypted on the server, lets you read the history from another browser with your recovery key.',
    loading: 'Loading…',
    keyBackupUnavailable: 'The state of the backup could not be read. Try again later.',
    keyBackupEnabled: 'Backup turned on: keep your recovery key.',
    keyBackupFailed: 'The backup could not be turned on. Try again.',
    recoveryKeyInvalid: 'This recovery key is not valid: check each character.',
    recoveryKeyWrong: 'This recovery key does not match the backup.',
    keysRestored: (count) =>
      count === 0 ? 'No key to restore.' : count === 1 ? '1 key restored.' : `${count} keys restored.`,
    recoveryKeyTitle: 'Your recovery key',
    recoveryKeyHint:
      'Keep it somewhere safe (a password manager): only it lets you read your encrypted messages from another browser. Bureau cannot recover it for you.',
    copyRecoveryKey: 'Copy the key',
    keyBackupNone: 'No backup: a browser signed in later will not read the encrypted messages received before.',
    enableKeyBackup: 'Turn on the backup',
    keyBackupActive: 'Backup on: the keys of the messages received and sent in this browser are added to it.',
    showRecoveryKey: 'Show the recovery key',
    keyBackupElsewhere: 'A backup exists, made from another device: type your recovery key to read the history here.',
    recoveryKeyLabel: 'Recovery key',
    recoveryKeyFieldHint: '48 characters in groups of four, with or without spaces.',
    restoreKeys: 'Restore the history',
    restoreHistory: 'Restore from the backup',
    deviceName: 'Bureau (browser)',
    signingIn: 'Connecting to the chat…',
    signInFailed: 'Connecting to the chat failed.',
    connectionFailed: 'The chat cannot be reached right now.',
    reconnecting: 'Connection lost: trying again…',
    retry: 'Try again',
    cancel: 'Cancel',
    save: 'Save',
    saved: 'Saved.',
    saveFailed: 'Saving failed.',
    optional: 'Optional',
    you: 'you',

    emptyRoom: 'Empty room',
    emptyRoomWas: (oldName) => `Empty room (was ${oldName})`,
    generatedRoomName: (names, count, isInviting) => {
      const others = count - names.length;
      const base = others > 0 ? `${names.join(', ')} and ${others} other${others > 1 ? 's' : ''}` : listEn(names);
      return isInviting ? `Invitation from ${base}` : base;
    },

    conversations: 'Conversations',
    newConversation: 'New conversation',
    filterRooms: 'Filter conversations',
    invitations: (count) => `Invitations (${count})`,
    rooms: 'Rooms',
    directMessages: 'Direct messages',
    noRooms: 'No rooms yet.',
    noDirectMessages: 'No direct messages yet.',
    unreadMessages: (count, mentions) =>
      `${count} unread message${count > 1 ? 's' : ''}` + (mentions > 0 ? `, ${mentions} mentioning you` : ''),
    preview: (sender, text) => `${sender}: ${text}`,
    myMatrixId: 'Your chat ID:',
    invited: 'You are invited.',
    invitedBy: (name) => `Invited by ${name}`,
    accept: 'Accept',
    decline: 'Decline',
    acceptInvitationTo: (room) => `Accept the invitation to ${room}`,
    declineInvitationTo: (room) => `Decline the invitation to ${room}`,
    acceptFailed: 'Could not join the conversation.',
    declineFailed: 'Could not decline the invitation.',

    roomNotFound: 'Conversation not found',
    roomNotFoundText: 'This conversation does not exist or you are not part of it.',
    backToRooms: 'Back to conversations',
    backToRoom: (room) => `Back to ${room}`,
    roomSettings: 'Room settings',
    messagesOf: (room) => `Messages of ${room}`,
    messageTo: (room) => `Message to ${room}`,
    encryptionUnsupported:
      'Encryption could not start in this browser: read and write in this room with a Matrix app that handles encryption (Tchap, Element).',
    encryptionInOtherTab:
      'Encrypted messages are read in one tab at a time: the chat is open in another tab of this browser.',
    leftRoom: 'You left this room.',
    loadOlder: 'Show earlier messages',
    loadingOlder: 'Loading earlier messages…',
    loadOlderFailed: 'Earlier messages could not be loaded.',
    historyStart: 'Start of the conversation',
    today: 'Today',
    yesterday: 'Yesterday',
    typing: (names) =>
      names.length === 1
        ? `${names[0] ?? ''} is typing…`
        : names.length <= 3
          ? `${listEn(names)} are typing…`
          : 'Several people are typing…',
    newMessageFrom: (name, excerpt) => `New message from ${name}: ${excerpt}`,

    roomCreated: (who) => `${who} created the room`,
    roomRenamed: (who, name) => `${who} renamed the room to “${name}”`,
    roomNameRemoved: (who) => `${who} removed the room name`,
    topicChanged: (who, topic) => `${who} changed the topic: ${topic}`,
    topicRemoved: (who) => `${who} removed the topic`,
    encryptionEnabled: (who) => `${who} turned on end-to-end encryption`,
    memberJoined: (who) => `${who} joined the room`,
    memberInvited: (who, target) => `${who} invited ${target}`,
    memberLeft: (who) => `${who} left the room`,
    memberRemoved: (who, target) => `${who} removed ${target} from the room`,
    memberBanned: (who, target) => `${who} banned ${target}`,

    deletedMessage: 'Message deleted',
    encryptedMessage: 'Encrypted message: not supported in this browser',
    undecryptableMessage:
      'Encrypted message this device cannot read: it was sent before it signed in, or its keys were not shared with it.',
    decryptingMessage: 'Encrypted message: decrypting…',
    undecryptableExcerpt: 'Encrypted message this device cannot read',
    edited: '(edited)',
    image: 'Image',
    file: 'File',
    imageExcerpt: (name) => `Image: ${name}`,
    fileExcerpt: (name) => `File: ${name}`,
    download: (name) => `Download ${name}`,
    downloadFailed: 'The download failed.',
    loadingPreview: 'Loading the preview…',
    previewUnavailable: 'Preview unavailable',
    inReplyTo: (name) => `In reply to ${name}:`,
    replyNotLoaded: 'Original message unavailable',
    reactions: 'Reactions',
    reactionLabel: (key, name, count, people) =>
      `${name ?? key}: ${count} reaction${count > 1 ? 's' : ''} (${listEn(people)})`,
    messageActions: (sender) => `Actions on the message from ${sender}`,
    react: 'React',
    reply: 'Reply',
    replyInThread: 'Reply in a thread',
    edit: 'Edit',
    editLabel: 'Edit the message',
    editFailed: 'The edit could not be saved.',
    delete: 'Delete',
    confirmDelete: 'Delete this message for everyone?',
    threadAnswers: (count) => `${count} ${count > 1 ? 'replies' : 'reply'} in the thread`,
    sending: 'Sending…',
    notSent: 'Message not sent.',
    retrySend: 'Send again',
    cancelSend: 'Discard',
    seenBy: (names) => `Seen by ${listEn(names)}`,
    emojiChoice: 'Pick an emoji',

    composerPlaceholder: 'Write a message…',
    composerHint: 'Enter to send, Shift + Enter for a new line. Markdown accepted, @ to mention.',
    send: 'Send',
    sendFailed: 'The message could not be sent. It is still in the field.',
    attachFile: 'Attach a file',
    encryptRoom: 'Encrypt messages end to end',
    encryptRoomHint:
      'Only the participants will read them, on their devices: neither search, nor Albert, nor notifications will see their content. Encryption cannot be turned off afterwards.',
    insertEmoji: 'Insert an emoji',
    uploading: (name, percent) => `Sending ${name}: ${percent}%`,
    uploadFailed: (name) => `Sending ${name} failed (the server may not accept files yet).`,
    replyingTo: (name) => `Replying to ${name}:`,
    cancelReply: 'Cancel the reply',
    mentionSuggestions: 'People to mention',
    suggestionsCount: (count) =>
      `${count} suggestion${count > 1 ? 's' : ''}, up and down arrows to choose, Enter to pick`,

    thread: 'Thread',
    closeThread: 'Close the thread',
    answerInThread: 'Reply in the thread',
    threadRootNotLoaded: 'The thread’s first message is not loaded.',

    searchInRoom: 'Search the conversation',
    searchHint: 'Among the loaded messages',
    searchResults: (count) => (count === 0 ? 'No message found' : `${count} message${count > 1 ? 's' : ''} found`),
    searchFurther: 'Search earlier messages',

    newConversationTitle: 'New conversation',
    conversationKind: 'Kind of conversation',
    kindRoom: 'Room',
    kindRoomHint: 'A name, a topic, several people',
    kindDirect: 'Direct message',
    kindDirectHint: 'A private conversation with one person',
    roomName: 'Room name',
    roomTopic: 'Topic',
    roomAccess: 'Access',
    accessPrivate: 'Private',
    accessPrivateHint: 'By invitation only',
    accessPublic: 'Public',
    accessPublicHint: 'Anyone in Bureau can find and join it',
    invitePeople: 'Invite people',
    directWith: 'With whom?',
    peoplePickerHint: 'Name, or full chat ID (@first.last:server)',
    searching: 'Searching…',
    noPeopleFound: 'Nobody found.',
    directoryUnavailable: 'Directory search is not available yet: type the full chat ID (@first.last:server).',
    chosenPeople: 'People chosen',
    removePerson: (name) => `Remove ${name}`,
    nameRequired: 'Give the room a name.',
    choosePersonFirst: 'Choose the person to talk with.',
    createRoom: 'Create the room',
    startDirect: 'Start the conversation',
    createFailed: 'The conversation could not be created.',

    settingsOf: (room) => `Settings of ${room}`,
    aboutRoom: 'The room',
    members: (count) => `Members (${count})`,
    membersTable: 'Room members and their role',
    person: 'Person',
    membership: 'Status',
    role: 'Role',
    memberJoinedState: 'Member',
    memberInvitedState: 'Invited',
    roleAdministrator: 'Administrator',
    roleModerator: 'Moderator',
    roleMember: 'Member',
    roleCustom: (level) => `Level ${level}`,
    roleOf: (name) => `Role of ${name}`,
    roleChangeFailed: 'The role could not be changed.',
    inviteTitle: 'Invite',
    invite: 'Invite',
    invitationsSent: 'Invitations sent.',
    inviteFailed: 'The invitation failed.',
    leaveTitle: 'Leave the room',
    leaveText: 'You will no longer receive its messages; a private room needs a new invitation to come back.',
    leave: 'Leave the room',
    confirmLeave: (room) => `Leave ${room}?`,
    leaveFailed: 'Could not leave the room.',
  },
};
