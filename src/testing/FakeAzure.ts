/**
 * Azure OpenAI wire-format building blocks for the fake provider server, to script replies that differ from its
 * default Azure routes (`/openai/deployments/{deployment}/…` and `/openai/v1/…`).
 *
 * @example
 * ```ts
 * server.enqueue(FakeReply.stream(FakeAzure.chatCompletionChunks("Hello", { finishReason: "content_filter" })))
 * server.enqueue(FakeAzure.rateLimited({ retryAfterSeconds: 6 }))
 * ```
 *
 * @since 0.1.0
 */
import { FakeReply } from "./FakeProviderServer.js"
import * as Wire from "./internal/fakeAzure.js"

/**
 * A tool call of a scripted answer.
 *
 * @since 0.1.0
 */
export interface FakeAzureToolCall {
  readonly id: string
  readonly name: string
  /** The JSON arguments text. */
  readonly arguments: string
}

/**
 * Options of {@link FakeAzure.chatCompletion} and {@link FakeAzure.chatCompletionChunks}.
 *
 * @since 0.1.0
 */
export interface FakeAzureChatOptions {
  /** The model version Azure reports (not the deployment name). Default `gpt-4o-2024-11-20`. */
  readonly model?: string
  /** Default `chatcmpl-fake-0`. */
  readonly id?: string
  /** Unix seconds. Default now. */
  readonly created?: number
  /** Default: derived from the text like the default route does. */
  readonly promptTokens?: number
  /** Reasoning tokens counted in the usage (o-series deployments). Default 0. */
  readonly reasoningTokens?: number
  /** Content chunks of a stream (tool-call arguments take half as many). Default 4. */
  readonly chunks?: number
  /** Put `"usage": null` on every chunk and add the usage chunk (streams only). Default false. */
  readonly includeUsage?: boolean
  /** Tool calls the answer makes (its text is then usually empty). */
  readonly toolCalls?: ReadonlyArray<FakeAzureToolCall>
  /**
   * Default `tool_calls` with tool calls, else `stop`. `content_filter` ends the answer the way Azure blocks an
   * answer: the finish carries the verdict (violence, medium), no usage chunk follows, and a non-streamed answer has
   * `content: null`.
   */
  readonly finishReason?: "stop" | "length" | "tool_calls" | "content_filter"
}

/**
 * Options of {@link FakeAzure.error}.
 *
 * @since 0.1.0
 */
export interface FakeAzureErrorOptions {
  /** Default: the status as a string, as Azure's gateway writes it (`"429"`). */
  readonly code?: string
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Azure wire-format building blocks.
 *
 * @since 0.1.0
 */
export const FakeAzure = {
  /** A `chat.completion` body in Azure's shape (`prompt_filter_results`, `content_filter_results`). */
  chatCompletion: (text: string, options: FakeAzureChatOptions = {}): unknown =>
    Wire.azureCompletionBody(Wire.azureChatSpec(text, options)),
  /**
   * The SSE frames of a streamed answer in Azure's shape: first the `choices: []` event with
   * `prompt_filter_results`, last `data: [DONE]`.
   */
  chatCompletionChunks: (text: string, options: FakeAzureChatOptions = {}): ReadonlyArray<string> =>
    Wire.azureCompletionFrames(Wire.azureChatSpec(text, options)),
  /** An error in the gateway's shape: `{ error: { code, message } }` with `status`. */
  error: (status: number, message: string, options: FakeAzureErrorOptions = {}): FakeReply =>
    FakeReply.json(
      Wire.gatewayErrorBody(options.code ?? String(status), message),
      options.headers === undefined ? { status } : { status, headers: options.headers }
    ),
  /**
   * A prompt the content filter refused: 400 with `code: "content_filter"` and the verdict per category in
   * `innererror.content_filter_result` (the named categories filtered at `severity`, the rest safe).
   */
  contentFilterError: (
    filtered: ReadonlyArray<"hate" | "self_harm" | "sexual" | "violence">,
    severity: "low" | "medium" | "high" = "high"
  ): FakeReply => {
    const verdict: Record<string, unknown> = {}
    for (const category of ["hate", "self_harm", "sexual", "violence"] as const) {
      verdict[category] = filtered.includes(category)
        ? { filtered: true, severity }
        : { filtered: false, severity: "safe" }
    }
    return FakeReply.json(
      {
        error: {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          type: null,
          param: "prompt",
          code: "content_filter",
          status: 400,
          innererror: { code: "ResponsibleAIPolicyViolation", content_filter_result: verdict }
        }
      },
      { status: 400 }
    )
  },
  /**
   * Azure's 429: the wait named in the message ("Please retry after N seconds."), and in a `retry-after` header
   * unless `header: false`.
   */
  rateLimited: (
    options: { readonly retryAfterSeconds?: number; readonly header?: boolean; readonly apiVersion?: string } = {}
  ): FakeReply => {
    const seconds = options.retryAfterSeconds ?? 6
    return FakeReply.json(
      Wire.gatewayErrorBody(
        "429",
        `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${options.apiVersion ?? "2024-10-21"} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`
      ),
      options.header === false ? { status: 429 } : { status: 429, headers: { "retry-after": String(seconds) } }
    )
  },
  /** The 401 for a wrong `api-key`. */
  invalidKey: (): FakeReply => FakeReply.json(Wire.gatewayErrorBody("401", Wire.INVALID_KEY_MESSAGE), { status: 401 }),
  /** The 404 for a deployment the resource does not have. */
  deploymentNotFound: (): FakeReply =>
    FakeReply.json(
      Wire.gatewayErrorBody(
        "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."
      ),
      { status: 404 }
    )
} as const
