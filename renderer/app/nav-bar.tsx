import { NAV_SCREENS, routeHref, type Route } from "./route.js";

/** The screen list on the left; digits 1-6 jump to a screen. */
export function NavBar({ current }: { readonly current: Route["screen"] }) {
  const active = current === "revision" ? "graph" : current;
  return (
    <nav className="nav" aria-label="Screens">
      {NAV_SCREENS.map((s, i) => (
        <a key={s.screen} href={routeHref({ screen: s.screen })} aria-current={active === s.screen ? "page" : undefined} data-nav={s.screen}>
          <span>{s.label}</span>
          <kbd>{i + 1}</kbd>
        </a>
      ))}
    </nav>
  );
}
