import { defineErrors } from '../errors.ts';

/**
 * Refusals of the sensitivity rules and mistakes in processor declarations. Placeholders ending in
 * `Name` (`{levelName}`, `{processorName}`...) are filled with the label of the value in the message's
 * language; `details` carry the codes (`level: 'sensitive'`), for programs.
 */
export const sensitivityErrors = defineErrors({
  SENSITIVITY_PROCESSING_REFUSED: {
    kind: 'forbidden',
    fr: 'Ces données sont classées « {levelName} » : {processorName} n’est habilité que jusqu’au niveau « {clearanceName} ». Bureau ne les lui envoie pas.',
    en: 'This data is labelled “{levelName}”: {processorName} is only cleared up to “{clearanceName}”. Bureau does not send it there.',
  },
  SENSITIVITY_PROCESSOR_UNKNOWN: {
    kind: 'forbidden',
    fr: 'Aucun service de traitement « {processorId} » n’est déclaré : Bureau ne lui envoie aucune donnée.',
    en: 'No processor “{processorId}” is declared: Bureau sends it no data.',
  },
  SENSITIVITY_PROCESSOR_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Aucun service de traitement « {processorId} » n’est déclaré.',
    en: 'No processor “{processorId}” is declared.',
  },
  SENSITIVITY_PROCESSOR_DUPLICATE: {
    kind: 'conflict',
    fr: 'Un service de traitement « {processorId} » est déjà déclaré.',
    en: 'A processor “{processorId}” is already declared.',
  },
  SENSITIVITY_PROCESSOR_INVALID: {
    kind: 'invalid',
    fr: 'La déclaration du service de traitement est invalide (champ {field}).',
    en: 'The declaration of the processor is invalid (field {field}).',
  },
  SENSITIVITY_CLEARANCE_ABOVE_HOSTING: {
    kind: 'invalid',
    fr: 'Hébergement « {hostingName} » : la doctrine « Cloud au centre » ne permet pas d’habiliter {processorName} au-delà du niveau « {maximumName} » (demandé : « {clearanceName} »).',
    en: 'Hosting “{hostingName}”: the “Cloud au centre” doctrine does not allow clearing {processorName} above “{maximumName}” (asked: “{clearanceName}”).',
  },
});
