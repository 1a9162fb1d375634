import { defineErrors } from '../errors.ts';

/**
 * Errors of the permission model. `AUTHZ_NOT_FOUND` is also what a subject gets for a resource it may
 * not even see, so that an answer never tells whether a resource it cannot see exists.
 */
export const authzErrors = defineErrors({
  AUTHZ_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Cette ressource n’existe pas ou ne vous est pas accessible.',
    en: 'This resource does not exist or is not available to you.',
  },
  AUTHZ_FORBIDDEN: {
    kind: 'forbidden',
    fr: 'Vous n’avez pas les droits nécessaires pour cette action.',
    en: 'You do not have the rights needed for this action.',
  },
  AUTHZ_RESOURCE_UNKNOWN: {
    kind: 'not_found',
    fr: 'La ressource {type} {id} n’est pas enregistrée.',
    en: 'Resource {type} {id} is not registered.',
  },
  AUTHZ_RESOURCE_EXISTS: {
    kind: 'conflict',
    fr: 'La ressource {type} {id} est déjà enregistrée.',
    en: 'Resource {type} {id} is already registered.',
  },
  AUTHZ_PARENT_NOT_ALLOWED: {
    kind: 'invalid',
    fr: 'Une ressource {type} ne peut pas être placée dans une ressource {parentType}.',
    en: 'A {type} resource cannot be placed in a {parentType} resource.',
  },
  AUTHZ_MOVE_INTO_ITSELF: {
    kind: 'invalid',
    fr: 'Une ressource ne peut pas être déplacée dans elle-même ni dans l’un de ses descendants.',
    en: 'A resource cannot be moved into itself or one of its descendants.',
  },
  AUTHZ_RESOURCE_HAS_CHILDREN: {
    kind: 'conflict',
    fr: 'La ressource {type} {id} contient d’autres ressources : supprimez-les d’abord.',
    en: 'Resource {type} {id} contains other resources: delete them first.',
  },
  AUTHZ_GRANT_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Ce partage n’existe pas.',
    en: 'This share does not exist.',
  },
  AUTHZ_INVALID_PRINCIPAL: {
    kind: 'invalid',
    fr: 'Le bénéficiaire du partage est invalide : {reason}',
    en: 'The recipient of the share is invalid: {reason}',
  },
  AUTHZ_EXPIRY_IN_PAST: {
    kind: 'invalid',
    fr: 'La date d’expiration du partage est déjà passée.',
    en: 'The expiry date of the share has already passed.',
  },
});
