// The window's notice when the desktop app's engine process died and was restarted (issue 18). The
// event comes from Electron's main process in the app; here it is put into the page's event stream
// (the same StrataEvent the preload would deliver) so that Chromium shows what a person would see.
import type { WebSocketRoute } from "playwright";
import { describe, expect, it } from "vitest";
import type { StrataEvent } from "../../shared/api.js";
import { type DemoSession } from "./strata-serve.js";
import { useDemoSessions } from "./demo-sessions.js";

const demo = useDemoSessions();
let session: DemoSession | null = null;

describe("the engine process's restart, in the window", () => {
  it("shows the notice in the top bar until it is dismissed, and the project is read again", async () => {
    let stream: WebSocketRoute | null = null;
    session = await demo.open({
      beforeLoad: (page) =>
        page.routeWebSocket(/\/events/, (ws) => {
          ws.connectToServer();
          stream = ws;
        }),
    });
    const page = session.page;
    await page.locator("[data-testid=graph] [data-revision]").first().waitFor({ timeout: 60_000 });
    expect(stream).not.toBeNull();
    const asked: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/")) asked.push(new URL(r.url()).pathname);
    });
    const event: StrataEvent = {
      type: "engine-restarted",
      restarted: true,
      message: "Strata's engine process was killed and was restarted; a run that was under way may have stopped: check the environment's state",
      at: new Date().toISOString(),
    };
    stream!.send(JSON.stringify(event));
    const notice = page.getByRole("alert").filter({ hasText: "engine process" });
    await notice.waitFor();
    expect(await notice.innerText()).toContain("Strata's engine process was killed and was restarted; a run that was under way may have stopped: check the environment's state");
    await expect.poll(() => asked).toEqual(expect.arrayContaining(["/api/projectSummary", "/api/environmentStatus"]));
    await notice.getByRole("button", { name: "Dismiss" }).click();
    await notice.waitFor({ state: "detached" });
    await page.locator("[data-testid=graph] [data-revision]").first().waitFor();
  });
});
