import { describe, expect, it } from "vitest";
import { parseRoute, routeHref } from "../../../renderer/app/route.js";

// Issue 19: "create from this diff" carries the ticked changes' keys to the create screen.
describe("the create route", () => {
  it("carries the changes ticked on the schema diff, one change parameter each, keys with | and spaces intact", () => {
    const route = { screen: "create", diffFrom: "migrations", diffTo: "dev", changes: ["add-column|accounts|column email", "create-table|notes|"] } as const;
    const href = routeHref(route);
    expect(href).toBe("#/create?from=migrations&to=dev&change=add-column%7Caccounts%7Ccolumn+email&change=create-table%7Cnotes%7C");
    expect(parseRoute(href)).toEqual({ ...route, parent: undefined });
  });

  it("has no changes when the address names none", () => {
    expect(parseRoute("#/create?to=dev")).toEqual({ screen: "create", parent: undefined, diffFrom: undefined, diffTo: "dev" });
    expect(routeHref({ screen: "create", changes: ["drop-table|x|"] })).toBe("#/create?change=drop-table%7Cx%7C");
  });
});
