/**
 * The admin API, as an `@effect/platform` router to mount under `/admin`:
 *
 * - `POST /keys` creates a virtual key and returns it, the only time its text is shown;
 * - `GET /keys` lists keys, `GET /keys/:id` shows one, `DELETE /keys/:id` revokes one (never the key or its hash);
 * - `GET /usage?key=&from=&to=&groupBy=day|key` sums usage per key per UTC day (or per key over the range);
 * - `GET /usage/records?key=&from=&to=&limit=` lists the latest usage records.
 *
 * Every route needs the master key (`Authorization: Bearer` or `x-api-key`) and answers 401 without it. Errors are
 * JSON in OpenAI's shape, `{ "error": { "message", "type", "param", "code" } }`; bad input is a 400 naming the field.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { KeyHeaders, KeyOperations, UsageOperations } from "../auth/GatewayAuth.js"
import { CreateKeyBody, fromParseError, InvalidKeyRequestError } from "../auth/KeyRequest.js"
import type { GatewayStoreError } from "../store/GatewayStore.js"

/**
 * What the routes need from the gateway's auth service.
 *
 * @since 0.1.0
 */
export interface AdminOperations {
  readonly isAdmin: (headers: KeyHeaders) => boolean
  readonly keys: KeyOperations
  readonly usage: UsageOperations
}

const errorResponse = (status: number, type: string, message: string, param?: string, code?: string) =>
  HttpServerResponse.unsafeJson({ error: { message, type, param: param ?? null, code: code ?? null } }, { status })

const badRequest = (error: InvalidKeyRequestError) =>
  errorResponse(400, "invalid_request_error", error.message, error.param, "invalid_parameter")

const storeFailure = (error: GatewayStoreError) =>
  Effect.as(
    Effect.logError(error.message),
    errorResponse(503, "service_unavailable", "The gateway's key store is unavailable; try again shortly.")
  )

const notFound = (id: string) =>
  errorResponse(404, "not_found_error", `No API key has the id ${id}.`, "id", "key_not_found")

const day = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "expected a UTC day as YYYY-MM-DD" }),
  Schema.filter((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) || "not a calendar day")
)

const UsageParams = Schema.Struct({
  key: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  from: Schema.optional(day),
  to: Schema.optional(day),
  groupBy: Schema.optional(Schema.Literal("day", "key"))
})

const RecordsParams = Schema.Struct({
  key: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  from: Schema.optional(day),
  to: Schema.optional(day),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000, { message: () => "expected 1 to 1000" }))
  )
})

// Query parameters are checked as strictly as bodies: an unknown or repeated one is a 400, never ignored.
const unexpectedParam = (
  allowed: ReadonlyArray<string>,
  params: Readonly<Record<string, string | Array<string>>>
): InvalidKeyRequestError | undefined => {
  for (const [name, value] of Object.entries(params)) {
    if (!allowed.includes(name)) {
      return fromMessage(`${name}: unknown query parameter (expected ${allowed.join(", ")})`, name)
    }
    if (Array.isArray(value)) return fromMessage(`${name}: given more than once`, name)
  }
  return undefined
}

const queryOf = <A extends { readonly from?: string | undefined; readonly to?: string | undefined }, I>(
  schema: Schema.Schema<A, I>,
  allowed: ReadonlyArray<string>
): Effect.Effect<A, InvalidKeyRequestError, HttpServerRequest.ParsedSearchParams> =>
  Effect.gen(function* () {
    const params = yield* HttpServerRequest.ParsedSearchParams
    const unexpected = unexpectedParam(allowed, params)
    if (unexpected !== undefined) return yield* Effect.fail(unexpected)
    const decoded = yield* Schema.decodeUnknown(schema)(params).pipe(Effect.mapError(fromParseError))
    if (decoded.from !== undefined && decoded.to !== undefined && decoded.from > decoded.to) {
      return yield* Effect.fail(fromMessage("from: must not be after to", "from"))
    }
    return decoded
  })

const fromMessage = (message: string, param: string): InvalidKeyRequestError =>
  new InvalidKeyRequestError({ message, param })

const headersOf = (request: HttpServerRequest.HttpServerRequest): KeyHeaders => ({
  authorization: request.headers.authorization,
  "x-api-key": request.headers["x-api-key"]
})

