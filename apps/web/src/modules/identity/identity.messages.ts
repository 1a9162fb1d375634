import type { Dictionary } from '../../i18n.tsx';

export interface IdentityMessages {
  loginTitle: string;
  loginIntro: (instance: string) => string;
  withProvider: (provider: string) => string;
  or: string;
  passwordLoginTitle: string;
  email: string;
  emailHint: string;
  password: string;
  submitLogin: string;
  signingIn: string;
  forgotPassword: string;
  ssoError: (code: string) => string;
  ssoUnavailable: string;
  linkTitle: string;
  linkIntro: (email: string, provider: string) => string;
  linkSubmit: string;
  forgottenTitle: string;
  forgottenIntro: string;
  forgottenSubmit: string;
  forgottenSent: string;
  backToLogin: string;
  newPasswordTitle: string;
  newPasswordIntro: string;
  newPassword: string;
  newPasswordHint: string;
  confirmPassword: string;
  passwordsDiffer: string;
  newPasswordSubmit: string;
  newPasswordDone: string;
  missingToken: string;
  invitationTitle: string;
  invitationIntro: (email: string, organisation: string | null, invitedBy: string | null) => string;
  invitationExpires: (date: string) => string;
  displayName: string;
  acceptInvitation: string;
}

const ssoErrorsFr: Record<string, string> = {
  IDENTITY_OIDC_STATE_MISMATCH: 'La connexion a expiré ou a été ouverte dans un autre navigateur. Recommencez.',
  IDENTITY_OIDC_ACCOUNT_DEACTIVATED: 'Votre compte est désactivé. Contactez votre administrateur.',
  IDENTITY_OIDC_EMAIL_UNVERIFIED: 'Votre fournisseur d’identité n’a pas vérifié votre adresse électronique.',
  IDENTITY_OIDC_PROVIDER_UNREACHABLE: 'Le fournisseur d’identité ne répond pas. Réessayez plus tard.',
};
const ssoErrorsEn: Record<string, string> = {
  IDENTITY_OIDC_STATE_MISMATCH: 'The sign-in expired or was opened in another browser. Start again.',
  IDENTITY_OIDC_ACCOUNT_DEACTIVATED: 'Your account is deactivated. Contact your administrator.',
  IDENTITY_OIDC_EMAIL_UNVERIFIED: 'Your identity provider has not verified your e-mail address.',
  IDENTITY_OIDC_PROVIDER_UNREACHABLE: 'The identity provider does not answer. Try again later.',
};

const fr: IdentityMessages = {
  loginTitle: 'Connexion à Bureau',
  loginIntro: (instance) => `Connectez-vous à l’espace de travail de ${instance}.`,
  withProvider: (provider) => `Se connecter avec ${provider}`,
  or: 'ou',
  passwordLoginTitle: 'Se connecter avec son adresse électronique',
  email: 'Adresse électronique',
  emailHint: 'Format attendu : nom@domaine.fr',
  password: 'Mot de passe',
  submitLogin: 'Se connecter',
  signingIn: 'Connexion…',
  forgotPassword: 'Mot de passe oublié ?',
  ssoError: (code) => ssoErrorsFr[code] ?? 'La connexion par le fournisseur d’identité a échoué. Réessayez.',
  ssoUnavailable: 'Aucune session n’est ouverte auprès du fournisseur d’identité.',
  linkTitle: 'Lier votre identité à votre compte',
  linkIntro: (email, provider) =>
    `Un compte Bureau existe déjà pour ${email}. Saisissez son mot de passe pour y lier votre identité ${provider}.`,
  linkSubmit: 'Lier et se connecter',
  forgottenTitle: 'Mot de passe oublié',
  forgottenIntro:
    'Saisissez votre adresse électronique : si un compte y correspond, vous recevrez un lien pour choisir un nouveau mot de passe.',
  forgottenSubmit: 'Recevoir le lien',
  forgottenSent:
    'Si un compte correspond à cette adresse, un courriel vient de lui être envoyé. Le lien est valable une heure.',
  backToLogin: 'Retour à la connexion',
  newPasswordTitle: 'Choisir un mot de passe',
  newPasswordIntro: 'Choisissez le mot de passe de votre compte Bureau.',
  newPassword: 'Nouveau mot de passe',
  newPasswordHint: 'Au moins 12 caractères. Une phrase facile à retenir convient très bien.',
  confirmPassword: 'Confirmer le mot de passe',
  passwordsDiffer: 'Les deux mots de passe ne sont pas identiques.',
  newPasswordSubmit: 'Enregistrer le mot de passe',
  newPasswordDone: 'Votre mot de passe est enregistré. Vous pouvez vous connecter.',
  missingToken: 'Ce lien est incomplet. Utilisez le lien reçu par courriel.',
  invitationTitle: 'Rejoindre Bureau',
  invitationIntro: (email, organisation, invitedBy) =>
    `${invitedBy ?? 'Un administrateur'} vous invite à rejoindre Bureau${organisation ? ` (${organisation})` : ''} avec l’adresse ${email}.`,
  invitationExpires: (date) => `Invitation valable jusqu’au ${date}.`,
  displayName: 'Nom affiché',
  acceptInvitation: 'Créer mon compte',
};

const en: IdentityMessages = {
  loginTitle: 'Sign in to Bureau',
  loginIntro: (instance) => `Sign in to the workplace of ${instance}.`,
  withProvider: (provider) => `Sign in with ${provider}`,
  or: 'or',
  passwordLoginTitle: 'Sign in with your e-mail address',
  email: 'E-mail address',
  emailHint: 'Expected format: name@domain.fr',
  password: 'Password',
  submitLogin: 'Sign in',
  signingIn: 'Signing in…',
  forgotPassword: 'Forgot your password?',
  ssoError: (code) => ssoErrorsEn[code] ?? 'Signing in through the identity provider failed. Try again.',
  ssoUnavailable: 'No session is open at the identity provider.',
  linkTitle: 'Link your identity to your account',
  linkIntro: (email, provider) =>
    `A Bureau account already exists for ${email}. Enter its password to link your ${provider} identity to it.`,
  linkSubmit: 'Link and sign in',
  forgottenTitle: 'Forgotten password',
  forgottenIntro:
    'Enter your e-mail address: if an account matches it, you will receive a link to choose a new password.',
  forgottenSubmit: 'Send me the link',
  forgottenSent:
    'If an account matches this address, an e-mail has just been sent to it. The link is valid for one hour.',
  backToLogin: 'Back to sign-in',
  newPasswordTitle: 'Choose a password',
  newPasswordIntro: 'Choose the password of your Bureau account.',
  newPassword: 'New password',
  newPasswordHint: 'At least 12 characters. A sentence that is easy to remember works well.',
  confirmPassword: 'Confirm the password',
  passwordsDiffer: 'The two passwords differ.',
  newPasswordSubmit: 'Save the password',
  newPasswordDone: 'Your password is saved. You can sign in.',
  missingToken: 'This link is incomplete. Use the link you received by e-mail.',
  invitationTitle: 'Join Bureau',
  invitationIntro: (email, organisation, invitedBy) =>
    `${invitedBy ?? 'An administrator'} invites you to join Bureau${organisation ? ` (${organisation})` : ''} with the address ${email}.`,
  invitationExpires: (date) => `Invitation valid until ${date}.`,
  displayName: 'Display name',
  acceptInvitation: 'Create my account',
};

export const identityMessages: Dictionary<IdentityMessages> = { fr, en };
