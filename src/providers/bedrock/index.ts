/**
 * `@agent-adapter/sdk/bedrock`: the AWS Bedrock provider.
 *
 * @since 0.1.0
 */
export * as Bedrock from "./Bedrock.js"
