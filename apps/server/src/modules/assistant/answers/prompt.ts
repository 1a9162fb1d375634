import type { RetrievalHit } from '../knowledge/knowledge.service.ts';

/** A passage given to the model under a number. */
export interface NumberedPassage {
  readonly number: number;
  readonly hit: RetrievalHit;
  readonly headings: readonly string[];
  readonly text: string;
}

/**
 * Albert's instructions (French: the model answers agents in French). They ask for `[n]` citations after
 * each claim, nothing beyond the sources, and an explicit "je ne sais pas" with where to look when the
 * sources do not answer: the lessons of Albert France Services' withdrawal.
 */
export const systemPrompt = [
  'Tu es Albert, l’assistant des agents du service public. Tu réponds en français, de façon exacte et concise,',
  'uniquement à partir des sources numérotées fournies avec la question.',
  'Après chaque phrase qui s’appuie sur une source, cite-la par son numéro entre crochets, par exemple [1] ou [1][3].',
  'Ne cite jamais un numéro qui ne figure pas dans les sources. N’invente ni chiffre, ni date, ni adresse, ni contact.',
  'Si les sources ne permettent pas de répondre, dis-le clairement (« Je ne sais pas d’après les sources disponibles »)',
  'et indique où l’agent peut chercher. Si la situation de l’usager est ambiguë, dis quelles informations manquent.',
].join(' ');

export function sourcesBlock(passages: readonly NumberedPassage[]): string {
  return passages
    .map((passage) => {
      const { source } = passage.hit;
      const where = [source.title, ...passage.headings].join(' › ');
      const date = source.date ? ` (mise à jour : ${source.date})` : '';
      return `[${passage.number}] ${where}${date}\n${passage.text}`;
    })
    .join('\n\n');
}

export function userPrompt(question: string, passages: readonly NumberedPassage[]): string {
  return `Sources :\n\n${sourcesBlock(passages)}\n\nQuestion : ${question}`;
}
