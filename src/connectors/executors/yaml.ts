// The yaml executor: declarative manifests run natively. The runner itself is not in this version;
// until it is, choosing it says so and names the alternatives.

import { ToolError } from "../../core/errors.ts";
import type { Executor, ExecutorInfo } from "../executor.ts";
import type { AirbyteMessage } from "../protocol.ts";

/** Whether the native manifest runner is built in (auto mode prefers it for manifest-only connectors). */
export const YAML_RUNNER_AVAILABLE = false;

export class YamlExecutor implements Executor {
  constructor(readonly info: ExecutorInfo) {}

  async prepare(): Promise<void> {
    throw new ToolError(
      "The native manifest runner (override_execution_mode 'yaml', manifest_path) is not available in this version of airbyte-mcp yet.",
      {
        hint: "Run the connector's image instead with override_execution_mode 'docker' (needs Docker or Podman), or 'python' when it is published on PyPI.",
      },
    );
  }

  // biome-ignore lint/correctness/useYield: prepare() always fails first.
  async *run(): AsyncGenerator<AirbyteMessage[]> {
    await this.prepare();
  }
}
