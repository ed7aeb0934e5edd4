import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import { LlmClient } from "../../../core/LlmClient.js"
import { isLlmError, type LlmError } from "../../../core/LlmError.js"
import { type FamilySettings, makeFamilyClient } from "../../openai/internal/client.js"
import { adaptChatRequest, checkEmbeddingRequest, preservesThinking } from "./convertRequest.js"
import { zhipuDialect, zhipuPreservedThinkingDialect } from "./dialect.js"

/**
 * Zhipu on the OpenAI engine: requests are adapted (or refused) first, then sent by the engine in Zhipu's dialect.
 * A request asking for preserved thinking goes through a second engine client whose dialect echoes the reasoning
 * of every assistant turn.
 *
 * @internal
 */
export const makeZhipuClient = (
  settings: FamilySettings
): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const interleaved = yield* makeFamilyClient(zhipuDialect, settings)
    const preserved = yield* makeFamilyClient(zhipuPreservedThinkingDialect, settings)
    const route = (request: ChatRequest) =>
      preservesThinking(request)
        ? { engine: preserved, dialect: zhipuPreservedThinkingDialect }
        : { engine: interleaved, dialect: zhipuDialect }
    const adapt = (
      request: ChatRequest
    ): { readonly engine: LlmClient.Service; readonly request: ChatRequest } | LlmError => {
      const { engine, dialect } = route(request)
      const adapted = adaptChatRequest(request, dialect)
      return isLlmError(adapted) ? adapted : { engine, request: adapted }
    }
    return LlmClient.make({
      provider: zhipuDialect.provider,
      capabilities: zhipuDialect.capabilities,
      chat: (request) => {
        const routed = adapt(request)
        return isLlmError(routed) ? Effect.fail(routed) : routed.engine.chat(routed.request)
      },
      stream: (request) => {
        const routed = adapt(request)
        return isLlmError(routed) ? Stream.fail(routed) : routed.engine.stream(routed.request)
      },
      embed: (request) => {
        const refused = checkEmbeddingRequest(request)
        return refused === undefined ? interleaved.embed(request) : Effect.fail(refused)
      }
    })
  })
