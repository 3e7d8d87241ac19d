// A one-line progress display on a terminal's stderr (stdout stays the JSON result), redrawn at
// most a few times a second and erased before the result is printed.

import type { Progress } from "../core/tool.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class ProgressLine {
  private frame = 0;
  private shown = false;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly write: (s: string) => void,
  ) {}

  report = (p: Progress): void => {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(p.progress / seconds) : 0;
    const bar =
      p.total !== undefined && p.total > 0
        ? `[${"#".repeat(Math.round((20 * Math.min(p.progress, p.total)) / p.total)).padEnd(20, ".")}] `
        : `${FRAMES[this.frame++ % FRAMES.length]} `;
    const text = `${bar}${this.label}: ${p.progress.toLocaleString("en-US")} records, ${rate.toLocaleString("en-US")}/s${p.message ? ` (${p.message})` : ""}`;
    this.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 100) - 1)}`);
    this.shown = true;
  };

  clear(): void {
    if (this.shown) this.write("\r\x1b[2K");
    this.shown = false;
  }
}
