import type { AskResponse, Citation } from '@bureau/contracts';
import type { Subject } from '../../../platform/authz/subject.ts';
import type { Database } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import type { IdGenerator } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logging.ts';
import { highestSensitivity, type SensitivityLevel } from '../../../platform/sensitivity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import type { GatewayCaller, GatewayService, ServedBy } from '../gateway/gateway.service.ts';
import type { ProviderRegistry } from '../gateway/provider-registry.ts';
import type { KnowledgeService, RetrievalHit } from '../knowledge/knowledge.service.ts';
import { CitationStreamFilter, checkCitations, type FlaggedCitation } from './citations.ts';
import type { ConversationsRepository } from './conversations.repository.ts';
import { streamCompletionText } from './completion-text.ts';
import { systemPrompt, userPrompt, type NumberedPassage } from './prompt.ts';

export type AnswerEvent =
  | { readonly type: 'delta'; readonly text: string }
  | {
      readonly type: 'citations';
      readonly citations: readonly Citation[];
      readonly flaggedCitations: readonly FlaggedCitation[];
    }
  | { readonly type: 'done'; readonly response: AskResponse };

export interface AskInput {
  readonly question: string;
  readonly collections?: readonly string[] | undefined;
  readonly conversationId?: string | undefined;
}

export interface AskContext {
  readonly subject: Subject;
  readonly caller: GatewayCaller;
  readonly signal?: AbortSignal | undefined;
  /** Receives the answer as it is written (a streamed request). */
  readonly onEvent?: (event: AnswerEvent) => void;
}

export interface AnswerServiceDependencies {
  readonly database: Database;
  readonly knowledge: KnowledgeService;
  readonly gateway: GatewayService;
  readonly registry: ProviderRegistry;
  readonly conversations: ConversationsRepository;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  readonly logger: Logger;
  /** The chat model alias answers are written with. */
  readonly model: string;
}

/** Sources retrieved for a question. */
const retrievedSources = 8;
/** Passages given to the model. */
const maxPassages = 6;
/**
 * A source counts as relevant when it holds at least this share of the question's weight (its words
 * weighted by rarity): below, the best match is about something else and Albert says it does not know.
 */
export const relevanceThreshold = 0.5;
/**
 * Or when its best chunk's embedding is this close to the question's (cosine): a document that says the
 * same thing in other words. Depends on the embeddings model; 0.6 suits multilingual e5/bge models.
 */
export const denseRelevanceThreshold = 0.6;
/** Earlier questions and answers of the conversation given to the model. */
const contextTurns = 2;

/** Errors after which Albert still shows its sources, without a model. */
const extractiveFallbacks = new Set(['AI_NO_PROVIDER', 'AI_MODEL_NOT_FOUND', 'AI_NO_CLEARED_PROVIDER']);

/**
 * `ask`: retrieval over what the asker may read, then a cited answer written by the gateway's chat model
 * (generative), or the best passages labelled as such when no model may answer (extractive), or an honest
 * "I don't know" with where to look when nothing relevant was found (no-answer).
 */
