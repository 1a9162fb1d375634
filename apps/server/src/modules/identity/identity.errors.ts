import { defineErrors } from '../../platform/errors.ts';

export const identityErrors = defineErrors({
  IDENTITY_INVALID_CREDENTIALS: {
    kind: 'unauthenticated',
    fr: 'Adresse électronique ou mot de passe incorrect.',
    en: 'Incorrect e-mail address or password.',
  },
  IDENTITY_ACCOUNT_LOCKED: {
    kind: 'rate_limited',
    fr: 'Trop de tentatives de connexion : réessayez dans {retryAfterSeconds} secondes.',
    en: 'Too many sign-in attempts: try again in {retryAfterSeconds} seconds.',
  },
  IDENTITY_NOT_AUTHENTICATED: {
    kind: 'unauthenticated',
    fr: 'Vous devez être connecté.',
    en: 'You must be signed in.',
  },
  IDENTITY_FORBIDDEN: {
    kind: 'forbidden',
    fr: "Vous n'avez pas le droit de faire cette action.",
    en: 'You are not allowed to do this.',
  },
  IDENTITY_SCOPE_MISSING: {
    kind: 'forbidden',
    fr: 'Cette clé d’API n’a pas la portée « {scope} » nécessaire.',
    en: 'This API key lacks the required scope "{scope}".',
  },
  IDENTITY_CSRF_REJECTED: {
    kind: 'forbidden',
    fr: 'Requête refusée : elle ne vient pas de Bureau (origine {origin}).',
    en: 'Request refused: it does not come from Bureau (origin {origin}).',
  },
  IDENTITY_WEAK_PASSWORD: {
    kind: 'invalid',
    fr: 'Mot de passe trop faible : {reason}',
    en: 'Password too weak: {reasonEn}',
  },
  IDENTITY_EMAIL_TAKEN: {
    kind: 'conflict',
    fr: 'Un compte existe déjà avec l’adresse {email}.',
    en: 'An account already exists with the address {email}.',
  },
  IDENTITY_USER_NOT_FOUND: { kind: 'not_found', fr: 'Utilisateur introuvable.', en: 'User not found.' },
  IDENTITY_ORGANISATION_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Organisation introuvable.',
    en: 'Organisation not found.',
  },
  IDENTITY_GROUP_NOT_FOUND: { kind: 'not_found', fr: 'Groupe introuvable.', en: 'Group not found.' },
  IDENTITY_SESSION_NOT_FOUND: { kind: 'not_found', fr: 'Session introuvable.', en: 'Session not found.' },
  IDENTITY_API_KEY_NOT_FOUND: { kind: 'not_found', fr: 'Clé d’API introuvable.', en: 'API key not found.' },
  IDENTITY_DOMAIN_TAKEN: {
    kind: 'conflict',
    fr: 'Le domaine {domain} appartient déjà à une autre organisation.',
    en: 'The domain {domain} already belongs to another organisation.',
  },
  IDENTITY_AGENT_NEEDS_ORGANISATION: {
    kind: 'invalid',
    fr: 'Un agent doit appartenir à une organisation : aucune ne correspond au domaine de {email}.',
    en: 'An agent must belong to an organisation: none matches the domain of {email}.',
  },
  IDENTITY_ORGANISATION_CYCLE: {
    kind: 'invalid',
    fr: 'Une organisation ne peut pas être rattachée à elle-même ni à une de ses sous-organisations.',
    en: 'An organisation cannot be placed under itself or one of its sub-organisations.',
  },
  // --- OIDC single sign-on (oidc.service.ts) ---
  IDENTITY_OIDC_STATE_MISMATCH: {
    kind: 'invalid',
    fr: 'La réponse du fournisseur d’identité ne correspond à aucune connexion ouverte dans ce navigateur (elle a peut-être expiré) : recommencez la connexion.',
    en: 'The identity provider’s response matches no sign-in started in this browser (it may have expired): start signing in again.',
  },
  IDENTITY_OIDC_PROVIDER_ERROR: {
    kind: 'unauthenticated',
    fr: 'Le fournisseur d’identité a refusé la connexion ({error}).',
    en: 'The identity provider refused the sign-in ({error}).',
  },
  IDENTITY_OIDC_TOKEN_REJECTED: {
    kind: 'unauthenticated',
    fr: 'La réponse du fournisseur d’identité n’a pas pu être vérifiée : recommencez la connexion.',
    en: 'The identity provider’s response could not be verified: start signing in again.',
  },
  IDENTITY_OIDC_UNAVAILABLE: {
    kind: 'unavailable',
    fr: 'Le fournisseur d’identité ne répond pas : réessayez dans un instant.',
    en: 'The identity provider does not answer: try again in a moment.',
  },
  IDENTITY_OIDC_EMAIL_UNVERIFIED: {
    kind: 'forbidden',
    fr: 'Le fournisseur d’identité n’a pas transmis d’adresse électronique vérifiée : connexion impossible.',
    en: 'The identity provider sent no verified e-mail address: signing in is not possible.',
  },
  IDENTITY_OIDC_ACCOUNT_DEACTIVATED: {
    kind: 'forbidden',
    fr: 'Le compte Bureau lié à cette identité est désactivé.',
    en: 'The Bureau account linked to this identity is deactivated.',
  },
  IDENTITY_OIDC_NO_PENDING_LINK: {
    kind: 'not_found',
    fr: 'Aucune identité n’attend d’être rattachée dans ce navigateur (la demande a peut-être expiré) : reconnectez-vous.',
    en: 'No identity awaits linking in this browser (the request may have expired): sign in again.',
  },
  IDENTITY_OIDC_IDENTITY_TAKEN: {
    kind: 'conflict',
    fr: 'Cette identité est déjà rattachée à un autre compte.',
    en: 'This identity is already linked to another account.',
  },
  IDENTITY_OIDC_LOGOUT_TOKEN_INVALID: {
    kind: 'invalid',
    fr: 'Jeton de déconnexion invalide : {reason}',
    en: 'Invalid logout token: {reason}',
  },
  // --- end OIDC ---
  IDENTITY_EXPIRY_IN_PAST: {
    kind: 'invalid',
    fr: 'La date d’expiration doit être dans le futur.',
    en: 'The expiry date must be in the future.',
  },
  IDENTITY_MERGE_SAME_ACCOUNT: {
    kind: 'invalid',
    fr: 'Un compte ne peut pas être fusionné avec lui-même.',
    en: 'An account cannot be merged into itself.',
  },
  IDENTITY_MERGE_NOT_ALLOWED: {
    kind: 'conflict',
    fr: 'Ces comptes ne peuvent pas être fusionnés : {reason}',
    en: 'These accounts cannot be merged: {reason}',
  },
});
