import type { ErrorCode, ErrorShape } from "../../shared/errors.js";
import { appWords } from "./recovery-words.js";

/** An engine error as a screen says it: what happened, the engine's facts in the app's words, what to do, and whether trying again can help. */
export interface ScreenError {
  /** What happened, in a few words: "The database could not be reached". */
  readonly title: string;
  /** The engine's one line with its command-line advice taken out (it names the revision, the table, the file). */
  readonly detail: string;
  /** What to do, in the screen's own terms. */
  readonly action: string;
  /** True only where the same request may succeed a moment later (a connection, a lock); never for input errors. */
  readonly retry: boolean;
}

interface Words {
  readonly title: string;
  readonly action: string;
  readonly retry?: true;
}

// One entry per ErrorCode: a code added to shared/errors.ts without words here does not compile.
const WORDS: Readonly<Record<ErrorCode, Words>> = {
  CONFIG_NOT_FOUND: { title: "This folder has no Strata project", action: "Open the folder that holds strata.config.json, or a knex migrations folder." },
  CONFIG_INVALID: { title: "The project's strata.config.json cannot be used", action: "Fix the setting named above in strata.config.json; the app reloads it when the file is saved." },
  ENV_UNKNOWN: { title: "That environment is not in this project", action: "Pick one of the environments listed at the top of the window." },
  ENV_VARIABLE_MISSING: { title: "An environment variable the environment needs is not set", action: "Set the variable named above where the app is started, or save a connection profile for this database." },
  CONNECTION_FAILED: { title: "The database could not be reached", action: "Check that the server is running and reachable from this computer, then try again.", retry: true },
  AUTH_FAILED: { title: "The database refused the user name or password", action: "Correct the user or password in strata.config.json or in the connection profile on the Environments screen." },
  DATABASE_NOT_FOUND: { title: "The database does not exist on that server", action: "Create the database, or correct its name in the environment's settings." },
  REVISION_FILE_INVALID: { title: "A revision file cannot be read", action: "Fix the file named above in your editor; the app reloads it when the file is saved." },
  REVISION_DUPLICATE: { title: "Two revision files have the same id", action: "Give one of the files named above a new revision id." },
  REVISION_MISSING: { title: "A revision applied in the database has no file", action: "Restore its file from version control, or record it as rolled back on the Apply screen." },
  REVISION_EDITED: { title: "An applied revision's file was edited after it ran", action: "Restore the file, accept the edit on the revision's page, or tick “Run anyway” on the Apply screen if the change is intended." },
  REVISION_CYCLE: { title: "The revisions' parents form a loop", action: "Correct the downRevision of one of the files named above." },
  BRANCH_LABEL_DUPLICATE: { title: "Two revisions carry the same branch label", action: "Rename the label in one of the files named above." },
  TARGET_UNKNOWN: { title: "No revision or branch by that name", action: "Pick a revision on the graph, or search the graph by id, message or label." },
  TARGET_AMBIGUOUS: { title: "That id matches several revisions", action: "Type more of the id, or pick the revision on the graph." },
  MULTIPLE_HEADS: { title: "The graph has several heads, so “head” does not say which", action: "Pick one head on the graph, or choose “all heads”." },
  RELATIVE_OUT_OF_RANGE: { title: "There are not that many revisions in that direction", action: "Pick the revision to go to on the graph." },
  TARGET_INVALID: { title: "That target cannot be used here", action: "Pick a revision that is above (to upgrade) or below (to roll back) where the environment stands." },
  REVISION_FAILED: { title: "A revision failed while it ran", action: "Read the database's message above, fix the revision file, then run it again." },
  HALF_APPLIED: { title: "A revision stopped part way", action: "Open the recovery panel on the Apply or Environments screen: it shows which statements ran and lets you say what the database holds." },
  LOCK_TIMEOUT: { title: "Another run holds this database's migration lock", action: "Wait for that run to finish, then try again.", retry: true },
  FILE_EXISTS: { title: "A file with that name already exists", action: "Choose another message or remove the existing file." },
  USAGE: { title: "The request is not complete", action: "Check the fields of the form and fill in what is missing." },
  NOT_SUPPORTED: { title: "This cannot be done here", action: "The reason is above; do it on the screen it names, or by hand in the database." },
  SOURCE_UNKNOWN: { title: "That schema source is not known", action: "Pick an environment, the migrations, or a .sql file from the list." },
  SQL_FILE_FAILED: { title: "The .sql file could not be loaded", action: "Fix the statement named above in the file and choose it again." },
  CONFIRMATION_REQUIRED: { title: "This environment is protected", action: "Type the environment's name in the confirmation box to go on." },
  UNAUTHORIZED: { title: "This page's access token is not accepted", action: "Open the address the app printed when it started, with its token." },
  FORBIDDEN: { title: "The app refused a request from another site", action: "Open the app from the address it printed when it started." },
  INVALID_REQUEST: { title: "A value entered is not valid", action: "Correct the field named above." },
  NOT_FOUND: { title: "That is no longer there", action: "Reload the screen: it may have been removed or finished meanwhile." },
  PASSWORD_STORAGE_UNAVAILABLE: { title: "This computer cannot keep passwords safely", action: "Save the profile without a password; you will be asked for it when it connects." },
  INTERNAL: { title: "Something went wrong inside the app", action: "Reload the screen; if it happens again, report the message above." },
  PLAN_CHANGED: { title: "The plan changed after you confirmed it", action: "Look at the new plan and confirm it again: nothing ran." },
  RESOLVE_CONTRADICTED: { title: "The database does not show what you said happened", action: "Check the database, then tick “I checked the database: record it anyway” if you are sure." },
  CONNECTION_LOST: { title: "The connection to the database was lost during the run", action: "When the database is back, open the Apply screen: it says what was kept and what to do; then try again.", retry: true },
  PLAN_DESTRUCTIVE: { title: "The plan would lose data", action: "Tick what is lost to confirm, or change the target." },
  PLAN_UNCHECKED: { title: "The plan could not be checked for data loss", action: "Tick the confirmation to run it unchecked, or run it on a copy first." },
  SCRATCH_BUILD_FAILED: { title: "The revision files could not be built in a scratch database", action: "Fix the revision named above (none of your databases was touched)." },
};

