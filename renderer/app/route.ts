import { assertNever } from "./assert-never.js";

/** Where the app is: one screen and its arguments, kept in location.hash so reload and back work. */
export type Route =
  | { readonly screen: "graph"; readonly select?: string }
  | { readonly screen: "revision"; readonly id: string }
  | {
      readonly screen: "create";
      readonly parent?: string;
      readonly diffFrom?: string;
      readonly diffTo?: string;
      /** "create from this diff" (issue 19): the keys (changeKey) of the changes ticked there, one `change` parameter each. */
      readonly changes?: readonly string[];
    }
  | {
      readonly screen: "apply";
      readonly environment?: string;
      readonly target?: string;
      readonly command?: "upgrade" | "downgrade";
      /** The whole form is in the address (issue 14), so a reload or a new tab plans the same run. */
      readonly singleTransaction?: boolean;
      readonly allowEdited?: boolean;
    }
  | { readonly screen: "environments" }
  | { readonly screen: "diff"; readonly from?: string; readonly to?: string }
  | { readonly screen: "history"; readonly environment?: string };

/** The screens in the navigation, in order (their digit is the keyboard shortcut). */
export const NAV_SCREENS = [
  { screen: "graph", label: "Revision graph" },
  { screen: "environments", label: "Environments" },
  { screen: "apply", label: "Apply / roll back" },
  { screen: "create", label: "Create revision" },
  { screen: "diff", label: "Schema diff" },
  { screen: "history", label: "History" },
] as const;

/** Reads a route from a location hash such as `#/apply?environment=dev&target=head`. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?");
  const q = new URLSearchParams(query);
  const opt = (k: string): string | undefined => q.get(k) ?? undefined;
  const [screen, arg] = path.split("/").map(decodeURIComponent);
  switch (screen) {
    case "revision":
      return arg ? { screen: "revision", id: arg } : { screen: "graph" };
    case "create":
      return { screen: "create", parent: opt("parent"), diffFrom: opt("from"), diffTo: opt("to"), ...(q.has("change") ? { changes: q.getAll("change") } : {}) };
    case "apply": {
      const c = opt("command");
      return {
        screen: "apply",
        environment: opt("environment"),
        target: opt("target"),
        command: c === "downgrade" ? "downgrade" : c === "upgrade" ? "upgrade" : undefined,
        singleTransaction: flag(q, "singleTransaction"),
        allowEdited: flag(q, "allowEdited"),
      };
    }
    case "environments":
      return { screen: "environments" };
    case "diff":
      return { screen: "diff", from: opt("from"), to: opt("to") };
    case "history":
      return { screen: "history", environment: opt("environment") };
    default:
      return { screen: "graph", select: opt("select") };
  }
}

/** A yes/no option: present only when set, so the usual address stays short. */
function flag(q: URLSearchParams, key: string): true | undefined {
  const v = q.get(key);
  return v === "1" || v === "true" ? true : undefined;
}

function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return `#/${path}${s ? `?${s}` : ""}`;
}

/** The hash for a route. */
export function routeHref(route: Route): string {
  switch (route.screen) {
    case "graph":
      return withQuery("graph", { select: route.select });
    case "revision":
      return `#/revision/${encodeURIComponent(route.id)}`;
    case "create": {
      const href = withQuery("create", { parent: route.parent, from: route.diffFrom, to: route.diffTo });
      const changes = new URLSearchParams((route.changes ?? []).map((c): [string, string] => ["change", c]));
      return route.changes?.length ? `${href}${href.includes("?") ? "&" : "?"}${changes.toString()}` : href;
    }
    case "apply":
      return withQuery("apply", {
        environment: route.environment,
        command: route.command,
        target: route.target,
        singleTransaction: route.singleTransaction ? "1" : undefined,
        allowEdited: route.allowEdited ? "1" : undefined,
      });
    case "environments":
      return "#/environments";
    case "diff":
      return withQuery("diff", { from: route.from, to: route.to });
    case "history":
      return withQuery("history", { environment: route.environment });
    default:
      return assertNever(route);
  }
}
