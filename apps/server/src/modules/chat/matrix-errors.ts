import type { ErrorPresenter } from '../../platform/http/error-mapper.ts';
import { defineErrors, type AppError, type ErrorDetails } from '../../platform/errors.ts';

/**
 * The errors of the Matrix surface. Their codes are the specification's `errcode`s (client-server-api
 * § "Standard error response"), so the code a client reads is the code Bureau throws; messages are French
 * and English like every Bureau error. `details.matrix` carries the extra top-level fields some errors
 * have (`retry_after_ms`, `soft_logout`, the user-interactive authentication `flows`...).
 */
export const matrixErrors = defineErrors({
  M_FORBIDDEN: { kind: 'forbidden', fr: 'Action interdite : {reason}', en: 'Forbidden: {reason}' },
  M_UNKNOWN_TOKEN: {
    kind: 'unauthenticated',
    fr: "Jeton d'accès inconnu ou révoqué.",
    en: 'Unknown or revoked access token.',
  },
  M_MISSING_TOKEN: { kind: 'unauthenticated', fr: "Jeton d'accès manquant.", en: 'Missing access token.' },
  M_USER_DEACTIVATED: { kind: 'forbidden', fr: 'Ce compte est désactivé.', en: 'This account is deactivated.' },
  M_BAD_JSON: { kind: 'invalid', fr: 'Contenu JSON invalide : {reason}', en: 'Invalid JSON content: {reason}' },
  M_NOT_JSON: { kind: 'invalid', fr: "Le corps de la requête n'est pas du JSON.", en: 'The request body is not JSON.' },
  M_NOT_FOUND: { kind: 'not_found', fr: 'Introuvable : {what}', en: 'Not found: {what}' },
  M_UNRECOGNIZED: {
    kind: 'not_found',
    fr: "Cette adresse de l'API Matrix n'est pas reconnue.",
    en: 'Unrecognized request.',
  },
  M_LIMIT_EXCEEDED: {
    kind: 'rate_limited',
    fr: 'Trop de requêtes : réessayez dans un instant.',
    en: 'Too many requests: try again shortly.',
  },
  M_TOO_LARGE: { kind: 'too_large', fr: 'Contenu trop volumineux : {reason}', en: 'Content too large: {reason}' },
  M_MISSING_PARAM: { kind: 'invalid', fr: 'Paramètre manquant : {param}', en: 'Missing parameter: {param}' },
  M_INVALID_PARAM: { kind: 'invalid', fr: 'Paramètre invalide : {reason}', en: 'Invalid parameter: {reason}' },
  M_USER_IN_USE: { kind: 'invalid', fr: 'Cet identifiant est déjà pris.', en: 'This user ID is taken.' },
  M_INVALID_USERNAME: { kind: 'invalid', fr: "Nom d'utilisateur invalide.", en: 'Invalid user name.' },
  M_ROOM_IN_USE: { kind: 'invalid', fr: 'Cet alias de salon est déjà pris.', en: 'This room alias is taken.' },
  M_DUPLICATE_ANNOTATION: {
    kind: 'invalid',
    fr: 'Vous avez déjà réagi ainsi à ce message.',
    en: 'You already sent this annotation.',
  },
  M_UNSUPPORTED_ROOM_VERSION: {
    kind: 'invalid',
    fr: 'Version de salon non prise en charge : {version}',
    en: 'Unsupported room version: {version}',
  },
  M_INCOMPATIBLE_ROOM_VERSION: {
    kind: 'invalid',
    fr: 'Version de salon incompatible : {version}',
    en: 'Incompatible room version: {version}',
  },
  M_BAD_STATE: { kind: 'invalid', fr: 'État du salon incompatible : {reason}', en: 'Bad state: {reason}' },
  M_GUEST_ACCESS_FORBIDDEN: { kind: 'forbidden', fr: 'Accès invité interdit.', en: 'Guest access forbidden.' },
  M_EXCLUSIVE: { kind: 'invalid', fr: 'Identifiant réservé.', en: 'Reserved identifier.' },
  M_THREEPID_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Aucun compte pour cette adresse.',
    en: 'No account for this address.',
  },
  M_WRONG_ROOM_KEYS_VERSION: {
    kind: 'forbidden',
    fr: 'Version de sauvegarde de clés dépassée.',
    en: 'Wrong room keys version.',
  },
  M_CANNOT_OVERWRITE_MEDIA: {
    kind: 'conflict',
    fr: 'Ce média a déjà été envoyé.',
    en: 'This media has already been uploaded.',
  },
  M_NOT_YET_UPLOADED: {
    kind: 'unavailable',
    fr: "Ce média n'a pas encore été envoyé.",
    en: 'This media has not been uploaded yet.',
  },
  M_UNKNOWN: { kind: 'invalid', fr: 'Requête refusée : {reason}', en: 'Request refused: {reason}' },
  M_UNAUTHORIZED: { kind: 'unauthenticated', fr: 'Authentification requise.', en: 'Authentication required.' },
  M_USER_LOCKED: {
    kind: 'unauthenticated',
    fr: 'Compte verrouillé après trop d’échecs : réessayez plus tard.',
    en: 'Account locked after too many failures: try again later.',
  },
  M_CONTENT_TYPE: {
    kind: 'unsupported_media_type',
    fr: 'Type de contenu refusé : {contentType}',
    en: 'Content type refused: {contentType}',
  },
  /** Tchap (synapse-email-account-validity): every authenticated request of an expired account. */
  ORG_MATRIX_EXPIRED_ACCOUNT: {
    kind: 'forbidden',
    fr: 'Votre compte a expiré : renouvelez-le depuis le lien reçu par courriel.',
    en: 'Your account has expired: renew it from the link sent by e-mail.',
  },
});

