// How eagerly JavaScriptCore compiles hot code with its optimizing tiers (DFG, FTL).
//
// A CLI command is one short burst: most of its code runs a few hundred to a few thousand times,
// which is just enough to make the optimizing JIT compile it on another thread and not enough to
// use the result. On a 2-core machine that compiler's CPU is taken from the API server and the HTTP
// thread: a fresh 1000-page read spent about 55 ms of CPU compiling code it never profited from
// (scripts/bench/manifest.ts). The binary therefore starts with JavaScriptCore's tier-up thresholds
// scaled up (`bun build --compile-jit-policy`, read by scripts/build.ts), so only code that really
// is hot (a per-record loop) gets optimized; a long-lived MCP server goes back to the normal policy
// once it serves, since its later calls run code that is hot by then.

/** The tier-up threshold scale the binary starts with (1 is JavaScriptCore's normal policy). */
export const ONE_SHOT_JIT_POLICY = 8;

/** JavaScriptCore's normal JIT policy: for a long-lived process, once it serves. */
export function useLongLivedJitPolicy(): void {
  setJitPolicy(1);
}

/** Scales the tier-up thresholds of this thread's VM; a no-op where the runtime lacks the API. */
export function setJitPolicy(scale: number): void {
  Bun.unsafe?.setJITPolicy?.(scale);
}
