import type { Dictionary } from '../../i18n.tsx';

export interface AccountMessages {
  section: string;
  profileTitle: string;
  profileIntro: string;
  email: string;
  organisation: string;
  kindAgent: string;
  kindExternal: string;
  accountKind: string;
  displayName: string;
  jobTitle: string;
  phone: string;
  phoneHint: string;
  save: string;
  saved: string;
  avatar: string;
  avatarHint: string;
  avatarSaved: string;
  sessionsTitle: string;
  sessionsIntro: string;
  sessionDevice: string;
  sessionMethod: string;
  sessionCreated: string;
  sessionLastSeen: string;
  sessionIp: string;
  current: string;
  revoke: string;
  revokeSession: (device: string) => string;
  unknownDevice: string;
  methodPassword: string;
  methodOidc: string;
  noSessions: string;
  apiKeysTitle: string;
  apiKeysIntro: string;
  keyName: string;
  keyScopes: string;
  keyExpires: string;
  keyExpiresHint: string;
  keyCreated: string;
  keyLastUsed: string;
  never: string;
  createKey: string;
  newKeyTitle: string;
  newKeyWarning: string;
  revokeKey: (name: string) => string;
  noKeys: string;
  scopeNames: Record<string, string>;
  preferencesTitle: string;
  preferencesIntro: string;
  inApp: string;
  byEmail: string;
  notificationType: string;
  digest: string;
  digestOff: string;
  digestDaily: string;
  digestWeekly: string;
}

const fr: AccountMessages = {
  section: 'Mon compte',
  profileTitle: 'Mon profil',
  profileIntro: 'Ces informations sont visibles des agents de l’annuaire.',
  email: 'Adresse électronique',
  organisation: 'Organisation',
  kindAgent: 'Agent',
  kindExternal: 'Partenaire externe',
  accountKind: 'Type de compte',
  displayName: 'Nom affiché',
  jobTitle: 'Fonction',
  phone: 'Téléphone',
  phoneHint: 'Format attendu : 01 23 45 67 89 ou +33 1 23 45 67 89',
  save: 'Enregistrer',
  saved: 'Votre profil est enregistré.',
  avatar: 'Photo',
  avatarHint: 'Image PNG, JPEG ou WebP, 2 Mo au plus.',
  avatarSaved: 'Votre photo est enregistrée.',
  sessionsTitle: 'Mes sessions',
  sessionsIntro: 'Les appareils connectés à votre compte. Fermez toute session que vous ne reconnaissez pas.',
  sessionDevice: 'Appareil',
  sessionMethod: 'Connexion',
  sessionCreated: 'Ouverte le',
  sessionLastSeen: 'Dernière activité',
  sessionIp: 'Adresse IP',
  current: 'Cette session',
  revoke: 'Fermer',
  revokeSession: (device) => `Fermer la session ${device}`,
  unknownDevice: 'Appareil inconnu',
  methodPassword: 'Mot de passe',
  methodOidc: 'Fournisseur d’identité',
  noSessions: 'Aucune session ouverte.',
  apiKeysTitle: 'Mes clés d’API',
  apiKeysIntro:
    'Les clés d’API permettent à des programmes d’agir en votre nom, dans la limite des droits choisis. Bureau ne garde pas leur secret.',
  keyName: 'Nom de la clé',
  keyScopes: 'Droits',
  keyExpires: 'Date d’expiration (facultatif)',
  keyExpiresHint: 'Sans date, la clé reste valable jusqu’à sa révocation.',
  keyCreated: 'Créée le',
  keyLastUsed: 'Dernière utilisation',
  never: 'Jamais',
  createKey: 'Créer la clé',
  newKeyTitle: 'Votre nouvelle clé',
  newKeyWarning: 'Copiez-la maintenant : elle ne sera plus jamais affichée.',
  revokeKey: (name) => `Révoquer la clé ${name}`,
  noKeys: 'Vous n’avez aucune clé d’API.',
  scopeNames: {
    ai: 'Albert (IA)',
    chat: 'Messagerie',
    'docs:read': 'Documents (lecture)',
    'docs:write': 'Documents (écriture)',
    files: 'Fichiers',
    procedures: 'Démarches',
    admin: 'Administration',
  },
  preferencesTitle: 'Préférences de notification',
  preferencesIntro: 'Choisissez comment Bureau vous prévient, type par type.',
  inApp: 'Dans Bureau',
  byEmail: 'Par courriel',
  notificationType: 'Type de notification',
  digest: 'Récapitulatif par courriel',
  digestOff: 'Aucun',
  digestDaily: 'Quotidien',
  digestWeekly: 'Hebdomadaire',
};

const en: AccountMessages = {
  section: 'My account',
  profileTitle: 'My profile',
  profileIntro: 'Agents see this information in the directory.',
  email: 'E-mail address',
  organisation: 'Organisation',
  kindAgent: 'Agent',
  kindExternal: 'External partner',
  accountKind: 'Account type',
  displayName: 'Display name',
  jobTitle: 'Job title',
  phone: 'Phone',
  phoneHint: 'Expected format: 01 23 45 67 89 or +33 1 23 45 67 89',
  save: 'Save',
  saved: 'Your profile is saved.',
  avatar: 'Picture',
  avatarHint: 'PNG, JPEG or WebP image, at most 2 MB.',
  avatarSaved: 'Your picture is saved.',
  sessionsTitle: 'My sessions',
  sessionsIntro: 'The devices signed in to your account. End any session you do not recognise.',
  sessionDevice: 'Device',
  sessionMethod: 'Sign-in',
  sessionCreated: 'Opened on',
  sessionLastSeen: 'Last activity',
  sessionIp: 'IP address',
  current: 'This session',
  revoke: 'End',
  revokeSession: (device) => `End the session ${device}`,
  unknownDevice: 'Unknown device',
  methodPassword: 'Password',
  methodOidc: 'Identity provider',
  noSessions: 'No open sessions.',
  apiKeysTitle: 'My API keys',
  apiKeysIntro:
    'API keys let programs act on your behalf, within the rights you choose. Bureau does not keep their secret.',
  keyName: 'Key name',
  keyScopes: 'Rights',
  keyExpires: 'Expiry date (optional)',
  keyExpiresHint: 'Without a date, the key stays valid until revoked.',
  keyCreated: 'Created on',
  keyLastUsed: 'Last used',
  never: 'Never',
  createKey: 'Create the key',
  newKeyTitle: 'Your new key',
  newKeyWarning: 'Copy it now: it will never be shown again.',
  revokeKey: (name) => `Revoke the key ${name}`,
  noKeys: 'You have no API keys.',
  scopeNames: {
    ai: 'Albert (AI)',
    chat: 'Chat',
    'docs:read': 'Documents (read)',
    'docs:write': 'Documents (write)',
    files: 'Files',
    procedures: 'Procedures',
    admin: 'Administration',
  },
  preferencesTitle: 'Notification settings',
  preferencesIntro: 'Choose how Bureau tells you, type by type.',
  inApp: 'In Bureau',
  byEmail: 'By e-mail',
  notificationType: 'Notification type',
  digest: 'E-mail digest',
  digestOff: 'None',
  digestDaily: 'Daily',
  digestWeekly: 'Weekly',
};

export const accountMessages: Dictionary<AccountMessages> = { fr, en };
