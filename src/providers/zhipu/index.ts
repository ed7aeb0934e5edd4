/**
 * `@agent-adapter/sdk/zhipu`: the Zhipu GLM provider (bigmodel.cn and Z.AI).
 *
 * @since 0.1.0
 */
export * as Zhipu from "./Zhipu.js"
