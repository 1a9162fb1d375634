import { defineErrors } from '../errors.ts';

/** Why a message given to `MailService.send` was refused. */
export const mailErrors = defineErrors({
  MAIL_NO_RECIPIENT: {
    kind: 'invalid',
    fr: 'Le message n’a aucun destinataire.',
    en: 'The message has no recipient.',
  },
  MAIL_TOO_MANY_RECIPIENTS: {
    kind: 'invalid',
    fr: 'Le message a trop de destinataires (au plus {max}).',
    en: 'The message has too many recipients (at most {max}).',
  },
  MAIL_INVALID_RECIPIENT: {
    kind: 'invalid',
    fr: '« {address} » n’est pas une adresse électronique valide.',
    en: '“{address}” is not a valid e-mail address.',
  },
  MAIL_INVALID_REPLY_TO: {
    kind: 'invalid',
    fr: 'L’adresse de réponse « {address} » n’est pas une adresse électronique valide.',
    en: 'The reply-to address “{address}” is not a valid e-mail address.',
  },
  MAIL_INVALID_MESSAGE: {
    kind: 'invalid',
    fr: 'Le champ {field} du message est invalide : {reason}',
    en: 'The {field} field of the message is invalid: {reason}',
  },
});