export function createAnswerService(deps: AnswerServiceDependencies) {
  const { conversations } = deps;

  function isModelServed(): boolean {
    return deps.registry.aliases().some((alias) => alias.alias === deps.model && alias.type === 'chat');
  }

  function passagesOf(hits: readonly RetrievalHit[]): NumberedPassage[] {
    const passages: NumberedPassage[] = [];
    for (const hit of hits) {
      for (const passage of hit.passages.slice(0, 2)) {
        if (passages.length >= maxPassages) break;
        passages.push({ number: passages.length + 1, hit, headings: passage.headings, text: passage.text });
      }
    }
    return passages;
  }

  function citationOf(passage: NumberedPassage): Citation {
    const { source, collection } = passage.hit;
    return {
      number: passage.number,
      sourceId: source.id,
      externalId: source.externalId,
      title: source.title,
      url: source.url,
      date: source.date,
      quote: passage.text.length > 600 ? `${passage.text.slice(0, 600).replace(/\s+\S*$/, '')}…` : passage.text,
      headings: [...passage.headings],
      collection: { id: collection.id, slug: collection.slug, name: collection.name },
    };
  }

  function noAnswer(hits: readonly RetrievalHit[], searched: readonly string[]): string {
    const leads = hits
      .slice(0, 3)
      .map((hit) => `- ${hit.source.title}${hit.source.url ? ` : ${hit.source.url}` : ''}`)
      .join('\n');
    return [
      `Je ne sais pas : les sources consultées${searched.length > 0 ? ` (${searched.join(', ')})` : ''} ne contiennent pas de réponse fiable à cette question.`,
      'Vérifiez sur service-public.fr ou auprès de l’organisme concerné, ou reformulez la question en précisant la situation (démarche, public concerné, organisme).',
      ...(leads ? ['', 'Pages les plus proches, à vérifier :', leads] : []),
    ].join('\n');
  }

  function extractive(passages: readonly NumberedPassage[], reason: string): string {
    const quotes = passages
      .slice(0, 3)
      .map((passage) => `[${passage.number}] ${passage.hit.source.title} — « ${citationOf(passage).quote} »`);
    return [
      `Réponse extractive (${reason}) : voici les passages les plus pertinents des sources, sans reformulation.`,
      ...quotes,
    ].join('\n\n');
  }

  function completionText(
    body: Parameters<GatewayService['chatCompletion']>[0],
    context: AskContext,
    level: SensitivityLevel,
    servedByOut: { value?: ServedBy },
  ): AsyncGenerator<string> {
    return streamCompletionText(
      deps.gateway,
      body,
      context.caller,
      { dataLabels: [level], signal: context.signal },
      servedByOut,
    );
  }

  return {
    isModelServed,

    async ask(input: AskInput, context: AskContext): Promise<AskResponse> {
      const started = performance.now();
      const userId = context.caller.userId;
      if (!userId) throw assistantErrors.create('AI_REQUEST_INVALID', { reason: 'a signed-in user asks' });
      const existing = input.conversationId
        ? await conversations.findConversation(input.conversationId, userId)
        : undefined;
      if (input.conversationId && !existing) {
        throw assistantErrors.create('AI_CONVERSATION_NOT_FOUND', { conversationId: input.conversationId });
      }
      const hits = await deps.knowledge.retrieve(context.subject, {
        query: input.question,
        ...(input.collections ? { collections: input.collections } : {}),
        limit: retrievedSources,
        caller: context.caller,
      });
      const relevant = hits.filter(
        (hit) => hit.coverage >= relevanceThreshold || (hit.similarity ?? 0) >= denseRelevanceThreshold,
      );
      const searched = [...new Set(hits.map((hit) => hit.collection.name))];
      const passages = passagesOf(relevant);
      const level = highestSensitivity(
        passages.length > 0
          ? passages.map((passage) => passage.hit.collection.label)
          : hits.map((hit) => hit.collection.label),
      );
      const emit = (event: AnswerEvent) => context.onEvent?.(event);

      let answer: string;
      let mode: AskResponse['mode'];
      let citations: Citation[] = [];
      let flagged: FlaggedCitation[] = [];
      let servedBy: ServedBy | undefined;
      let status: 'completed' | 'failed' = 'completed';
      let errorCode: string | null = null;

      const answerExtractively = (reason: string) => {
        mode = 'extractive';
        answer = extractive(passages, reason);
        citations = passages.slice(0, 3).map(citationOf);
        emit({ type: 'delta', text: answer });
      };

      if (passages.length === 0) {
        mode = 'no-answer';
        answer = noAnswer(hits, searched);
        emit({ type: 'delta', text: answer });
      } else if (!isModelServed()) {
        answerExtractively('aucun modèle de langage n’est configuré');
      } else {
        mode = 'generative';
        answer = '';
        const turns = existing ? await conversations.recentTurns(existing.id, contextTurns) : [];
        const filter = new CitationStreamFilter(new Set(passages.map((passage) => passage.number)));
        const served: { value?: ServedBy } = {};
        try {
          for await (const text of completionText(
            {
              model: deps.model,
              stream: true,
              temperature: 0.2,
              max_tokens: 1_200,
              messages: [
                { role: 'system', content: systemPrompt },
                ...turns.flatMap((turn) => [
                  { role: 'user', content: turn.question },
                  { role: 'assistant', content: turn.answer },
                ]),
                { role: 'user', content: userPrompt(input.question, passages) },
              ],
            },
            context,
            level,
            served,
          )) {
            answer += text;
            const shown = filter.push(text);
            if (shown) emit({ type: 'delta', text: shown });
          }
          const rest = filter.end();
          if (rest) emit({ type: 'delta', text: rest });
          servedBy = served.value;
          const checked = checkCitations(answer, new Map(passages.map((passage) => [passage.number, passage.text])));
          answer = checked.answer.trim();
          flagged = [...checked.flagged];
          citations = checked.cited.map((number) => citationOf(passages[number - 1]!));
        } catch (error) {
          if (error instanceof AppError && extractiveFallbacks.has(error.code) && answer === '') {
            answerExtractively(
              error.code === 'AI_NO_CLEARED_PROVIDER'
                ? `aucun modèle n’est habilité au niveau de ces sources`
                : 'aucun modèle de langage n’est disponible',
            );
          } else if (answer !== '' && error instanceof AppError) {
            // The model failed midway: what came is kept, marked failed, and the error is raised to the client.
            status = 'failed';
            errorCode = error.code;
            servedBy = served.value;
            await save();
            throw error;
          } else throw error;
        }
      }

      emit({ type: 'citations', citations, flaggedCitations: flagged });
      const response = await save();
      emit({ type: 'done', response });
      return response;

      async function save(): Promise<AskResponse> {
        const at = deps.now().toISOString();
        const messageId = deps.newId();
        const conversationId = existing?.id ?? deps.newId();
        const provider = servedBy
          ? {
              providerId: servedBy.providerId,
              providerName: servedBy.providerName,
              hosting: servedBy.hosting,
              operator: servedBy.operator,
              model: deps.model,
              isPseudonymised: servedBy.isPseudonymised,
            }
          : null;
        await deps.database.transaction(async (transaction) => {
          if (!existing) {
            await conversations.insertConversation(
              {
                id: conversationId,
                user_id: userId!,
                organisation_id: context.caller.organisationId,
                title: titleOf(input.question),
                created_at: at,
                updated_at: at,
              },
              transaction.executor,
            );
          } else await conversations.touchConversation(conversationId, at, transaction.executor);
          await conversations.insertMessage(
            {
              id: messageId,
              conversation_id: conversationId,
              user_id: userId!,
              organisation_id: context.caller.organisationId,
              question: input.question,
              answer,
              citations: JSON.stringify(citations),
              flagged_citations: JSON.stringify(flagged),
              collections: JSON.stringify([...new Set(hits.map((hit) => hit.collection.slug))]),
              mode,
              served_by: provider ? JSON.stringify(provider) : null,
              sensitivity: level,
              status,
              error_code: errorCode,
              latency_ms: Math.round(performance.now() - started),
              created_at: at,
            },
            transaction.executor,
          );
        });
        return {
          answer,
          citations,
          flaggedCitations: flagged,
          mode,
          provider,
          sensitivity: level,
          conversationId,
          messageId,
        };
      }
    },
  };
}

export type AnswerService = ReturnType<typeof createAnswerService>;

/** A conversation is named after its first question. */
export function titleOf(question: string): string {
  const flat = question.replace(/\s+/g, ' ').trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 79).replace(/\s+\S*$/, '')}…`;
}
