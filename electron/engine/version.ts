declare const __STRATA_VERSION__: string | undefined;

/** Strata's own version, written into every history row (injected by the bundler; read from package.json otherwise). */
export const STRATA_VERSION: string =
  typeof __STRATA_VERSION__ === "string" ? __STRATA_VERSION__ : (process.env.npm_package_version ?? "0.0.0-dev");
