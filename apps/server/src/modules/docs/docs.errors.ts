import { defineErrors } from '../../platform/errors.ts';

/** Errors of the documents module: stable codes, French and English messages. */
export const docsErrors = defineErrors({
  DOCS_SPACE_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Cet espace n’existe pas ou vous n’y avez pas accès.',
    en: 'This space does not exist or you do not have access to it.',
  },
  DOCS_DOCUMENT_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Ce document n’existe pas ou vous n’y avez pas accès.',
    en: 'This document does not exist or you do not have access to it.',
  },
  DOCS_PARENT_INVALID: {
    kind: 'invalid',
    fr: 'Le document parent doit appartenir au même espace, ne pas être dans la corbeille, et ne pas être le document lui-même ni l’un de ses sous-documents.',
    en: 'The parent document must be in the same space, not in the trash, and be neither the document itself nor one of its sub-documents.',
  },
  DOCS_SIBLING_INVALID: {
    kind: 'invalid',
    fr: 'Le document avant lequel placer celui-ci doit avoir le même parent.',
    en: 'The document to place this one before must have the same parent.',
  },
  DOCS_IN_TRASH: {
    kind: 'conflict',
    fr: 'Ce document est dans la corbeille : restaurez-le d’abord.',
    en: 'This document is in the trash: restore it first.',
  },
  DOCS_NOT_IN_TRASH: {
    kind: 'conflict',
    fr: 'Ce document n’est pas dans la corbeille.',
    en: 'This document is not in the trash.',
  },
  DOCS_PERSONAL_SPACE: {
    kind: 'invalid',
    fr: 'Un espace personnel ne se partage pas : créez un espace partagé, ou partagez les documents un par un.',
    en: 'A personal space cannot be shared: create a shared space, or share documents one by one.',
  },
  DOCS_SPACE_NOT_EMPTY: {
    kind: 'conflict',
    fr: 'Cet espace contient encore {count} page(s) : déplacez-les ou mettez-les à la corbeille avant de le supprimer.',
    en: 'This space still holds {count} page(s): move them or send them to the trash before deleting it.',
  },
  DOCS_PERSONAL_SPACE_KEPT: {
    kind: 'invalid',
    fr: 'Un espace personnel ne se supprime pas : il disparaît avec le compte.',
    en: 'A personal space cannot be deleted: it goes with the account.',
  },
  DOCS_SHARE_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Ce partage n’existe pas sur cet objet.',
    en: 'This share does not exist on this object.',
  },
  DOCS_SHARE_LAST_OWNER: {
    kind: 'conflict',
    fr: 'Il doit rester au moins un propriétaire.',
    en: 'There must remain at least one owner.',
  },
  DOCS_SHARE_PUBLIC_ROLE: {
    kind: 'invalid',
    fr: 'Un lien ouvert à tous (sans connexion) ne donne que la lecture.',
    en: 'A link open to anyone (without signing in) gives read access only.',
  },
  DOCS_SHARE_EXPIRY_INVALID: {
    kind: 'invalid',
    fr: 'La date d’expiration doit être dans le futur, et à moins de {maxDays} jours.',
    en: 'The expiry date must be in the future, and less than {maxDays} days away.',
  },
  DOCS_PRINCIPAL_NOT_FOUND: {
    kind: 'invalid',
    fr: 'La personne, le groupe ou l’unité à qui partager n’existe pas.',
    en: 'The person, group or unit to share with does not exist.',
  },
  DOCS_VERSION_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Cette version n’existe pas.',
    en: 'This version does not exist.',
  },
  DOCS_TEMPLATE_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Ce modèle n’existe pas ou vous n’y avez pas accès.',
    en: 'This template does not exist or you do not have access to it.',
  },
  DOCS_TEMPLATE_NO_ORGANISATION: {
    kind: 'invalid',
    fr: 'Cet espace n’appartient à aucune unité : le modèle ne peut être proposé qu’à l’espace.',
    en: 'This space belongs to no organisation unit: the template can only be offered to the space.',
  },
  DOCS_DOCUMENT_TOO_LARGE: {
    kind: 'too_large',
    fr: 'Ce document dépasse la taille maximale ({maxMegabytes} Mo).',
    en: 'This document exceeds the maximum size ({maxMegabytes} MB).',
  },
  DOCS_IMPORT_UNSUPPORTED: {
    kind: 'invalid',
    fr: 'Format non pris en charge pour l’import : Markdown (.md), HTML (.html), Word (.docx) ou OpenDocument (.odt).',
    en: 'Unsupported import format: Markdown (.md), HTML (.html), Word (.docx) or OpenDocument (.odt).',
  },
  DOCS_IMPORT_CORRUPT: {
    kind: 'invalid',
    fr: 'Le fichier « {fileName} » est illisible ou endommagé.',
    en: 'The file “{fileName}” is unreadable or damaged.',
  },
  DOCS_IMPORT_EMPTY: {
    kind: 'invalid',
    fr: 'Le fichier « {fileName} » ne contient pas de texte.',
    en: 'The file “{fileName}” contains no text.',
  },
  DOCS_IMPORT_TOO_LARGE: {
    kind: 'too_large',
    fr: 'Le fichier dépasse la taille maximale d’import ({maxMegabytes} Mo).',
    en: 'The file exceeds the maximum import size ({maxMegabytes} MB).',
  },
  DOCS_EXPORT_FAILED: {
    kind: 'unavailable',
    fr: 'L’export au format {format} a échoué ; réessayez ou choisissez un autre format.',
    en: 'The export to {format} failed; try again or choose another format.',
  },
  DOCS_COMMENT_FORBIDDEN: {
    kind: 'forbidden',
    fr: 'Vous ne pouvez pas faire cela sur ce commentaire : il faut pouvoir commenter la page, et certains gestes sont réservés à l’auteur du commentaire ou aux éditeurs.',
    en: 'You may not do that to this comment: you must be allowed to comment on the page, and some actions are for the comment’s author or editors only.',
  },
  DOCS_VERSIONS_SIGN_IN_REQUIRED: {
    kind: 'unauthenticated',
    fr: 'L’historique d’une page est réservé aux personnes connectées qui peuvent la lire : un lien public ne donne que sa version actuelle.',
    en: 'A page’s history is for signed-in people who may read it: a public link gives its current version only.',
  },
  DOCS_THREAD_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Cette discussion ou ce commentaire n’existe pas.',
    en: 'This thread or comment does not exist.',
  },
  DOCS_COMMENT_ANCHOR_INVALID: {
    kind: 'invalid',
    fr: 'Le texte sélectionné pour ce commentaire n’a pas été retrouvé dans la page.',
    en: 'The text selected for this comment was not found in the page.',
  },
  DOCS_CURSOR_INVALID: {
    kind: 'invalid',
    fr: 'Curseur de pagination invalide : reprenez la liste depuis le début.',
    en: 'Invalid pagination cursor: list again from the start.',
  },
  DOCS_COLLAB_TOKEN_INVALID: {
    kind: 'unauthenticated',
    fr: 'Jeton de collaboration invalide ou expiré.',
    en: 'Invalid or expired collaboration token.',
  },
});
