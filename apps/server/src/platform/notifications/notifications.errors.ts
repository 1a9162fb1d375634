import { defineErrors } from '../errors.ts';

/** Errors of the notification inbox (platform/notifications). */
export const notificationErrors = defineErrors({
  NOTIFICATION_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Notification introuvable.',
    en: 'Notification not found.',
  },
  NOTIFICATION_TYPE_UNKNOWN: {
    kind: 'invalid',
    fr: 'Aucun type de notification « {type} » n’est déclaré.',
    en: 'No notification type “{type}” is registered.',
  },
  NOTIFICATION_PARAMS_INVALID: {
    kind: 'invalid',
    fr: 'Les paramètres de la notification {type} sont invalides : {reason}',
    en: 'The parameters of notification {type} are invalid: {reason}',
  },
  NOTIFICATION_RECIPIENTS_INVALID: {
    kind: 'invalid',
    fr: 'Les destinataires de la notification sont invalides : {reason}',
    en: 'The recipients of the notification are invalid: {reason}',
  },
  NOTIFICATION_CURSOR_INVALID: {
    kind: 'invalid',
    fr: 'Le curseur de pagination est invalide.',
    en: 'The pagination cursor is invalid.',
  },
  NOTIFICATION_TOO_MANY_STREAMS: {
    kind: 'rate_limited',
    fr: 'Trop de flux de notifications sont ouverts pour ce compte (au plus {max}) : fermez des onglets.',
    en: 'Too many notification streams are open for this account (at most {max}): close some tabs.',
  },
});
