// Safe mode and the name gate: the two guards in front of every Cloud change that cannot be undone
// by the caller. Each refusal names the setting behind it and how to change it.

import { ToolError } from "../core/errors.ts";

export type CloudObjectKind = "source" | "destination" | "connection" | "custom source definition";

/**
 * The objects this server process created (deploys, connections, published definitions). Safe mode
 * lets updates and deletes touch only these. Process-wide, like PyAirbyte's: a restart forgets them,
 * which errs on the side of refusing.
 */
export class CreatedObjects {
  private readonly ids = new Map<string, CloudObjectKind>();

  add(kind: CloudObjectKind, id: string): void {
    this.ids.set(id, kind);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  forget(id: string): void {
    this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}

/** Refuses to change or delete an object this server did not create, while safe mode is on. */
export function requireCreatedHere(
  safeMode: boolean,
  created: CreatedObjects,
  kind: CloudObjectKind,
  id: string,
  action: string,
): void {
  if (!safeMode || created.has(id)) return;
  throw new ToolError(
    `Safe mode refused to ${action} ${kind} '${id}': it was not created by this server (safe mode lets Cloud tools change or delete only the objects they created in this server's lifetime).`,
    {
      hint: "Make the change in the Airbyte web app, or restart the server with AIRBYTE_CLOUD_MCP_SAFE_MODE=0 in its environment to allow changes to any object.",
    },
  );
}

/**
 * A permanent delete names its object twice: by id and by its exact current name, so that a wrong
 * id (or a guessed one) cannot destroy something else. The current name is not echoed back.
 */
export function requireExactName(
  kind: CloudObjectKind,
  id: string,
  currentName: string,
  given: string,
): void {
  if (given === currentName) return;
  throw new ToolError(
    `Refused to permanently delete ${kind} '${id}': the name given ('${given}') is not its exact current name (names are compared exactly, case and spaces included).`,
    {
      hint: `Read the ${kind}'s name with the matching describe or list tool, confirm with the user that this is the ${kind} to delete, and pass that exact name.`,
    },
  );
}
