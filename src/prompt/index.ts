/**
 * Prompt templates: `{{name}}` placeholders whose names the type checker knows, and nothing else.
 *
 * @since 0.1.0
 */
export * as Prompt from "./Prompt.js"
