import type { ApiCall, ApiEnvelope, ApiHandlers, ApiParsedRequest } from "../../../shared/api.js";
import { apiSchemas } from "../../../shared/api.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { StrataError } from "../errors.js";
import { defaultErrorShape } from "../errors.js";

/** Parses a call's payload with its schema; a mismatch is INVALID_REQUEST naming the first bad field. */
export function parseRequest<K extends ApiCall>(call: K, payload: unknown): ApiParsedRequest<K> {
  const result = apiSchemas[call].safeParse(payload ?? {});
  if (result.success) return result.data as ApiParsedRequest<K>;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const first = issues[0];
  throw new StrataError(
    "INVALID_REQUEST",
    `${call}: ${first ? `${first.path || "request"}: ${first.message}` : "malformed request"}; the front end sent a request this version does not accept`,
    { call, issues },
  );
}

/**
 * Parses the payload, runs the handler and wraps the outcome, so that every host turns errors
 * into the same {code, message, details}. Non-Strata errors are reported through onInternal.
 */
export async function dispatch<K extends ApiCall, Ctx>(
  handlers: ApiHandlers<Ctx>,
  call: K,
  payload: unknown,
  ctx: Ctx,
  onInternal: (call: ApiCall, e: unknown) => void = () => undefined,
): Promise<ApiEnvelope<unknown>> {
  try {
    const req = parseRequest(call, payload);
    const handler = handlers[call] as (r: ApiParsedRequest<K>, c: Ctx) => Promise<unknown>;
    return { ok: true, value: await handler(req, ctx) };
  } catch (e) {
    if (!(e instanceof StrataError)) onInternal(call, e);
    return { ok: false, error: errorShape(e) };
  }
}

/** The wire form of any error. */
export function errorShape(e: unknown): ErrorShape {
  return defaultErrorShape(e);
}
