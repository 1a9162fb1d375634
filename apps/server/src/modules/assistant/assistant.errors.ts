import { defineErrors } from '../../platform/errors.ts';

/**
 * Errors of the assistant module (the model gateway first). `{levelName}` placeholders are filled with the
 * level's label in the message's language (`localisedError`); `details` carry the codes, for programs.
 */
export const assistantErrors = defineErrors({
  AI_NO_PROVIDER: {
    kind: 'unavailable',
    fr: 'Aucun fournisseur de modèles n’est configuré sur cette instance : Albert n’est pas disponible.',
    en: 'No model provider is configured on this instance: Albert is not available.',
  },
  AI_MODEL_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Le modèle « {model} » n’est pas proposé par cette instance.',
    en: 'The model “{model}” is not offered by this instance.',
  },
  AI_MODEL_WRONG_TYPE: {
    kind: 'invalid',
    fr: 'Le modèle « {model} » est un modèle de type « {type} » : il ne sert pas cette requête ({expected}).',
    en: 'The model “{model}” is a “{type}” model: it does not serve this request ({expected}).',
  },
  AI_NO_CLEARED_PROVIDER: {
    kind: 'forbidden',
    fr: 'Cette requête porte des données de niveau « {levelName} » : aucun fournisseur du modèle « {model} » n’est habilité à ce niveau. Bureau ne les envoie à aucun modèle.',
    en: 'This request carries data labelled “{levelName}”: no provider of the model “{model}” is cleared for that level. Bureau sends it to no model.',
  },
  AI_SENSITIVITY_INVALID: {
    kind: 'invalid',
    fr: 'Niveau de sensibilité inconnu « {value} » (attendu : public, internal, sensitive ou restricted).',
    en: 'Unknown sensitivity level “{value}” (expected: public, internal, sensitive or restricted).',
  },
  AI_RESOURCE_NOT_READABLE: {
    kind: 'forbidden',
    fr: 'La ressource {type} « {id} » n’existe pas ou vous ne pouvez pas la lire : elle ne peut pas être envoyée à un modèle.',
    en: 'The {type} resource “{id}” does not exist or you may not read it: it cannot be sent to a model.',
  },
  AI_PROVIDERS_BUSY: {
    kind: 'unavailable',
    fr: 'Les fournisseurs du modèle « {model} » sont à pleine capacité ; réessayez dans {retryAfterSeconds} s.',
    en: 'The providers of the model “{model}” are at full capacity; try again in {retryAfterSeconds} s.',
  },
  AI_UPSTREAM_FAILED: {
    kind: 'unavailable',
    fr: 'Le modèle « {model} » n’a pas pu répondre ({reason}).',
    en: 'The model “{model}” could not answer ({reason}).',
  },
  AI_UPSTREAM_REJECTED: {
    kind: 'invalid',
    fr: 'Le modèle « {model} » a refusé la requête ({reason}).',
    en: 'The model “{model}” refused the request ({reason}).',
  },
  AI_REQUEST_INVALID: {
    kind: 'invalid',
    fr: 'Requête invalide : {reason}.',
    en: 'Invalid request: {reason}.',
  },
  AI_QUOTA_EXCEEDED: {
    kind: 'rate_limited',
    fr: 'Quota atteint ({limit} pour {scope}) : réessayez dans {retryAfterSeconds} s.',
    en: 'Quota reached ({limit} for {scope}): try again in {retryAfterSeconds} s.',
  },
  AI_REQUEST_TOO_LARGE: {
    kind: 'rate_limited',
    fr: 'Cette requête ({tokens} jetons) dépasse à elle seule le quota {limit} ({allowed} jetons).',
    en: 'This request ({tokens} tokens) alone exceeds the {limit} quota ({allowed} tokens).',
  },
  AI_PROVIDER_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Aucun fournisseur « {providerId} ».',
    en: 'No provider “{providerId}”.',
  },
  AI_PROVIDER_READ_ONLY: {
    kind: 'conflict',
    fr: 'Le fournisseur « {providerId} » est déclaré dans le fichier de configuration : modifiez le fichier.',
    en: 'The provider “{providerId}” is declared in the configuration file: change the file.',
  },
  AI_PROVIDER_DUPLICATE: {
    kind: 'conflict',
    fr: 'Un fournisseur « {providerId} » existe déjà.',
    en: 'A provider “{providerId}” already exists.',
  },
  AI_COLLECTION_NOT_FOUND: {
    kind: 'not_found',
    fr: 'La collection « {collection} » n’existe pas ou vous ne pouvez pas la lire.',
    en: 'The collection “{collection}” does not exist or you may not read it.',
  },
  AI_QUERY_EMPTY: {
    kind: 'invalid',
    fr: 'La question est vide, ou ne contient que des mots trop courants pour chercher (« le », « de »…).',
    en: 'The question is empty, or holds only words too common to search for (“the”, “of”…).',
  },
  AI_IMPORT_SOURCE_UNKNOWN: {
    kind: 'invalid',
    fr: 'Source d’import inconnue « {source} » (attendu : {expected}).',
    en: 'Unknown import source “{source}” (expected: {expected}).',
  },
  AI_IMPORT_ORIGIN_UNREADABLE: {
    kind: 'invalid',
    fr: 'Impossible de lire « {origin} » pour l’import {source} : {reason}.',
    en: 'Cannot read “{origin}” for the {source} import: {reason}.',
  },
  AI_CONVERSATION_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Conversation introuvable.',
    en: 'Conversation not found.',
  },
  AI_MESSAGE_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Réponse introuvable.',
    en: 'Answer not found.',
  },
  AI_SHARE_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Ce partage n’existe pas sur cette collection.',
    en: 'This share does not exist on this collection.',
  },
  AI_SHARE_OWNER: {
    kind: 'conflict',
    fr: 'Le droit de propriétaire d’une collection ne se retire pas.',
    en: 'A collection’s owner right cannot be removed.',
  },
  AI_IMPORT_RUNNING: {
    kind: 'conflict',
    fr: 'Un import de la collection « {collection} » est déjà en cours dans ce processus.',
    en: 'An import of the collection “{collection}” is already running in this process.',
  },
});

export type AssistantErrorCode = keyof typeof assistantErrors.definitions;
