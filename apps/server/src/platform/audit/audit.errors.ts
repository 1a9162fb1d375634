import { defineErrors } from '../errors.ts';

/**
 * Why the audit log refused an event or a query. An invalid event is a bug of the module recording it
 * (its action name, an identifier, its details); an invalid query comes from the person searching.
 * `details.reason` says more, in English, for developers.
 */
export const auditErrors = defineErrors({
  AUDIT_ACTION_INVALID: {
    kind: 'invalid',
    fr: 'L’action d’audit « {action} » est invalide : attendu module.entité.verbe en minuscules, d’au plus {max} caractères.',
    en: 'The audit action “{action}” is invalid: expected module.entity.verb in lower case, of at most {max} characters.',
  },
  AUDIT_OUTCOME_INVALID: {
    kind: 'invalid',
    fr: 'Le résultat d’audit « {outcome} » est invalide : attendu success, failure ou denied.',
    en: 'The audit outcome “{outcome}” is invalid: expected success, failure or denied.',
  },
  AUDIT_EVENT_INVALID: {
    kind: 'invalid',
    fr: 'Le champ {field} de l’évènement d’audit est invalide : attendu un texte non vide d’au plus {max} caractères.',
    en: 'The {field} field of the audit event is invalid: expected a non-empty text of at most {max} characters.',
  },
  AUDIT_DETAILS_INVALID: {
    kind: 'invalid',
    fr: 'Les détails de l’évènement d’audit doivent être un objet sérialisable en JSON.',
    en: 'The details of the audit event must be an object that serialises to JSON.',
  },
  AUDIT_DETAILS_TOO_LARGE: {
    kind: 'too_large',
    fr: 'Les détails de l’évènement d’audit font {size} octets, au plus {max} sont acceptés.',
    en: 'The details of the audit event take {size} bytes, at most {max} are accepted.',
  },
  AUDIT_RETENTION_TOO_SHORT: {
    kind: 'invalid',
    fr: 'Les événements du journal d’audit se gardent au moins {minimumDays} jours : choisissez une date plus ancienne.',
    en: 'Audit events are kept at least {minimumDays} days: choose an earlier date.',
  },
  AUDIT_QUERY_INVALID: {
    kind: 'invalid',
    fr: 'Le critère {field} de la recherche dans le journal d’audit est invalide.',
    en: 'The {field} criterion of the audit log search is invalid.',
  },
});
