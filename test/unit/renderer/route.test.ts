import { describe, expect, it } from "vitest";
import { parseRoute, routeHref, type Route } from "../../../renderer/app/route.js";

describe("routes in the location hash", () => {
  it("round-trips every screen with its arguments", () => {
    const routes: Route[] = [
      { screen: "graph", select: "abc" },
      { screen: "revision", id: "3f2a9c1b7d4e" },
      { screen: "create", parent: "abc", diffFrom: "migrations@abc", diffTo: "prod" },
      { screen: "apply", environment: "prod", target: "billing@head", command: "downgrade" },
      { screen: "apply", environment: "dev", target: "-1", command: "downgrade", singleTransaction: true, allowEdited: true },
      { screen: "environments" },
      { screen: "diff", from: "dev", to: "prod" },
      { screen: "history", environment: "dev" },
    ];
    for (const r of routes) expect(parseRoute(routeHref(r))).toMatchObject(r);
  });

  it("carries the compare screen's chosen changes to the create screen, keys with | and commas intact", () => {
    const r: Route = { screen: "create", diffFrom: "staging", diffTo: "prod", changes: ["alter-column|customers|column name", "add-index|orders|index a,b"] };
    expect(parseRoute(routeHref(r))).toEqual({ ...r, parent: undefined });
    expect(parseRoute("#/create?to=prod")).toEqual({ screen: "create", parent: undefined, diffFrom: undefined, diffTo: "prod" });
  });

  it("keeps the whole apply form in the address: environment, direction, target and both options", () => {
    const form: Route = { screen: "apply", environment: "prod eu", command: "downgrade", target: "billing@-2", singleTransaction: true, allowEdited: true };
    const href = routeHref(form);
    expect(href).toBe("#/apply?environment=prod+eu&command=downgrade&target=billing%40-2&singleTransaction=1&allowEdited=1");
    expect(parseRoute(href)).toEqual(form);
    // Options left off are not in the address, and come back unset.
    const plain = routeHref({ screen: "apply", environment: "dev", command: "upgrade", target: "heads" });
    expect(plain).toBe("#/apply?environment=dev&command=upgrade&target=heads");
    expect(parseRoute(plain)).toEqual({ screen: "apply", environment: "dev", command: "upgrade", target: "heads", singleTransaction: undefined, allowEdited: undefined });
    // An address written by hand with other spellings still reads; anything else is off.
    expect(parseRoute("#/apply?environment=dev&singleTransaction=true&allowEdited=yes")).toMatchObject({ singleTransaction: true, allowEdited: undefined });
    // Addresses made before the options existed open the same form.
    expect(parseRoute("#/apply?environment=prod&target=heads&command=upgrade")).toMatchObject({ environment: "prod", target: "heads", command: "upgrade" });
  });

  it("opens the graph for an empty or unknown hash", () => {
    expect(parseRoute("").screen).toBe("graph");
    expect(parseRoute("#/nowhere").screen).toBe("graph");
    expect(parseRoute("#/revision/").screen).toBe("graph");
  });
});
