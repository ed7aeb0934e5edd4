// Every route of the gateway, as one `@effect/platform` router: the OpenAI and Anthropic endpoints, the WebSocket
// stream, health, metrics, the admin API (mounted from the auth service) and a 404 in OpenAI's format for the rest.
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { failure, fromAuthError } from "../internal/failure.js"
import { encodeModelList, modelObject } from "../openai/chatResponse.js"
import { chatRoute, errorResponse, keyHeaders } from "./chatRoute.js"
import { platformHandler, type RouteContext } from "./context.js"
import { embeddingsRoute } from "./embeddingsRoute.js"
import * as Prometheus from "./prometheus.js"
import { websocketRoute } from "./websocketRoute.js"
import { anthropicWire, openAiWire } from "./wire.js"

const json = (body: unknown, status = 200) =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json" })

const modelsRoute = (context: RouteContext, id: string | undefined) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const requestId = context.requestIdOf(request.headers)
    return Effect.matchEffect(context.auth.authenticate(keyHeaders(request.headers)), {
      onFailure: (error) => Effect.succeed(errorResponse(openAiWire, fromAuthError(error), requestId)),
      onSuccess: () =>
        Effect.map(context.router.models, (models) => {
          if (id === undefined) {
            return HttpServerResponse.text(encodeModelList(models, context.startedAt), {
              contentType: "application/json"
            })
          }
          const found = models.find((model) => model.id === id)
          return found === undefined
            ? errorResponse(
                openAiWire,
                failure(
                  404,
                  "not_found",
                  `The model '${id}' does not exist. Available models: ${models.map((m) => m.id).join(", ")}.`,
                  {
                    param: "model",
                    code: "model_not_found"
                  }
                ),
                requestId
              )
            : json(modelObject(found, context.startedAt))
        })
    })
  })

/**
 * Whether the gateway should get traffic: not shutting down, its key store reachable, and at least one provider whose
 * circuit is not open (a gateway with every circuit open can only fail fast).
 */
const readyRoute = (context: RouteContext) =>
  Effect.gen(function* () {
    const storage = yield* context.auth.ready
    const providers = yield* context.router.health
    const draining = context.draining()
    const someProviderUp = providers.length === 0 || providers.some((provider) => provider.circuit !== "open")
    const ready = storage && !draining && someProviderUp
    return json(
      {
        status: ready ? "ready" : "not_ready",
        checks: { config: true, storage, draining, providers },
        auth: context.auth.mode
      },
      ready ? 200 : 503
    )
  })

const notFound = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
  const path = request.url.split("?")[0] ?? request.url
  const wire = path.startsWith("/v1/messages") ? anthropicWire : openAiWire
  return errorResponse(
    wire,
    failure(404, "not_found", `Invalid URL (${request.method} ${path})`, { code: "unknown_url" }),
    request.headers["x-request-id"] ?? ""
  )
})

/**
 * The gateway's router.
 *
 * @internal
 */
export const makeRoutes = (context: RouteContext) =>
  HttpRouter.empty.pipe(
    // The fast lane (fastLane.ts) answers these ahead of the router, unless server spans are on.
    HttpRouter.post("/v1/chat/completions", platformHandler(chatRoute(context, openAiWire))),
    HttpRouter.post("/v1/messages", platformHandler(chatRoute(context, anthropicWire))),
    HttpRouter.post("/v1/embeddings", platformHandler(embeddingsRoute(context))),
    HttpRouter.get("/v1/models", modelsRoute(context, undefined)),
    HttpRouter.get(
      "/v1/models/*",
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        modelsRoute(context, decodeURIComponent((request.url.split("?")[0] ?? "").slice("/v1/models/".length)))
      )
    ),
    HttpRouter.get("/v1/chat/completions/ws", websocketRoute(context)),
    HttpRouter.get("/health/live", Effect.succeed(json({ status: "ok" }))),
    HttpRouter.get("/health/ready", readyRoute(context)),
    HttpRouter.get(
      "/metrics",
      Effect.sync(() => HttpServerResponse.text(Prometheus.renderRegistry(), { contentType: Prometheus.contentType }))
    ),
    HttpRouter.mount("/admin", context.auth.adminRoutes),
    HttpRouter.all("*", notFound)
  )