export type MatrixErrorCode = keyof typeof matrixErrors.definitions;

/** Throws-ready Matrix error, with extra top-level response fields when the spec defines some. */
export function matrixError(code: MatrixErrorCode, details?: ErrorDetails, extra?: Record<string, unknown>): AppError {
  return matrixErrors.create(code, extra ? { ...details, matrix: extra } : details);
}

const errcodeByPlatformCode: Readonly<Record<string, string>> = {
  NOT_FOUND: 'M_UNRECOGNIZED',
  METHOD_NOT_ALLOWED: 'M_UNRECOGNIZED',
  VALIDATION_FAILED: 'M_BAD_JSON',
  MALFORMED_BODY: 'M_NOT_JSON',
  PAYLOAD_TOO_LARGE: 'M_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'M_NOT_JSON',
  RATE_LIMITED: 'M_LIMIT_EXCEEDED',
  SHUTTING_DOWN: 'M_UNKNOWN',
  NOT_READY: 'M_UNKNOWN',
  INTERNAL_ERROR: 'M_UNKNOWN',
};

const errcodeByKind: Readonly<Record<string, string>> = {
  unauthenticated: 'M_UNKNOWN_TOKEN',
  forbidden: 'M_FORBIDDEN',
  not_found: 'M_NOT_FOUND',
  too_large: 'M_TOO_LARGE',
  rate_limited: 'M_LIMIT_EXCEEDED',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `{"errcode","error"}` for everything under `/_matrix` (and `/.well-known/matrix`): Matrix errors keep
 * their code; platform errors (unknown address, bad JSON, too large, rate limit) get the spec's errcode;
 * other modules' errors (called through Bureau's services) get the errcode of their kind.
 */
export const matrixErrorPresenter: ErrorPresenter = (error, { locale }) => {
  const isMatrix = Object.hasOwn(matrixErrors.definitions, error.code);
  const errcode = isMatrix
    ? error.code
    : (errcodeByPlatformCode[error.code] ?? errcodeByKind[error.kind] ?? 'M_UNKNOWN');
  const extra = isRecord(error.details?.matrix) ? error.details.matrix : {};
  const retryAfterSeconds = error.details?.retryAfterSeconds;
  return {
    body: {
      errcode,
      error: error.messages[locale],
      ...(errcode === 'M_LIMIT_EXCEEDED' && typeof retryAfterSeconds === 'number'
        ? { retry_after_ms: retryAfterSeconds * 1000 }
        : {}),
      ...extra,
    },
  };
};