// Command-line advice in engine messages: a clause naming a `strata ...` command or a --flag.
const CLI_CLAUSE = /`?\bstrata\s+[a-z][\w-]*|(?:^|[\s(`])--[a-z][\w-]*/i;
// A parenthesis that exists only to name a flag: "(`--confirm prod`, or type it in the app)".
const CLI_PAREN = /\s*\([^()]*(?:`strata\s|--[a-z])[^()]*\)/gi;

/**
 * A line from the engine without its command-line advice: clauses (between "; ") that name a
 * `strata` command or a `--flag` are dropped, as are parentheses that only name one. The facts
 * (revision, table, file, the database's own message) stay.
 */
export function withoutCliWords(text: string): string {
  const kept = text
    .replace(CLI_PAREN, "")
    .split(/;\s+/)
    .filter((clause, i) => i === 0 || !CLI_CLAUSE.test(clause));
  let line = kept.join("; ");
  // The first clause itself may end in advice: "… held by X; let that run finish, or run `strata unlock`".
  const cut = line.search(/,?\s*(?:or\s+)?(?:run|use|pass)\s+`?(?:strata\s|--)/i);
  if (cut > 0) line = line.slice(0, cut);
  return line.replace(/\s*`?--[a-z][\w-]*`?/gi, "").trim();
}

/** An error as the screens say it (the one place where codes become words, STYLE.md point 4). */
export function errorWords(error: ErrorShape): ScreenError {
  const words = WORDS[error.code];
  const detail = withoutCliWords(appWords(error).message);
  return { title: words.title, detail, action: words.action, retry: words.retry === true };
}
