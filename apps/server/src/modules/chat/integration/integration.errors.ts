import { defineErrors } from '../../../platform/errors.ts';

/** Errors of the chat's Bureau API (`/api/chat/...`, `/api/admin/chat/...`); the Matrix surface maps them by kind. */
export const chatIntegrationErrors = defineErrors({
  CHAT_ROOM_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Salon introuvable, ou vous n’en êtes pas membre.',
    en: 'Room not found, or you are not one of its members.',
  },
  CHAT_ROOM_LABEL_FORBIDDEN: {
    kind: 'forbidden',
    fr: 'Seuls les administrateurs du salon peuvent changer son niveau de sensibilité.',
    en: 'Only the room’s administrators may change its sensitivity level.',
  },
  CHAT_ROOM_LABEL_REFUSED: {
    kind: 'forbidden',
    fr: 'Le salon a refusé ce niveau de sensibilité : {reason}',
    en: 'The room refused this sensitivity level: {reason}',
  },
  CHAT_ACCOUNT_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Cet utilisateur n’a pas de compte de messagerie.',
    en: 'This user has no chat account.',
  },
});
