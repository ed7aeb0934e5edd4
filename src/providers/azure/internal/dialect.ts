import { type Dialect, openAiDialect } from "../../openai/internal/dialect.js"
import { azureClassifyRules, classifyAzureFailure } from "./classify.js"

/**
 * Azure OpenAI speaks OpenAI's Chat Completions with OpenAI's rules (reasoning deployments take
 * `max_completion_tokens` and `developer` messages); it differs in how errors read. The reasoning test runs on the
 * request's model, which on Azure is the deployment name unless a fixed deployment is configured.
 *
 * @internal
 */
export const azureDialect = (isReasoningModel: ((model: string) => boolean) | undefined): Dialect => ({
  ...openAiDialect,
  provider: "azure",
  isReasoningModel: isReasoningModel ?? openAiDialect.isReasoningModel,
  classifyRules: azureClassifyRules,
  classify: classifyAzureFailure,
  capabilities: { embed: true, tools: true, vision: true, jsonSchema: true, reasoning: true }
})
