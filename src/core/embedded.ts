// Files the build embeds in the binary with --asset (scripts/build.ts). Running from source there
// are none.

/** The embedded file whose name ends in `file`, with that name; undefined when there is none. */
export function embeddedFile(file: string): (Blob & { name: string }) | undefined {
  return Bun.embeddedFiles.find((f) => (f as Blob & { name?: string }).name?.endsWith(file)) as
    | (Blob & { name: string })
    | undefined;
}