const guarded = <R>(
  operations: AdminOperations,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    operations.isAdmin(headersOf(request))
      ? handler
      : Effect.succeed(
          errorResponse(
            401,
            "authentication_error",
            "The admin API needs the master key: send it as `Authorization: Bearer <key>` or in `x-api-key`.",
            undefined,
            "invalid_api_key"
          )
        )
  )

/**
 * The admin router over the given operations.
 *
 * @since 0.1.0
 */
export const make = (operations: AdminOperations): HttpRouter.HttpRouter<never, never> =>
  HttpRouter.empty.pipe(
    HttpRouter.post(
      "/keys",
      guarded(
        operations,
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const body = yield* request.json.pipe(
            Effect.mapError(() => fromMessage("The body must be a JSON object.", "body"))
          )
          const input = yield* Schema.decodeUnknown(CreateKeyBody, { onExcessProperty: "error" })(body).pipe(
            Effect.mapError(fromParseError)
          )
          const created = yield* operations.keys.create(input)
          return HttpServerResponse.unsafeJson({ ...created.info, key: Redacted.value(created.key) }, { status: 201 })
        }).pipe(
          Effect.catchTags({ InvalidKeyRequestError: (error) => Effect.succeed(badRequest(error)) }),
          Effect.catchTag("GatewayStoreError", storeFailure)
        )
      )
    ),
    HttpRouter.get(
      "/keys",
      guarded(
        operations,
        operations.keys.list.pipe(
          Effect.map((keys) => HttpServerResponse.unsafeJson({ object: "list", data: keys })),
          Effect.catchTag("GatewayStoreError", storeFailure)
        )
      )
    ),
    HttpRouter.get(
      "/keys/:id",
      guarded(
        operations,
        Effect.gen(function* () {
          const { id } = yield* HttpRouter.params
          const found = yield* operations.keys.get(id ?? "")
          return Option.match(found, {
            onNone: () => notFound(id ?? ""),
            onSome: (info) => HttpServerResponse.unsafeJson(info)
          })
        }).pipe(Effect.catchTag("GatewayStoreError", storeFailure))
      )
    ),
    HttpRouter.del(
      "/keys/:id",
      guarded(
        operations,
        Effect.gen(function* () {
          const { id } = yield* HttpRouter.params
          const revoked = yield* operations.keys.revoke(id ?? "")
          if (!revoked) return notFound(id ?? "")
          const info = yield* operations.keys.get(id ?? "")
          return HttpServerResponse.unsafeJson(Option.getOrElse(info, () => ({ id, status: "revoked" })))
        }).pipe(Effect.catchTag("GatewayStoreError", storeFailure))
      )
    ),
    HttpRouter.get(
      "/usage",
      guarded(
        operations,
        Effect.gen(function* () {
          const query = yield* queryOf(UsageParams, ["key", "from", "to", "groupBy"])
          const range = { keyId: query.key, from: query.from, to: query.to }
          const totals =
            query.groupBy === "key" ? yield* operations.usage.byKey(range) : yield* operations.usage.byDay(range)
          return HttpServerResponse.unsafeJson({ object: "list", groupBy: query.groupBy ?? "day", data: totals })
        }).pipe(
          Effect.catchTags({ InvalidKeyRequestError: (error) => Effect.succeed(badRequest(error)) }),
          Effect.catchTag("GatewayStoreError", storeFailure)
        )
      )
    ),
    HttpRouter.get(
      "/usage/records",
      guarded(
        operations,
        Effect.gen(function* () {
          const query = yield* queryOf(RecordsParams, ["key", "from", "to", "limit"])
          const records = yield* operations.usage.records({
            keyId: query.key,
            from: query.from,
            to: query.to,
            limit: query.limit ?? 100
          })
          return HttpServerResponse.unsafeJson({
            object: "list",
            data: records.map((record) => ({ ...record, createdAt: new Date(record.createdAt).toISOString() }))
          })
        }).pipe(
          Effect.catchTags({ InvalidKeyRequestError: (error) => Effect.succeed(badRequest(error)) }),
          Effect.catchTag("GatewayStoreError", storeFailure)
        )
      )
    )
  )
