import type { WriteRequest, WriteResponse } from '@bureau/contracts';
import type { GatewayCaller, GatewayService, ServedBy } from '../gateway/gateway.service.ts';
import { streamCompletionText } from './completion-text.ts';

const languageNames: Record<NonNullable<WriteRequest['language']>, string> = {
  fr: 'français',
  en: 'anglais',
  de: 'allemand',
  es: 'espagnol',
  it: 'italien',
};

/** The instruction of each task, in French (the administration's language; the models follow it). */
function instructionOf(request: WriteRequest): string {
  switch (request.task) {
    case 'summarise':
      return 'Résume le texte ci-dessous en quelques phrases claires, en gardant les faits, les dates et les obligations. Ne rajoute rien qui n’y figure pas.';
    case 'rewrite':
      return 'Reformule le texte ci-dessous dans un style administratif clair et direct, compréhensible par tous, sans changer son sens ni omettre d’information.';
    case 'translate':
      return `Traduis le texte ci-dessous en ${languageNames[request.language ?? 'fr']}, fidèlement, en gardant sa mise en forme.`;
    case 'continue':
      return 'Poursuis la rédaction du texte ci-dessous par un ou deux paragraphes cohérents avec son ton et son contenu. Ne répète pas le texte : donne seulement la suite.';
    case 'fix':
      return 'Corrige l’orthographe, la grammaire et la ponctuation du texte ci-dessous sans changer son sens ni son style.';
  }
}

export interface WritingServiceDependencies {
  readonly gateway: GatewayService;
  /** The chat model alias Albert writes with. */
  readonly model: string;
}

/**
 * Albert in an editor: summarise, rewrite, translate, continue or correct a text. The request goes through
 * the gateway with the object the text comes from, so that its sensitivity label decides which provider
 * may see it (and a reader of nothing gets nothing).
 */
export function createWritingService(deps: WritingServiceDependencies) {
  return {
    async write(
      request: WriteRequest,
      caller: GatewayCaller,
      options: { signal?: AbortSignal | undefined; onDelta?: (text: string) => void } = {},
    ): Promise<WriteResponse> {
      const served: { value?: ServedBy } = {};
      let text = '';
      for await (const delta of streamCompletionText(
        deps.gateway,
        {
          model: deps.model,
          stream: true,
          temperature: request.task === 'continue' ? 0.6 : 0.2,
          max_tokens: 2_000,
          messages: [
            {
              role: 'system',
              content:
                'Tu es Albert, l’assistant des agents publics. Tu réponds uniquement par le texte demandé, en Markdown, sans préambule ni commentaire.',
            },
            { role: 'user', content: `${instructionOf(request)}\n\n---\n${request.text}\n---` },
          ],
        },
        caller,
        { ...(request.resource ? { resources: [request.resource] } : {}), signal: options.signal },
        served,
      )) {
        text += delta;
        options.onDelta?.(delta);
      }
      const servedBy = served.value;
      return {
        text: text.trim(),
        provider: servedBy
          ? {
              providerId: servedBy.providerId,
              providerName: servedBy.providerName,
              hosting: servedBy.hosting,
              operator: servedBy.operator,
              model: deps.model,
              isPseudonymised: servedBy.isPseudonymised,
            }
          : null,
      };
    },
  };
}

export type WritingService = ReturnType<typeof createWritingService>;
