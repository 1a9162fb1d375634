import { assistantErrors } from '../assistant.errors.ts';
import type {
  ChatCompletionBody,
  GatewayCaller,
  GatewayRequestOptions,
  GatewayService,
  ServedBy,
} from '../gateway/gateway.service.ts';

/**
 * A chat completion through the gateway, as text only: streamed frames are parsed as they come, a JSON
 * answer gives its content at once; the provider's SSE error frames become `AI_UPSTREAM_FAILED`. The
 * provider that served it is written to `servedByOut` once known.
 */
export async function* streamCompletionText(
  gateway: GatewayService,
  body: ChatCompletionBody,
  caller: GatewayCaller,
  options: GatewayRequestOptions,
  servedByOut: { value?: ServedBy },
): AsyncGenerator<string> {
  const result = await gateway.chatCompletion(body, caller, options);
  servedByOut.value = result.servedBy;
  if (result.kind === 'json') {
    const choices = result.body.choices as Array<{ message?: { content?: string } }> | undefined;
    yield choices?.[0]?.message?.content ?? '';
    return;
  }
  let buffer = '';
  for await (const frame of result.events) {
    buffer += frame;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]' || !data) continue;
        const parsed = JSON.parse(data) as {
          error?: { message?: string; code?: string };
          choices?: Array<{ delta?: { content?: string | null } }>;
        };
        if (parsed.error) {
          throw assistantErrors.create('AI_UPSTREAM_FAILED', {
            model: body.model,
            reason: parsed.error.message ?? parsed.error.code ?? 'stream error',
          });
        }
        const text = parsed.choices?.[0]?.delta?.content;
        if (text) yield text;
      }
    }
  }
}
