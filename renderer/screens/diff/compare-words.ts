import type { SchemaObjectStatus } from "../../../shared/api.js";
import { assertNever } from "../../app/assert-never.js";

/** The statuses in the order the filters show them. */
export const STATUSES: readonly SchemaObjectStatus[] = ["different", "only-left", "only-right", "same", "not-compared"];

/** A status in words, naming the sides: "only in staging", "different", "not compared". */
export function statusWords(status: SchemaObjectStatus, left: string, right: string): string {
  switch (status) {
    case "only-left":
      return `only in ${left}`;
    case "only-right":
      return `only in ${right}`;
    case "different":
      return "different";
    case "same":
      return "same";
    case "not-compared":
      return "not compared";
    default:
      return assertNever(status);
  }
}

/** A column attribute's name for people. */
export function attributeWords(attribute: string): string {
  return attribute === "nullable" ? "nullability" : attribute;
}

/** The file name a saved script gets: "staging-to-prod.sql". */
export function scriptFileName(left: string, right: string): string {
  const part = (s: string): string => s.replace(/[^\w.@-]+/g, "_").replace(/^_+|_+$/g, "") || "schema";
  return `${part(left)}-to-${part(right)}.sql`;
}
