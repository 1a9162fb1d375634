import { defineErrors } from '../errors.ts';

/** Errors of a search request: each names what to change in the request. */
export const searchErrors = defineErrors({
  SEARCH_QUERY_EMPTY: {
    kind: 'invalid',
    fr: 'Saisissez au moins un mot à chercher (les mots très courants comme « le » ou « de » ne comptent pas).',
    en: 'Type at least one word to search for (very common words such as "le" or "de" do not count).',
  },
  SEARCH_QUERY_TOO_LONG: {
    kind: 'invalid',
    fr: 'La recherche est trop longue : {max} caractères et {maxWords} mots au plus.',
    en: 'The search is too long: at most {max} characters and {maxWords} words.',
  },
  SEARCH_TYPE_UNKNOWN: {
    kind: 'invalid',
    fr: 'Le type de résultat « {type} » n’existe pas.',
    en: 'There is no result type "{type}".',
  },
  SEARCH_LIMIT_INVALID: {
    kind: 'invalid',
    fr: 'Le nombre de résultats par page doit être un nombre entier entre 1 et {max}.',
    en: 'The number of results per page must be a whole number between 1 and {max}.',
  },
  SEARCH_CURSOR_INVALID: {
    kind: 'invalid',
    fr: 'Cette page de résultats n’existe pas : relancez la recherche.',
    en: 'This page of results does not exist: run the search again.',
  },
});
