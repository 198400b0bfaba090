import type { ErrorShape } from "../../shared/errors.js";

/** What the app says instead of the CLI's `strata resolve ...` advice (issue 14: the app never sends anyone to the CLI). */
const APP_ADVICE = "the recovery panel on the Apply and Environments screens shows which statements ran and what the database holds; say there what you found, or undo what ran";

/** The app's words for the CLI advice of an error, by its code. */
function appAdvice(error: ErrorShape): string {
  switch (error.code) {
    case "REVISION_MISSING":
      return "restore its file, or record it as rolled back and set the version table with a stamp";
    default:
      return APP_ADVICE;
  }
}

/**
 * An engine error in the app's words: the advice the engine writes for the CLI (`details.advice`,
 * a `--force`) becomes what to do on screen. The code and the facts stay as they are.
 */
export function appWords(error: ErrorShape): ErrorShape {
  const advice = typeof error.details?.advice === "string" ? error.details.advice : null;
  let message = error.message;
  if (advice && message.includes(advice)) message = message.replace(advice, appAdvice(error));
  if (error.code === "RESOLVE_CONTRADICTED") {
    const cut = message.indexOf("; check the database, and if it");
    if (cut >= 0) message = `${message.slice(0, cut)}; check the database, then tick “I checked the database: record it anyway” if you are sure`;
  }
  return message === error.message ? error : { ...error, message };
}

/** A line of a run's log in the app's words: the failure's CLI advice, where the line repeats it, replaced as in appWords. */
export function appLine(line: string, error: ErrorShape | null): string {
  const advice = typeof error?.details?.advice === "string" ? error.details.advice : null;
  return advice && error && line.includes(advice) ? line.replace(advice, appAdvice(error)) : line;
}
