import { defineErrors } from '../../../../platform/errors.ts';

/**
 * Errors of the document parsers (files uploaded to a knowledge collection). `details` carry what a program
 * needs (`format` is the format's id: pdf, docx, odt, html, markdown, text).
 */
export const documentParsingErrors = defineErrors({
  AI_DOCUMENT_UNSUPPORTED_TYPE: {
    kind: 'unsupported_media_type',
    fr: 'Le fichier « {fileName} » n’est pas d’un type pris en charge : déposez un PDF, un document Word (.docx), OpenDocument (.odt), une page HTML, un fichier Markdown ou un fichier texte.',
    en: 'The file “{fileName}” is not of a supported type: upload a PDF, a Word (.docx) or OpenDocument (.odt) document, an HTML page, a Markdown or a plain-text file.',
  },
  AI_DOCUMENT_TOO_LARGE: {
    kind: 'too_large',
    fr: 'Ce document dépasse la taille maximale acceptée ({maxMegabytes} Mo).',
    en: 'This document exceeds the maximum accepted size ({maxMegabytes} MB).',
  },
  AI_DOCUMENT_CORRUPT: {
    kind: 'invalid',
    fr: 'Le fichier n’a pas pu être lu comme un document {format} : il est peut-être endommagé ou incomplet.',
    en: 'The file could not be read as a {format} document: it may be damaged or incomplete.',
  },
  AI_DOCUMENT_EMPTY: {
    kind: 'invalid',
    fr: 'Aucun texte n’a pu être extrait de ce document. S’il s’agit d’un PDF numérisé sans couche texte, faites-le d’abord passer par une reconnaissance de caractères (OCR).',
    en: 'No text could be extracted from this document. If it is a scanned PDF without a text layer, run it through character recognition (OCR) first.',
  },
  AI_DOCUMENT_ENCRYPTED: {
    kind: 'invalid',
    fr: 'Ce document est protégé par un mot de passe : retirez la protection, puis déposez-le à nouveau.',
    en: 'This document is password-protected: remove the protection, then upload it again.',
  },
  AI_DOCUMENT_TIMEOUT: {
    kind: 'invalid',
    fr: 'La lecture de ce document a pris plus de {seconds} s : il est trop long ou trop complexe pour être analysé.',
    en: 'Reading this document took longer than {seconds} s: it is too long or too complex to be analysed.',
  },
});

export type DocumentParsingErrorCode = keyof typeof documentParsingErrors.definitions;
