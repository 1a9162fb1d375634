import { defineErrors } from '../errors.ts';

/**
 * The errors of blob storage that are not in the platform catalogue. BLOB_NOT_FOUND and BLOB_INVALID_KEY
 * stay in `platformErrors`, where they were declared first.
 */
export const blobErrors = defineErrors({
  BLOB_TOO_LARGE: {
    kind: 'too_large',
    fr: 'Le fichier dépasse la taille maximale de {limit} octets.',
    en: 'The file exceeds the maximum size of {limit} bytes.',
  },
  BLOB_RANGE_NOT_SATISFIABLE: {
    kind: 'invalid',
    fr: 'La plage demandée ({start}-{end}) est hors du fichier de {size} octets.',
    en: 'The requested range ({start}-{end}) is outside the file of {size} bytes.',
  },
});
