import { createContext, useContext } from "react";
import type { EnvironmentMatrixDto, ProjectSummaryDto } from "../../shared/api.js";
import type { Load } from "../hooks/use-load.js";

/** What every screen knows about the open project; held by the App container. */
export interface ProjectState {
  readonly summary: ProjectSummaryDto;
  /** The environments matrix without drift (cheap), refreshed after every change. */
  readonly matrix: Load<EnvironmentMatrixDto>;
  /** The environment the graph dims pending revisions for and the screens default to. */
  readonly activeEnvironment: string | null;
  readonly setActiveEnvironment: (name: string) => void;
  /** Reloads the summary and the matrix (after a run, a new revision, a profile change). */
  readonly refresh: () => void;
}

/** The open project's shared state. */
export const ProjectContext = createContext<ProjectState | null>(null);

/** The open project's state; containers only. */
export function useProject(): ProjectState {
  const p = useContext(ProjectContext);
  if (!p) throw new Error("useProject outside <ProjectContext.Provider>");
  return p;
}
