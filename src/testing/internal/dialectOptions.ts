// What every vendor dialect of the fake provider is configured with (from FakeProviderServerOptions).

/** @internal */
export interface DialectOptions {
  /** Content chunks a default streamed answer is split into. */
  readonly streamChunks: number
  /** Length of default embedding vectors. */
  readonly embeddingDimensions: number
  /** Models the vendor lists. */
  readonly models: ReadonlyArray<string>
  /** When set, requests without this key (in the vendor's own auth header) get the vendor's 401. */
  readonly apiKey: string | undefined
}
