/**
 * Errors with stable codes. Business code throws `AppError`s made by a module's `defineErrors` catalogue;
 * it never chooses an HTTP status. The `kind` says what went wrong in protocol-neutral terms and the
 * HTTP error mapper (platform/http) turns it into a status and the response shape of the surface.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export type Locale = 'fr' | 'en';

export interface ErrorDefinition {
  kind: ErrorKind;
  /** Messages shown to people; `{name}` is replaced by `details.name`. */
  fr: string;
  en: string;
}

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: ErrorDetails | undefined;
  readonly messages: Readonly<Record<Locale, string>>;

  constructor(code: string, definition: ErrorDefinition, details?: ErrorDetails, options?: { cause?: unknown }) {
    const messages = { fr: interpolate(definition.fr, details), en: interpolate(definition.en, details) };
    super(messages.en, options);
    this.name = 'AppError';
    this.code = code;
    this.kind = definition.kind;
    this.details = details;
    this.messages = messages;
  }
}

function interpolate(template: string, details: ErrorDetails | undefined): string {
  if (!details) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = details[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}

export interface ErrorCatalogue<Code extends string> {
  readonly definitions: Readonly<Record<Code, ErrorDefinition>>;
  /** Makes the error of `code`, to be thrown. */
  create(code: Code, details?: ErrorDetails, options?: { cause?: unknown }): AppError;
}

/**
 * The error `code` of `catalogue` whose `{somethingName}` placeholders are filled with `names`, each in the
 * message's language (a level's or a hosting's label in French and in English); the other placeholders
 * come from `details` as usual.
 */
export function localisedError<Code extends string>(
  catalogue: ErrorCatalogue<Code>,
  code: Code,
  details: ErrorDetails,
  names: Readonly<Record<string, string | Readonly<Record<Locale, string>>>>,
): AppError {
  const definition = catalogue.definitions[code];
  const fill = (template: string, locale: Locale) =>
    template.replace(/\{(\w+Name)\}/g, (whole, key: string) => {
      const name = names[key];
      if (name === undefined) return whole;
      return typeof name === 'string' ? name : name[locale];
    });
  return new AppError(
    code,
    { kind: definition.kind, fr: fill(definition.fr, 'fr'), en: fill(definition.en, 'en') },
    details,
  );
}

/** A module's catalogue of error codes (`CHAT_ROOM_NOT_FOUND`...), each with its kind and messages. */
export function defineErrors<const Definitions extends Record<string, ErrorDefinition>>(
  definitions: Definitions,
): ErrorCatalogue<Extract<keyof Definitions, string>> {
  const byCode: Readonly<Record<string, ErrorDefinition>> = definitions;
  return {
    definitions,
    create: (code, details, options) => {
      const definition = byCode[code];
      if (!definition) throw new Error(`Unknown error code ${code}`);
      return new AppError(code, definition, details, options);
    },
  };
}

export const platformErrors = defineErrors({
  NOT_FOUND: { kind: 'not_found', fr: "Cette adresse n'existe pas.", en: 'This address does not exist.' },
  METHOD_NOT_ALLOWED: {
    kind: 'method_not_allowed',
    fr: 'La méthode {method} n’est pas acceptée à cette adresse.',
    en: 'Method {method} is not allowed at this address.',
  },
  VALIDATION_FAILED: {
    kind: 'invalid',
    fr: 'La requête contient des valeurs invalides.',
    en: 'The request contains invalid values.',
  },
  MALFORMED_BODY: {
    kind: 'invalid',
    fr: "Le corps de la requête n'a pas pu être lu : {reason}",
    en: 'The request body could not be read: {reason}',
  },
  PAYLOAD_TOO_LARGE: {
    kind: 'too_large',
    fr: 'La requête dépasse la taille maximale de {limit} octets.',
    en: 'The request exceeds the maximum size of {limit} bytes.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    kind: 'unsupported_media_type',
    fr: 'Le type de contenu {contentType} n’est pas accepté ici.',
    en: 'Content type {contentType} is not accepted here.',
  },
  RATE_LIMITED: {
    kind: 'rate_limited',
    fr: 'Trop de requêtes : réessayez dans {retryAfterSeconds} secondes.',
    en: 'Too many requests: try again in {retryAfterSeconds} seconds.',
  },
  SHUTTING_DOWN: {
    kind: 'unavailable',
    fr: 'Le service redémarre, réessayez dans un instant.',
    en: 'The service is restarting, try again in a moment.',
  },
  NOT_READY: {
    kind: 'unavailable',
    fr: "Le service n'est pas prêt : {reason}",
    en: 'The service is not ready: {reason}',
  },
  INTERNAL_ERROR: {
    kind: 'internal',
    fr: 'Une erreur inattendue est survenue. Référence : {requestId}',
    en: 'An unexpected error occurred. Reference: {requestId}',
  },
  BLOB_NOT_FOUND: { kind: 'not_found', fr: 'Fichier introuvable.', en: 'File not found.' },
  BLOB_INVALID_KEY: { kind: 'invalid', fr: 'Clé de fichier invalide.', en: 'Invalid file key.' },
  JOB_TYPE_UNKNOWN: {
    kind: 'invalid',
    fr: 'Aucune tâche de type {type} n’est déclarée.',
    en: 'No job of type {type} is registered.',
  },
});
