import { describe, expect, it } from "vitest";
import { parseRoute, routeHref, type Route } from "../../../renderer/app/route.js";

describe("routes in the location hash", () => {
  it("round-trips every screen with its arguments", () => {
    const routes: Route[] = [
      { screen: "graph", select: "abc" },
      { screen: "revision", id: "3f2a9c1b7d4e" },
      { screen: "create", parent: "abc", diffFrom: "migrations@abc", diffTo: "prod" },
      { screen: "apply", environment: "prod", target: "billing@head", command: "downgrade" },
      { screen: "environments" },
      { screen: "diff", from: "dev", to: "prod" },
      { screen: "history", environment: "dev" },
    ];
    for (const r of routes) expect(parseRoute(routeHref(r))).toMatchObject(r);
  });

  it("opens the graph for an empty or unknown hash", () => {
    expect(parseRoute("").screen).toBe("graph");
    expect(parseRoute("#/nowhere").screen).toBe("graph");
    expect(parseRoute("#/revision/").screen).toBe("graph");
  });
});
